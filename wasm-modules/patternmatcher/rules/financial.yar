// Crypto-miners and ransomware.

rule miner_pool_domains
{
    meta:
        description = "Cryptocurrency mining pool domains"
        severity = "high"
        score = 550
        attack = "T1496"
    strings:
        $d1 = "minexmr.com" nocase ascii wide
        $d2 = "supportxmr.com" nocase ascii wide
        $d3 = "nanopool.org" nocase ascii wide
        $d4 = "moneroocean.stream" nocase ascii wide
        $d5 = "hashvault.pro" nocase ascii wide
        $d6 = "2miners.com" nocase ascii wide
        $d7 = "f2pool.com" nocase ascii wide
        $d8 = "c3pool.com" nocase ascii wide
        $d9 = "herominers.com" nocase ascii wide
    condition:
        any of them
}

rule miner_stratum_protocol
{
    meta:
        description = "Stratum mining protocol URL"
        severity = "high"
        score = 550
        attack = "T1496"
    strings:
        $a = /stratum\+(tcp|ssl|tls):\/\/[a-z0-9.\-]+:[0-9]{2,5}/ nocase ascii wide
    condition:
        $a
}

rule miner_xmrig_strings
{
    meta:
        description = "XMRig miner strings and options"
        severity = "high"
        score = 600
        attack = "T1496"
    strings:
        $a = "xmrig" nocase ascii wide
        $b = "--donate-level" ascii wide
        $c = "randomx" nocase ascii wide
        $d = "cryptonight" nocase ascii wide
        $e = "\"nicehash\":" ascii
    condition:
        2 of them
}

rule ransom_note_text
{
    meta:
        description = "Ransom note wording"
        severity = "high"
        score = 650
        attack = "T1486"
    strings:
        $a = /your (important )?files (have been|are|were) encrypted/ nocase ascii wide
        $b = /(send|pay|transfer) [^\n]{0,40}bitcoin/ nocase ascii wide
        $c = "decrypt" nocase ascii wide
        $d = /\.onion\b/ nocase ascii wide
        $e = /(tor browser|torproject\.org)/ nocase ascii wide
        $f = /contact us/ nocase ascii wide
    condition:
        $a and ($b or $d or $e) and ($c or $f)
}

rule ransom_shadow_copy_delete
{
    meta:
        description = "Deletion of volume shadow copies or backups"
        severity = "critical"
        score = 800
        attack = "T1490"
    strings:
        $a = /vssadmin(\.exe)?\s+delete\s+shadows/ nocase ascii wide
        $b = /wmic(\.exe)?\s+shadowcopy\s+delete/ nocase ascii wide
        $c = /bcdedit(\.exe)?\s+\/set\s+\{default\}\s+recoveryenabled\s+no/ nocase ascii wide
        $d = /wbadmin(\.exe)?\s+delete\s+catalog/ nocase ascii wide
    condition:
        any of them
}

rule ransom_file_extension_list
{
    meta:
        description = "Long embedded list of document extensions to encrypt"
        severity = "medium"
        score = 350
        attack = "T1486"
    strings:
        $e1 = ".docx" nocase ascii wide
        $e2 = ".xlsx" nocase ascii wide
        $e3 = ".pptx" nocase ascii wide
        $e4 = ".sql" nocase ascii wide fullword
        $e5 = ".jpg" nocase ascii wide
        $e6 = ".mdb" nocase ascii wide
        $e7 = ".psd" nocase ascii wide
        $e8 = ".backup" nocase ascii wide
        $c = "CryptEncrypt" ascii wide
        $c2 = "BCryptEncrypt" ascii wide
    condition:
        6 of ($e*) and ($c or $c2)
}

rule crypto_wallet_address
{
    meta:
        description = "Bitcoin or Monero wallet address next to payment wording"
        severity = "medium"
        score = 300
        attack = "T1486,T1496"
    strings:
        $btc = /\b(bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,39}\b/
        $xmr = /\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/
        $w = /(wallet|bitcoin|btc|monero|payment)/ nocase
    condition:
        ($btc or $xmr) and $w
}
