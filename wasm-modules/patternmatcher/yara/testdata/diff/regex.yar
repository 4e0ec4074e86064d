rule r_simple { strings: $a = /hello/ condition: $a }
rule r_nocase_flag { strings: $a = /hello/i condition: #a == 3 }
rule r_nocase_mod { strings: $a = /hello/ nocase condition: $a }
rule r_class { strings: $a = /foo[0-9]+bar/ condition: $a }
rule r_dot { strings: $a = /foo.bar/ condition: #a == 2 }
rule r_dot_nl { strings: $a = /line.second/ condition: $a }
rule r_dot_s { strings: $a = /line.second/s condition: $a }
rule r_alt { strings: $a = /(quick|slow) brown/ condition: $a }
rule r_alt_top { strings: $a = /lazy|sleepy/ condition: $a }
rule r_star { strings: $a = /ab*c/ condition: $a }
rule r_plus_count { strings: $a = /a+/ condition: #a == 10 }
rule r_bounded { strings: $a = /a{3}/ condition: #a == 8 }
rule r_bounded_range { strings: $a = /(ab){2,3}/ condition: $a }
rule r_bol { strings: $a = /^first/ condition: $a }
rule r_bol_miss { strings: $a = /^second/ condition: $a }
rule r_eol { strings: $a = /end$/ condition: $a }
rule r_word { strings: $a = /\bhello\b/ condition: $a }
rule r_word_count { strings: $a = /\bhello\b/ condition: #a == 2 }
rule r_nonword { strings: $a = /\Bhello/ condition: $a }
rule r_digits { strings: $a = /\d\d\d \d\d\d/ condition: $a }
rule r_space { strings: $a = /third\sline/ condition: $a }
rule r_w { strings: $a = /\w+@\w+/ condition: $a }
rule r_neg_class { strings: $a = /foo[^ 0-9]bar/ condition: $a }
rule r_hex_escape { strings: $a = /\x4d\x5a\x90/ condition: $a }
rule r_high { strings: $a = /\xfe\xff\x00/ condition: $a }
rule r_wide { strings: $a = /hel+o/ wide condition: $a }
rule r_wide_ascii { strings: $a = /hel+o/ wide ascii condition: $a }
rule r_fullword { strings: $a = /hel+o/ fullword condition: $a }
rule r_lazy { strings: $a = /a.*?b/ condition: $a }
rule r_url { strings: $a = /https?:\/\/[a-z0-9.\/]+/ condition: $a }
rule r_tcp { strings: $a = /\/dev\/tcp\/[0-9.]+\/[0-9]+/ condition: $a }
rule r_eval { strings: $a = /eval\s*\(/ nocase condition: $a }
rule r_b64blob { strings: $a = /[A-Za-z0-9+\/]{20,}={0,2}/ condition: $a }
rule r_quant_q { strings: $a = /colou?r/ condition: $a }
rule r_question { strings: $a = /https?/ condition: $a }
rule r_enc { strings: $a = /-[eE][nN][cC]\s+[A-Za-z0-9+\/=]{4,}/ condition: $a }
rule r_ip { strings: $a = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/ condition: #a == 2 }
rule r_brace_literal { strings: $a = /cmd\[/ condition: $a }
rule r_class_escape { strings: $a = /[\x00-\x08]{4}/ condition: $a }
rule r_class_w { strings: $a = /[\w.]+\.dll/ nocase condition: $a }
rule r_anchored_count { strings: $a = /b[a-z]+/ condition: #a > 3 }
rule r_nested_group { strings: $a = /((ab)+c)?abc/ condition: $a }
rule r_wild_lead { strings: $a = /.ello/ condition: #a > 3 }
