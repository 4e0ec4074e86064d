global rule g_small { condition: filesize < 200 }
rule g_hello { strings: $a = "hello" nocase condition: $a }
rule g_any { condition: true }
