// Test files that every scanner must flag.

rule eicar_test_file
{
    meta:
        description = "EICAR anti-virus test file"
        severity = "critical"
        score = 1000
        attack = ""
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar at 0 or ($eicar and filesize < 256)
}

rule eicar_test_string_embedded
{
    meta:
        description = "EICAR test string embedded in a larger file"
        severity = "high"
        score = 700
        attack = ""
    strings:
        $s = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
    condition:
        $s and filesize >= 256
}
