// Script obfuscation and injection in JavaScript and HTML.

rule js_eval_base64
{
    meta:
        description = "JavaScript eval of base64-decoded data"
        severity = "high"
        score = 600
        attack = "T1027,T1059.007"
    strings:
        $a = /eval\s*\(\s*atob\s*\(/ nocase
        $b = /eval\s*\(\s*(window\.)?unescape\s*\(/ nocase
        $c = /Function\s*\(\s*atob\s*\(/
    condition:
        any of them
}

rule js_eval_fromcharcode
{
    meta:
        description = "JavaScript eval of String.fromCharCode output"
        severity = "high"
        score = 550
        attack = "T1027,T1059.007"
    strings:
        $a = /eval\s*\(\s*String\.fromCharCode/ nocase
    condition:
        $a
}

rule js_hex_escape_obfuscation
{
    meta:
        description = "Dense \\xNN hex escape sequences typical of obfuscated script"
        severity = "medium"
        score = 300
        attack = "T1027"
    strings:
        $hex = /(\\x[0-9a-fA-F]{2}){16}/
    condition:
        #hex > 2
}

rule js_unicode_escape_obfuscation
{
    meta:
        description = "Dense %uNNNN or \\uNNNN escapes (heap-spray style shellcode)"
        severity = "high"
        score = 500
        attack = "T1027,T1203"
    strings:
        $pct = /(%u[0-9a-fA-F]{4}){8}/
        $bs = /(\\u[0-9a-fA-F]{4}){16}/
    condition:
        any of them
}

rule js_document_write_script
{
    meta:
        description = "document.write injecting a script or iframe tag"
        severity = "medium"
        score = 350
        attack = "T1059.007,T1189"
    strings:
        $a = /document\.write(ln)?\s*\(\s*["'][^"']{0,40}<\s*(script|iframe)/ nocase
        $b = /document\.write(ln)?\s*\(\s*unescape\s*\(/ nocase
    condition:
        any of them
}

rule js_hidden_iframe
{
    meta:
        description = "Zero-size or hidden iframe"
        severity = "medium"
        score = 300
        attack = "T1189"
    strings:
        $a = /<iframe[^>]{0,200}(width|height)\s*=\s*["']?0["'\s>]/ nocase
        $b = /<iframe[^>]{0,200}visibility\s*:\s*hidden/ nocase
    condition:
        any of them
}

rule js_activex_object
{
    meta:
        description = "ActiveXObject instantiation of a scripting or shell object"
        severity = "high"
        score = 500
        attack = "T1059.005,T1059.007"
    strings:
        $ax = "ActiveXObject" nocase
        $o1 = "WScript.Shell" nocase
        $o2 = "Scripting.FileSystemObject" nocase
        $o3 = "MSXML2.XMLHTTP" nocase
        $o4 = "ADODB.Stream" nocase
        $o5 = "Shell.Application" nocase
    condition:
        $ax and any of ($o*)
}

rule js_wscript_run
{
    meta:
        description = "WScript shell command execution"
        severity = "high"
        score = 500
        attack = "T1059.005"
    strings:
        $a = /\.Run\s*\(\s*["']?(cmd|powershell)/ nocase
        $b = "WScript.CreateObject" nocase
        $c = ".ShellExecute" nocase
    condition:
        $a or ($b and $c)
}

rule js_packer_dean_edwards
{
    meta:
        description = "Dean Edwards packer (eval(function(p,a,c,k,e,...)))"
        severity = "medium"
        score = 300
        attack = "T1027"
    strings:
        $a = /eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,\s*[dr]\s*\)/
    condition:
        $a
}

rule js_long_base64_blob
{
    meta:
        description = "Very long base64 blob passed to a decoder"
        severity = "low"
        score = 150
        attack = "T1027"
    strings:
        $a = /atob\s*\(\s*["'][A-Za-z0-9+\/]{200}/
    condition:
        $a
}
