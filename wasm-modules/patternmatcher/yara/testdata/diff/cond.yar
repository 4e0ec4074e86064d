rule c_true { condition: true }
rule c_false { condition: false }
rule c_filesize { condition: filesize > 1000 }
rule c_filesize_kb { condition: filesize >= 64KB }
rule c_filesize_zero { condition: filesize == 0 }
rule c_arith { condition: filesize * 2 - 1 > 100 and filesize \ 2 < 100 }
rule c_mod { condition: filesize % 7 == 3 }
rule c_bits { condition: (filesize & 0xff) == 0 }
rule c_shift { condition: (1 << 4) == 16 and (filesize >> 1) > 10 }
rule c_xor_op { condition: (filesize ^ 1) == 0 }
rule c_not_op { condition: ~0 == -1 and -filesize < 0 }
rule c_uint32 { condition: uint32(0) == 0xdeadbeef }
rule c_uint32be { condition: uint32be(4) == 0xdeadbeef }
rule c_uint16 { condition: uint16(0) == 0x5a4d }
rule c_uint16_ints { condition: uint16(8) == 0xfffe }
rule c_int16 { condition: int16(8) == -2 }
rule c_int8 { condition: int8(10) == -128 }
rule c_uint8 { condition: uint8(10) == 0x80 }
rule c_int32 { condition: int32(0) < 0 }
rule c_uint8be { condition: uint8be(0) == 0x4d }
rule c_oob { condition: uint32(filesize) == 0 }
rule c_not_oob { condition: not (uint32(filesize) == 0) }
rule c_count { strings: $a = "hello" condition: #a > 1 }
rule c_offset { strings: $a = "world" condition: @a[1] == 6 }
rule c_offset2 { strings: $a = "hello" nocase condition: @a[2] > 20 }
rule c_length { strings: $a = /a+/ condition: !a[1] == 10 }
rule c_length2 { strings: $a = /fo+/ condition: !a[1] == 2 }
rule c_any { strings: $a = "quick" $b = "nothere" condition: any of them }
rule c_all { strings: $a = "quick" $b = "lazy" condition: all of them }
rule c_none { strings: $a = "quick" $b = "lazy" condition: none of them }
rule c_n_of { strings: $a = "quick" $b = "lazy" $c = "dog" $d = "cat" condition: 3 of them }
rule c_n_of_set { strings: $a1 = "quick" $a2 = "lazy" $b = "dog" condition: 2 of ($a*) and $b }
rule c_pct { strings: $a = "quick" $b = "lazy" $c = "dog" $d = "cat" condition: 75% of them }
rule c_pct50 { strings: $a = "quick" $b = "lazy" $c = "zzz" $d = "cat" condition: 50% of them }
rule c_of_list { strings: $a = "quick" $b = "lazy" $c = "zzz" condition: any of ($a, $c) and not $b }
rule c_for_of { strings: $a = "hello" nocase $b = "world" nocase condition: for all of them : ( # >= 2 ) }
rule c_for_of_at { strings: $a = "MZ" $b = "ELF" condition: for any of them : ( $ at 0 ) }
rule c_for_of_offset { strings: $a = "hello" condition: for any of ($a) : ( @ > 5 ) }
rule c_for_in { strings: $a = "hello" nocase condition: for all i in (1..#a) : ( @a[i] < 100 ) }
rule c_for_in_any { strings: $a = "a" condition: for any i in (1..#a) : ( @a[i] == 12 ) }
rule c_for_list { condition: for any x in (1, 2, filesize) : ( x == 38 ) }
rule c_for_n { strings: $a = "o" condition: for 3 i in (1..#a) : ( @a[i] < 20 ) }
rule c_at { strings: $a = "EICAR" condition: $a at 38 }
rule c_in { strings: $a = "world" condition: $a in (0..10) }
rule c_count_in { strings: $a = "hello" nocase condition: #a in (0..20) == 1 }
rule c_ref_base { strings: $a = "hello" condition: $a }
rule c_ref { condition: c_ref_base and filesize < 100 }
rule c_ref_not { condition: not c_ref_base }
private rule c_priv { strings: $a = "quick" condition: $a }
rule c_uses_priv { condition: c_priv }
rule c_str_eq { condition: "abc" == "abc" and "abc" != "abd" }
rule c_contains { condition: "hello world" contains "lo w" }
rule c_icontains { condition: "Hello World" icontains "LO W" }
rule c_startswith { condition: "hello" startswith "he" and "hello" endswith "lo" }
rule c_istartswith { condition: "Hello" istartswith "hE" and "Hello" iendswith "LO" and "ABC" iequals "abc" }
rule c_matches { condition: "hello123" matches /o[0-9]+$/ }
rule c_matches_i { condition: "HELLO" matches /hello/i }
rule c_paren { condition: (filesize > 10 or filesize == 0) and not (filesize > 100000) }
rule c_float { condition: 1.5 * 2 == 3 }
rule c_precedence { condition: 2 + 3 * 4 == 14 and (2 + 3) * 4 == 20 and 10 - 2 - 3 == 5 }
rule c_bitprec { condition: 1 | 2 & 3 == 3 }
rule c_div_undef { condition: not (filesize \ (filesize - filesize) == 1) }
rule c_hexnum { condition: 0x10 == 16 and 0o10 == 8 }
rule c_mb { condition: 1MB == 1048576 }
rule c_wild_set { strings: $s1 = "xmrig" $s2 = "stratum" $t = "VirtualAllocEx" condition: all of ($s*) and $t }
rule c_them_count { strings: $a = "a" $b = "b" condition: #a + #b > 20 }
rule c_at_expr { strings: $a = { 50 45 00 00 } condition: $a at uint32(0x3c) }
rule c_offset_undef { strings: $a = "hello" condition: @a[100] > 0 }
rule c_not_undef { strings: $a = "hello" condition: not (@a[100] > 0) }
rule c_or_undef { strings: $a = "hello" condition: @a[100] > 0 or true }
