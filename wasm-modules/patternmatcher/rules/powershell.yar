// PowerShell abuse.

rule powershell_encoded_command
{
    meta:
        description = "PowerShell started with an encoded command (-enc / -EncodedCommand)"
        severity = "high"
        score = 600
        attack = "T1059.001,T1027"
    strings:
        $a = /powershell(\.exe)?["']?\s+[^\n]{0,100}-e(nc(odedcommand)?|c)?\s+[A-Za-z0-9+\/=]{16,}/ nocase ascii wide
    condition:
        $a
}

rule powershell_download_cradle
{
    meta:
        description = "PowerShell download cradle (WebClient/Invoke-WebRequest piped to IEX)"
        severity = "high"
        score = 650
        attack = "T1059.001,T1105"
    strings:
        $dl1 = "DownloadString(" nocase ascii wide
        $dl2 = "DownloadData(" nocase ascii wide
        $dl3 = "Invoke-WebRequest" nocase ascii wide
        $dl4 = "Net.WebClient" nocase ascii wide
        $dl5 = "Start-BitsTransfer" nocase ascii wide
        $ex1 = "IEX" nocase fullword ascii wide
        $ex2 = "Invoke-Expression" nocase ascii wide
    condition:
        any of ($dl*) and any of ($ex*)
}

rule powershell_hidden_bypass
{
    meta:
        description = "PowerShell with hidden window and execution-policy bypass"
        severity = "medium"
        score = 400
        attack = "T1059.001,T1564.003"
    strings:
        $h = /-w(indowstyle)?\s+h(idden)?\b/ nocase ascii wide
        $b = /-(ep|exec(utionpolicy)?)\s+bypass/ nocase ascii wide
        $n = /-nop(rofile)?\b/ nocase ascii wide
    condition:
        2 of them
}

rule powershell_amsi_bypass
{
    meta:
        description = "AMSI bypass strings"
        severity = "high"
        score = 700
        attack = "T1562.001"
    strings:
        $a = "AmsiUtils" nocase ascii wide
        $b = "amsiInitFailed" nocase ascii wide
        $c = "AmsiScanBuffer" ascii wide
    condition:
        any of them
}

rule powershell_reflective_load
{
    meta:
        description = "PowerShell reflective assembly loading from bytes"
        severity = "high"
        score = 600
        attack = "T1620,T1059.001"
    strings:
        $a = "[System.Reflection.Assembly]::Load(" nocase ascii wide
        $b = "FromBase64String(" nocase ascii wide
    condition:
        all of them
}

rule powershell_base64_encoded_keywords
{
    meta:
        description = "Base64-encoded PowerShell keywords"
        severity = "medium"
        score = 400
        attack = "T1027,T1059.001"
    strings:
        $a = "Invoke-Expression" base64 base64wide
        $b = "DownloadString" base64 base64wide
        $c = "New-Object Net.WebClient" base64 base64wide
    condition:
        any of them
}
