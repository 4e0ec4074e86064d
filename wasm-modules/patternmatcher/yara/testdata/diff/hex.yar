rule h_mz { strings: $a = { 4D 5A } condition: $a at 0 }
rule h_mz_any { strings: $a = { 4D 5A } condition: $a }
rule h_wild { strings: $a = { 4D 5A ?? 00 } condition: $a }
rule h_nibble { strings: $a = { 4D 5? 90 } condition: $a }
rule h_nibble2 { strings: $a = { 4D ?A 90 } condition: $a }
rule h_jump { strings: $a = { E8 [4] 5D C3 } condition: $a }
rule h_jump_range { strings: $a = { 6A 40 [1-3] 30 } condition: $a }
rule h_jump_range_miss { strings: $a = { 6A 40 [4-6] 30 } condition: $a }
rule h_jump_unbounded { strings: $a = { 4D 5A [-] 2F 73 68 } condition: $a }
rule h_jump_min { strings: $a = { 4D 5A [10-] C3 } condition: $a }
rule h_alt { strings: $a = { FF 15 ( EB FE | 90 90 ) } condition: $a }
rule h_alt_wild { strings: $a = { 31 C0 ( 50 | 51 ) 68 ?? 2F } condition: $a }
rule h_alt_nested { strings: $a = { 68 ( 2F ( 2F | 62 ) | 00 ) 73 } condition: $a }
rule h_alt_len { strings: $a = { 5D ( C3 CC | C3 ) CC } condition: $a }
rule h_lead_wild { strings: $a = { ?? ?? 90 00 03 } condition: $a }
rule h_lead_wild_at { strings: $a = { ?? 5A 90 } condition: $a at 0 }
rule h_bytes_run { strings: $a = { 00 01 02 03 04 05 } condition: #a == 2 }
rule h_bytes_ff { strings: $a = { FE FF 00 01 } condition: $a }
rule h_eicar { strings: $a = { 58 35 4F 21 50 25 } condition: $a at 0 }
rule h_nul_run { strings: $a = { 00 00 00 00 00 00 00 00 } condition: #a > 4000 }
rule h_comment { strings: $a = { 4D // comment
   5A /* inline */ 90 } condition: $a }
rule h_elf { strings: $a = { 7F 45 4C 46 } condition: $a at 0 }
rule h_elf64 { strings: $a = { 7F 45 4C 46 02 } condition: $a at 0 }
rule h_pe_sig { strings: $a = { 50 45 00 00 } condition: $a }
rule h_jump_zero { strings: $a = { 4D 5A [0-2] 00 } condition: $a }
rule h_wild_mid { strings: $a = { 6A ?? 68 ?? ?? ?? ?? FF } condition: $a }
rule h_count { strings: $a = { CC } condition: #a == 2 }
rule h_at_offset { strings: $a = { 6A 40 } condition: $a at 19 }
rule h_in_range { strings: $a = { 6A 40 } condition: $a in (10..20) }
rule h_in_range_miss { strings: $a = { 6A 40 } condition: $a in (0..10) }
