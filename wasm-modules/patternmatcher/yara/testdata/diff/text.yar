rule t_plain { strings: $a = "hello" condition: $a }
rule t_nocase { strings: $a = "hello" nocase condition: $a }
rule t_wide { strings: $a = "hello" wide condition: $a }
rule t_wide_ascii { strings: $a = "hello" wide ascii condition: $a }
rule t_wide_nocase { strings: $a = "KERNEL32.DLL" wide nocase condition: $a }
rule t_fullword { strings: $a = "hello" fullword condition: $a }
rule t_fullword_count2 { strings: $a = "hello" fullword condition: #a == 2 }
rule t_fullword_wide { strings: $a = "hello" fullword wide condition: $a }
rule t_fullword_bar { strings: $a = "bar" fullword condition: #a >= 2 }
rule t_xor_all { strings: $a = "This program" xor condition: $a }
rule t_xor_one { strings: $a = "This program" xor(0x20) condition: $a }
rule t_xor_range { strings: $a = "This program" xor(0x50-0x60) condition: $a }
rule t_xor_range_miss { strings: $a = "This program" xor(0x01-0x10) condition: $a }
rule t_xor_count { strings: $a = "This program" xor condition: #a == 2 }
rule t_xor_wide { strings: $a = "secret key" xor wide condition: $a }
rule t_xor_hello { strings: $a = "hello world" xor(1) condition: $a }
rule t_b64 { strings: $a = "This program cannot be run" base64 condition: $a }
rule t_b64_count { strings: $a = "This program cannot" base64 condition: #a == 4 }
rule t_b64wide { strings: $a = "This program cannot be run" base64wide condition: $a }
rule t_b64_ps { strings: $a = "powershell" base64 condition: $a }
rule t_b64_both { strings: $a = "program cannot" base64 base64wide condition: #a >= 2 }
rule t_escape { strings: $a = "line\nsecond" condition: $a }
rule t_escape_hex { strings: $a = "\x4d\x5a\x90" condition: $a }
rule t_escape_tab { strings: $a = "third\tline" condition: $a }
rule t_quote { strings: $a = "$_POST[" condition: $a }
rule t_private { strings: $a = "hello" private condition: $a }
rule t_overlap { strings: $a = "aa" condition: #a == 9 }
rule t_overlap2 { strings: $a = "abab" condition: #a == 5 }
rule t_eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }
rule t_one_char { strings: $a = "a" condition: #a > 3 }
rule t_two_char { strings: $a = "ab" condition: $a }
rule t_nul { strings: $a = "\x00\x00\x00\x00" condition: #a > 100 }
rule t_ff { strings: $a = "\xff\xff" condition: #a == 299 }
rule t_count_hello { strings: $a = "hello" nocase condition: #a == 3 }
rule t_multi { strings: $a = "quick" $b = "lazy" $c = "missing" condition: $a and $b and not $c }
rule t_long { strings: $a = "the quick brown fox jumps over the lazy dog" condition: $a }
rule t_nocase_long { strings: $a = "THE QUICK BROWN FOX" nocase condition: $a }
rule t_wide_dll { strings: $a = "VirtualAlloc" wide condition: $a }
rule t_ascii_only { strings: $a = "VirtualAlloc" ascii condition: $a }
rule t_high_bytes { strings: $a = "\xfe\xff" condition: $a }
