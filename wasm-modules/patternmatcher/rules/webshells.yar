// PHP and ASP web shells.

rule php_eval_request
{
    meta:
        description = "PHP eval/assert of request data (web shell)"
        severity = "critical"
        score = 850
        attack = "T1505.003"
    strings:
        $a = /(eval|assert)\s*\(\s*(\$_(POST|GET|REQUEST|COOKIE|SERVER)|stripslashes\s*\(\s*\$_)/ nocase
    condition:
        $a
}

rule php_eval_decoded
{
    meta:
        description = "PHP eval of decoded or decompressed data"
        severity = "high"
        score = 650
        attack = "T1505.003,T1027"
    strings:
        $a = /eval\s*\(\s*(base64_decode|gzinflate|gzuncompress|str_rot13|strrev|gzdecode)\s*\(/ nocase
    condition:
        $a
}

rule php_system_request
{
    meta:
        description = "PHP command execution of request data"
        severity = "critical"
        score = 850
        attack = "T1505.003,T1059.004"
    strings:
        $a = /(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*\$_(POST|GET|REQUEST|COOKIE)/ nocase
    condition:
        $a
}

rule php_preg_replace_eval
{
    meta:
        description = "preg_replace with the /e modifier (code execution)"
        severity = "high"
        score = 600
        attack = "T1505.003"
    strings:
        $a = /preg_replace\s*\(\s*["'].{1,100}\/e["']/ nocase
    condition:
        $a
}

rule php_create_function_request
{
    meta:
        description = "create_function or call_user_func on request data"
        severity = "high"
        score = 600
        attack = "T1505.003"
    strings:
        $a = /(create_function|call_user_func(_array)?)\s*\([^)]{0,80}\$_(POST|GET|REQUEST|COOKIE)/ nocase
    condition:
        $a
}

rule php_known_webshell_names
{
    meta:
        description = "Strings of well-known PHP web shells (c99, r57, WSO, b374k)"
        severity = "critical"
        score = 900
        attack = "T1505.003"
    strings:
        $a = "c99shell" nocase
        $b = "r57shell" nocase
        $c = "WSO " fullword
        $d = "b374k" nocase
        $e = "FilesMan" fullword
    condition:
        any of them
}

rule asp_eval_request
{
    meta:
        description = "ASP/ASPX eval or execute of request data"
        severity = "critical"
        score = 850
        attack = "T1505.003"
    strings:
        $a = /(eval|execute)\s*\(?\s*request\s*[\(\.\[]/ nocase
    condition:
        $a
}
