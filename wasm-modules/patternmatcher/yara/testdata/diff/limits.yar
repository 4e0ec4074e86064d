rule h_far_unbounded { strings: $a = { 4D 5A [-] 2F 73 68 } condition: $a }
rule h_far_bounded { strings: $a = { 4D 5A [0-6000] 2F 73 68 } condition: $a }
rule r_scan_limit { strings: $a = /abc.*def/ condition: $a }
rule r_scan_limit_bounded { strings: $a = /abcx{0,6000}def/ condition: $a }
rule r_scan_limit_count { strings: $a = /x+def/ condition: #a > 100 }
