// Generic suspicious content.

rule script_download_execute_vbs
{
    meta:
        description = "VBScript downloading and running a file"
        severity = "high"
        score = 600
        attack = "T1059.005,T1105"
    strings:
        $a = "MSXML2.ServerXMLHTTP" nocase
        $b = "ADODB.Stream" nocase
        $c = ".SaveToFile" nocase
        $d = /\.Run\b/ nocase
    condition:
        ($a or $b) and $c and $d
}

rule windows_persistence_run_key
{
    meta:
        description = "Write to the Run registry key for persistence"
        severity = "medium"
        score = 400
        attack = "T1547.001"
    strings:
        $a = "Software\\Microsoft\\Windows\\CurrentVersion\\Run" nocase ascii wide
        $w1 = "RegSetValueEx" ascii wide
        $w2 = /reg(\.exe)?\s+add/ nocase ascii wide
        $w3 = "New-ItemProperty" nocase ascii wide
    condition:
        $a and any of ($w*)
}

rule windows_scheduled_task_create
{
    meta:
        description = "Scheduled task creation from a script"
        severity = "medium"
        score = 350
        attack = "T1053.005"
    strings:
        $a = /schtasks(\.exe)?\s+\/create/ nocase ascii wide
    condition:
        $a
}

rule windows_defender_tamper
{
    meta:
        description = "Disabling Windows Defender"
        severity = "high"
        score = 650
        attack = "T1562.001"
    strings:
        $a = "Set-MpPreference" nocase ascii wide
        $b = "DisableRealtimeMonitoring" nocase ascii wide
        $c = "Add-MpPreference -ExclusionPath" nocase ascii wide
        $d = "DisableAntiSpyware" nocase ascii wide
    condition:
        ($a and $b) or $c or $d
}

rule linux_ssh_key_persistence
{
    meta:
        description = "Appending an SSH key to authorized_keys"
        severity = "medium"
        score = 400
        attack = "T1098.004"
    strings:
        $a = /echo\s+["']?ssh-(rsa|ed25519)\s+[A-Za-z0-9+\/=]{20,}[^\n]{0,100}>>\s*[^\n]{0,40}authorized_keys/
    condition:
        $a
}

rule linux_ld_preload_rootkit
{
    meta:
        description = "Writing /etc/ld.so.preload (userland rootkit)"
        severity = "high"
        score = 650
        attack = "T1574.006"
    strings:
        $echo = /echo [^\n]{1,200}> ?\/etc\/ld\.so\.preload/
        $path = "/etc/ld.so.preload"
    condition:
        $echo or (uint32(0) == 0x464C457F and $path)
}

rule elf_suspicious_strings
{
    meta:
        description = "Linux malware strings (DDoS bots, miners, backdoors)"
        severity = "medium"
        score = 400
        attack = "T1059.004"
    strings:
        $a = "/proc/net/tcp" ascii
        $b = "busybox" nocase fullword ascii
        $c = "/bin/busybox wget" ascii
        $d = "chmod 777" ascii
        $e = "killall -9" ascii
        $f = "/dev/watchdog" ascii
    condition:
        uint32(0) == 0x464C457F and 3 of them
}

rule base64_encoded_pe
{
    meta:
        description = "Base64-encoded Windows executable"
        severity = "high"
        score = 550
        attack = "T1027"
    strings:
        $a = "TVqQAAMAAAAEAAAA"
        $b = "TVpQAAIAAAAEAA8A"
        $c = "This program cannot be run in DOS mode" base64
    condition:
        any of them
}

rule hex_encoded_pe
{
    meta:
        description = "Hex-encoded Windows executable"
        severity = "medium"
        score = 400
        attack = "T1027"
    strings:
        $a = "4D5A90000300000004000000FFFF" nocase
    condition:
        $a
}

rule xor_encoded_pe
{
    meta:
        description = "XOR-encoded DOS stub (single-byte key)"
        severity = "high"
        score = 550
        attack = "T1027"
    strings:
        $a = "This program cannot be run in DOS mode" xor(0x01-0xff)
    condition:
        $a
}

rule reversed_strings
{
    meta:
        description = "Reversed suspicious keywords"
        severity = "low"
        score = 200
        attack = "T1027"
    strings:
        $a = "llehsrewop" nocase
        $b = "noisserpxE-ekovnI" nocase
        $c = "gnirtSdaolnwoD" nocase
    condition:
        any of them
}

rule suspicious_tor_hidden_service
{
    meta:
        description = "Tor hidden service address"
        severity = "low"
        score = 200
        attack = "T1090.003"
    strings:
        $a = /\b[a-z2-7]{56}\.onion\b/
        $b = /\b[a-z2-7]{16}\.onion\b/
    condition:
        any of them
}
