// Reverse shells and command interpreters.

rule reverse_shell_bash_devtcp
{
    meta:
        description = "Bash reverse shell over /dev/tcp"
        severity = "critical"
        score = 850
        attack = "T1059.004"
    strings:
        $a = /\/dev\/(tcp|udp)\/[0-9a-zA-Z.\-]{3,64}\/[0-9]{1,5}/
    condition:
        $a
}

rule reverse_shell_netcat
{
    meta:
        description = "Netcat executing a shell"
        severity = "critical"
        score = 800
        attack = "T1059.004"
    strings:
        $a = /\bnc(at)?(\.exe)?\s+(-[a-z]+\s+)*-e\s+(\/bin\/(ba)?sh|cmd(\.exe)?)/ nocase
        $b = /mkfifo\s+\/tmp\/[a-z0-9]+;\s*nc\s/
    condition:
        any of them
}

rule reverse_shell_python
{
    meta:
        description = "Python socket reverse shell"
        severity = "critical"
        score = 800
        attack = "T1059.006"
    strings:
        $s = "socket.socket(" ascii
        $d = "os.dup2(" ascii
        $p = /(pty\.spawn|subprocess\.call)\s*\(\s*\[?["']\/bin\/(ba)?sh/
    condition:
        all of them
}

rule reverse_shell_perl
{
    meta:
        description = "Perl socket reverse shell"
        severity = "critical"
        score = 800
        attack = "T1059"
    strings:
        $a = "use Socket;" ascii
        $b = /exec\s*\(\s*["']\/bin\/(ba)?sh\s+-i/
    condition:
        all of them
}

rule reverse_shell_powershell_tcp
{
    meta:
        description = "PowerShell TCP client reverse shell"
        severity = "critical"
        score = 800
        attack = "T1059.001"
    strings:
        $a = "System.Net.Sockets.TCPClient" nocase ascii wide
        $b = "GetStream()" nocase ascii wide
        $c = "iex" nocase fullword ascii wide
    condition:
        $a and $b and $c
}

rule shell_bind_socat
{
    meta:
        description = "socat exec of a shell"
        severity = "high"
        score = 650
        attack = "T1059.004"
    strings:
        $a = /socat\s+[^\n]{0,80}exec:['"]?(\/bin\/)?(ba)?sh/ nocase
    condition:
        $a
}

rule linux_persistence_cron_curl
{
    meta:
        description = "Download-and-execute piped to a shell"
        severity = "high"
        score = 550
        attack = "T1105,T1059.004"
    strings:
        $a = /(curl|wget)\s+[^\n|]{1,200}\|\s*(ba)?sh/
    condition:
        $a
}
