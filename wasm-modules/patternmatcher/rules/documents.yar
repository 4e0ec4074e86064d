// Office documents, PDFs and shortcuts.

rule office_macro_autoexec
{
    meta:
        description = "Office VBA macro with an auto-execution entry point"
        severity = "high"
        score = 550
        attack = "T1204.002,T1137"
    strings:
        $attr = "Attribute VB_" ascii wide
        $a1 = "AutoOpen" nocase ascii wide
        $a2 = "Document_Open" nocase ascii wide
        $a3 = "Workbook_Open" nocase ascii wide
        $a4 = "Auto_Open" nocase ascii wide
        $a5 = "AutoExec" nocase ascii wide
        $a6 = "Document_Close" nocase ascii wide
    condition:
        $attr and any of ($a*)
}

rule office_macro_shell
{
    meta:
        description = "VBA macro that runs commands or downloads files"
        severity = "high"
        score = 650
        attack = "T1059.005,T1105"
    strings:
        $attr = "Attribute VB_" ascii wide
        $s1 = "Shell(" nocase ascii wide
        $s2 = "WScript.Shell" nocase ascii wide
        $s3 = "URLDownloadToFile" nocase ascii wide
        $s4 = "CreateObject(\"MSXML2.XMLHTTP" nocase ascii wide
        $s5 = "powershell" nocase ascii wide
    condition:
        $attr and any of ($s*)
}

rule office_ole_vba_project
{
    meta:
        description = "OLE compound document containing a VBA project"
        severity = "low"
        score = 100
        attack = "T1137"
    strings:
        $vba = "_VBA_PROJECT" wide ascii
        $dir = "VBA" wide fullword
    condition:
        uint32(0) == 0xE011CFD0 and uint32(4) == 0xE11AB1A1 and $vba and $dir
}

rule office_ooxml_vbaproject
{
    meta:
        description = "OOXML document carrying vbaProject.bin"
        severity = "low"
        score = 100
        attack = "T1137"
    strings:
        $a = "vbaProject.bin"
    condition:
        uint32(0) == 0x04034B50 and $a
}

rule office_dde_field
{
    meta:
        description = "DDE / DDEAUTO field launching a command"
        severity = "high"
        score = 600
        attack = "T1559.002"
    strings:
        $a = /DDEAUTO\s+[^\n]{0,40}(cmd|powershell)/ nocase
        $b = /\bDDE\s+"?c:\\\\windows\\\\system32\\\\cmd/ nocase
    condition:
        any of them
}

rule office_remote_template
{
    meta:
        description = "Remote template injection reference"
        severity = "medium"
        score = 400
        attack = "T1221"
    strings:
        $a = /attachedTemplate"\s+Target="https?:\/\// nocase
    condition:
        $a
}

rule pdf_javascript
{
    meta:
        description = "PDF with JavaScript"
        severity = "medium"
        score = 300
        attack = "T1204.002,T1059.007"
    strings:
        $js1 = "/JavaScript" ascii
        $js2 = "/JS" fullword ascii
    condition:
        uint32(0) == 0x46445025 and any of them
}

rule pdf_auto_action
{
    meta:
        description = "PDF with an automatic action (OpenAction/AA) launching JavaScript or a program"
        severity = "high"
        score = 500
        attack = "T1204.002"
    strings:
        $open = "/OpenAction" ascii
        $aa = "/AA" fullword ascii
        $js = "/JavaScript" ascii
        $launch = "/Launch" ascii
    condition:
        uint32(0) == 0x46445025 and ($open or $aa) and ($js or $launch)
}

rule pdf_launch_action
{
    meta:
        description = "PDF /Launch action running an executable"
        severity = "high"
        score = 650
        attack = "T1204.002"
    strings:
        $launch = "/Launch" ascii
        $exe = /\/F\s*\(\s*[^)]{0,100}\.(exe|bat|cmd|ps1|vbs|js)\s*\)/ nocase
    condition:
        uint32(0) == 0x46445025 and $launch and $exe
}

rule pdf_embedded_file
{
    meta:
        description = "PDF with embedded files"
        severity = "low"
        score = 150
        attack = "T1027.006"
    strings:
        $a = "/EmbeddedFile" ascii
    condition:
        uint32(0) == 0x46445025 and $a
}

rule pdf_obfuscated_names
{
    meta:
        description = "PDF name obfuscation with #xx escapes (/J#61vaScript)"
        severity = "medium"
        score = 400
        attack = "T1027"
    strings:
        $a = /\/J(#[0-9a-fA-F]{2}|a)(#[0-9a-fA-F]{2}|v)(#[0-9a-fA-F]{2}|a)(#[0-9a-fA-F]{2}|S)/
        $b = /\/(#[0-9a-fA-F]{2}){3,}/
    condition:
        uint32(0) == 0x46445025 and any of them
}

rule lnk_command_execution
{
    meta:
        description = "Windows shortcut (LNK) launching a script interpreter"
        severity = "high"
        score = 600
        attack = "T1204.002,T1547.009"
    strings:
        $i1 = "powershell" nocase wide ascii
        $i2 = "cmd.exe" nocase wide ascii
        $i3 = "mshta" nocase wide ascii
        $i4 = "wscript" nocase wide ascii
        $i5 = "rundll32" nocase wide ascii
        $i6 = "certutil" nocase wide ascii
        $i7 = "bitsadmin" nocase wide ascii
    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and any of them
}

rule lnk_long_arguments
{
    meta:
        description = "Windows shortcut with very long whitespace-padded arguments (hides the command)"
        severity = "medium"
        score = 350
        attack = "T1027"
    strings:
        $pad = { 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 }
    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and #pad > 4
}

rule hta_script
{
    meta:
        description = "HTML application with script and shell access"
        severity = "medium"
        score = 400
        attack = "T1218.005"
    strings:
        $hta = "<HTA:APPLICATION" nocase
        $s = /(WScript\.Shell|Shell\.Application)/ nocase
    condition:
        $hta and $s
}

rule lolbin_download
{
    meta:
        description = "Living-off-the-land binary used to download or decode a payload"
        severity = "high"
        score = 550
        attack = "T1105,T1218"
    strings:
        $a = /certutil(\.exe)?\s+[^\n]{0,40}-urlcache\s+[^\n]{0,20}-f\s+http/ nocase ascii wide
        $b = /certutil(\.exe)?\s+-decode\s/ nocase ascii wide
        $c = /bitsadmin(\.exe)?\s+\/transfer\s/ nocase ascii wide
        $d = /mshta(\.exe)?\s+(vbscript|javascript|https?):/ nocase ascii wide
        $e = /regsvr32(\.exe)?\s+[^\n]{0,40}\/i:https?:/ nocase ascii wide
    condition:
        any of them
}
