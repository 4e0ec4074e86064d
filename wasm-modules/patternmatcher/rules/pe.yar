import "pe"
import "math"

// Windows executables: structure, packers, injection, anti-analysis and credential theft.

rule pe_header
{
    meta:
        description = "Windows PE executable (MZ/PE header)"
        severity = "info"
        score = 0
        attack = ""
    condition:
        uint16(0) == 0x5A4D and uint32(0x3C) < filesize and uint32(uint32(0x3C)) == 0x00004550
}

rule pe_embedded_executable
{
    meta:
        description = "A second PE header embedded after the first"
        severity = "medium"
        score = 350
        attack = "T1027.009"
    strings:
        $dos = "This program cannot be run in DOS mode"
    condition:
        #dos > 1 and @dos[2] > 1024
}

rule pe_upx_packed
{
    meta:
        description = "UPX-packed executable"
        severity = "low"
        score = 150
        attack = "T1027.002"
    strings:
        $s0 = "UPX0" fullword
        $s1 = "UPX1" fullword
        $sig = "UPX!"
    condition:
        uint16(0) == 0x5A4D and (($s0 and $s1) or $sig)
}

rule pe_high_entropy_section
{
    meta:
        description = "PE section with near-random content (packed or encrypted)"
        severity = "low"
        score = 150
        attack = "T1027.002"
    condition:
        pe.is_pe and for any i in (0..pe.number_of_sections - 1) : (
            pe.sections[i].raw_data_size > 4096 and
            math.entropy(pe.sections[i].raw_data_offset, pe.sections[i].raw_data_size) > 7.4
        )
}

rule pe_process_injection_apis
{
    meta:
        description = "Classic remote process injection API set"
        severity = "high"
        score = 600
        attack = "T1055"
    strings:
        $a1 = "VirtualAllocEx" ascii wide
        $a2 = "WriteProcessMemory" ascii wide
        $a3 = "CreateRemoteThread" ascii wide
        $a4 = "NtCreateThreadEx" ascii wide
        $a5 = "QueueUserAPC" ascii wide
        $o = "OpenProcess" ascii wide
    condition:
        $a2 and ($a1 or $o) and ($a3 or $a4 or $a5)
}

rule pe_process_hollowing_apis
{
    meta:
        description = "Process hollowing API set"
        severity = "high"
        score = 650
        attack = "T1055.012"
    strings:
        $a = "NtUnmapViewOfSection" ascii wide
        $b = "ZwUnmapViewOfSection" ascii wide
        $c = "SetThreadContext" ascii wide
        $d = "ResumeThread" ascii wide
    condition:
        ($a or $b) and $c and $d
}

rule pe_keylogger_apis
{
    meta:
        description = "Keyboard hook and key state APIs used by keyloggers"
        severity = "medium"
        score = 350
        attack = "T1056.001"
    strings:
        $a = "SetWindowsHookExA" ascii wide
        $b = "SetWindowsHookExW" ascii wide
        $c = "GetAsyncKeyState" ascii wide
        $d = "GetKeyboardState" ascii wide
    condition:
        ($a or $b) and ($c or $d)
}

rule pe_anti_debug
{
    meta:
        description = "Anti-debugging API checks"
        severity = "low"
        score = 150
        attack = "T1622"
    strings:
        $a = "IsDebuggerPresent" ascii wide
        $b = "CheckRemoteDebuggerPresent" ascii wide
        $c = "NtQueryInformationProcess" ascii wide
        $d = "OutputDebugStringA" ascii wide
    condition:
        2 of them
}

rule anti_vm_strings
{
    meta:
        description = "Virtual machine and sandbox detection strings"
        severity = "medium"
        score = 300
        attack = "T1497.001"
    strings:
        $v1 = "VBoxService.exe" nocase ascii wide
        $v2 = "VBoxTray.exe" nocase ascii wide
        $v3 = "vmtoolsd.exe" nocase ascii wide
        $v4 = "VMware Tools" nocase ascii wide
        $v5 = "SbieDll.dll" nocase ascii wide
        $v6 = "qemu-ga" nocase ascii wide
        $v7 = "HARDWARE\\ACPI\\DSDT\\VBOX__" nocase ascii wide
        $v8 = "vmmouse.sys" nocase ascii wide
        $v9 = "wine_get_unix_file_name" ascii wide
    condition:
        2 of them
}

rule credential_theft_mimikatz
{
    meta:
        description = "Mimikatz strings"
        severity = "critical"
        score = 900
        attack = "T1003.001"
    strings:
        $a = "mimikatz" nocase ascii wide
        $b = "sekurlsa::logonpasswords" nocase ascii wide
        $c = "gentilkiwi" nocase ascii wide
        $d = "lsadump::sam" nocase ascii wide
        $e = "privilege::debug" nocase ascii wide
    condition:
        2 of them
}

rule credential_theft_lsass_dump
{
    meta:
        description = "LSASS memory dumping"
        severity = "high"
        score = 700
        attack = "T1003.001"
    strings:
        $a = "MiniDumpWriteDump" ascii wide
        $b = "lsass.exe" nocase ascii wide
        $c = /comsvcs(\.dll)?[,\s]+#?(24|MiniDump)/ nocase ascii wide
    condition:
        ($a and $b) or $c
}

rule credential_theft_browser_stores
{
    meta:
        description = "Access to browser credential stores"
        severity = "high"
        score = 550
        attack = "T1555.003"
    strings:
        $a = "\\Google\\Chrome\\User Data\\Default\\Login Data" nocase ascii wide
        $b = "logins.json" ascii wide
        $c = "key4.db" ascii wide
        $d = "CryptUnprotectData" ascii wide
        $e = "\\Microsoft\\Edge\\User Data" nocase ascii wide
    condition:
        $d and 1 of ($a, $b, $c, $e)
}

rule credential_theft_tool_names
{
    meta:
        description = "Names of credential dumping tools"
        severity = "high"
        score = 650
        attack = "T1003"
    strings:
        $a = "LaZagne" ascii wide
        $b = "pwdump" nocase ascii wide fullword
        $c = "procdump" nocase ascii wide fullword
        $d = "secretsdump" nocase ascii wide
        $e = "Rubeus" ascii wide fullword
        $f = "kerberoast" nocase ascii wide
    condition:
        any of them
}

rule pe_shellcode_getpc
{
    meta:
        description = "GetPC shellcode stubs (call $+5; pop)"
        severity = "medium"
        score = 300
        attack = "T1055"
    strings:
        $call_pop = { E8 00 00 00 00 (58 | 59 | 5A | 5B | 5D | 5E | 5F) }
        $fnstenv = { D9 EE D9 74 24 F4 }
    condition:
        any of them
}

rule pe_suspicious_section_names
{
    meta:
        description = "Section names of common packers and protectors"
        severity = "low"
        score = 150
        attack = "T1027.002"
    condition:
        pe.is_pe and for any i in (0..pe.number_of_sections - 1) : (
            pe.sections[i].name == ".aspack" or pe.sections[i].name == ".adata" or
            pe.sections[i].name == "MPRESS1" or pe.sections[i].name == ".themida" or
            pe.sections[i].name == ".vmp0" or pe.sections[i].name == ".petite" or
            pe.sections[i].name == "nsp0"
        )
}

rule pe_dotnet_injection
{
    meta:
        description = ".NET assembly referencing injection primitives through P/Invoke"
        severity = "medium"
        score = 400
        attack = "T1055"
    strings:
        $net = "mscoree.dll" nocase
        $dll = "DllImportAttribute"
        $a = "VirtualAllocEx"
        $b = "CreateRemoteThread"
    condition:
        uint16(0) == 0x5A4D and $net and $dll and $a and $b
}
