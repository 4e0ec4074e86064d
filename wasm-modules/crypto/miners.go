package cryptoscan

import (
	"bytes"
	"strings"
)

// MinerIndicator is one cryptominer indicator.
type MinerIndicator struct {
	Kind   string // stratum_url, pool_domain, xmr_wallet, miner_software
	Value  string
	Offset int64
}

const (
	maxMinerIndicators = 64
	minRun             = 6
	// maxRun bounds one printable run; longer runs are cut, which can only split an indicator
	// at the cut.
	maxRun = 4096
)

// minerPools are registrable domains of public mining pools (suffix match on label boundaries).
func minerPools() []string {
	return []string{
		"supportxmr.com", "minexmr.com", "moneroocean.stream", "nanopool.org", "xmrpool.eu",
		"hashvault.pro", "c3pool.com", "c3pool.org", "f2pool.com", "2miners.com", "nicehash.com",
		"minergate.com", "herominers.com", "monerohash.com", "dwarfpool.com", "ethermine.org",
		"slushpool.com", "braiins.com", "viabtc.com", "antpool.com", "unmineable.com", "xmrig.com",
		"zergpool.com", "miningpoolhub.com", "p2pool.io", "gulf.moneroocean.stream", "pool.minexmr.com",
		"xmr.pool.minergate.com", "mine.c3pool.com", "monero.crypto-pool.fr", "crypto-pool.fr",
		"prohashing.com", "kryptex.network", "woolypooly.com", "flockpool.com",
	}
}

// minerSoftware are strings specific to mining software and its configuration.
func minerSoftware() []string {
	return []string{"xmrig", "cryptonight", "randomx", "--donate-level", "stratum+", "nicehash", "cpuminer", "minerd", "ccminer", "\"coin\": \"monero\""}
}

// FindMinerIndicators scans printable ASCII runs for stratum URLs, pool domains, Monero wallet
// addresses and mining-software strings. Each distinct value is reported once.
func FindMinerIndicators(data []byte) []MinerIndicator {
	var out []MinerIndicator
	seen := map[string]bool{}
	report := func(kind, value string, off int) {
		key := kind + "\x00" + value
		if seen[key] || len(out) >= maxMinerIndicators {
			return
		}
		seen[key] = true
		out = append(out, MinerIndicator{Kind: kind, Value: value, Offset: int64(off)})
	}
	pools := minerPools()
	software := minerSoftware()
	lower := make([]byte, 0, maxRun)
	// prefixes has a bit for the first two bytes of "stratum" and of every software string.
	var prefixes [1 << 16 / 64]uint64
	for _, p := range append([]string{"stratum"}, software...) {
		pair := uint16(p[0])<<8 | uint16(p[1])
		prefixes[pair/64] |= 1 << (pair % 64)
	}
	var stratumAt []int
	softwareAt := make([]int, len(software))
	for i := 0; i < len(data) && len(out) < maxMinerIndicators; {
		if !printable(data[i]) {
			i++
			continue
		}
		start := i
		for i < len(data) && printable(data[i]) && i-start < maxRun {
			i++
		}
		run := data[start:i]
		if len(run) < minRun {
			continue
		}
		lower = append(lower[:0], run...)
		for j, c := range lower {
			if 'A' <= c && c <= 'Z' {
				lower[j] = c + 'a' - 'A'
			}
		}
		// One pass over the run finds "stratum" and the software strings: a position is only
		// compared in full when its first two bytes start one of them.
		stratumAt = stratumAt[:0]
		for k := range softwareAt {
			softwareAt[k] = -1
		}
		for k := 0; k+1 < len(lower); k++ {
			pair := uint16(lower[k])<<8 | uint16(lower[k+1])
			if prefixes[pair/64]&(1<<(pair%64)) == 0 {
				continue
			}
			rest := lower[k:]
			if bytes.HasPrefix(rest, []byte("stratum")) {
				stratumAt = append(stratumAt, k)
			}
			for n, sw := range software {
				if softwareAt[n] < 0 && bytes.HasPrefix(rest, []byte(sw)) {
					softwareAt[n] = k
				}
			}
		}
		// Stratum URLs: stratum+tcp://, stratum+ssl://, stratum2+tcp:// ...
		for _, s := range stratumAt {
			if e := bytes.Index(lower[s:], []byte("://")); e > 0 && e <= 12 {
				end := s + e + 3
				for end < len(run) && urlByte(run[end]) {
					end++
				}
				if end > s+e+3 {
					report("stratum_url", string(run[s:end]), start+s)
				}
			}
		}
		// Pool domains: host-like tokens that end in a known pool domain.
		var hosts [][2]int
		if bytes.IndexByte(lower, '.') >= 0 {
			hosts = hostTokens(lower)
		}
		for _, tok := range hosts {
			host := string(lower[tok[0]:tok[1]])
			for _, p := range pools {
				if host == p || strings.HasSuffix(host, "."+p) {
					report("pool_domain", host, start+tok[0])
					break
				}
			}
		}
		// Monero addresses: base58 tokens of 95 (standard, subaddress) or 106 (integrated) chars.
		var addrs [][2]int
		if len(run) >= 95 {
			addrs = base58Tokens(run)
		}
		for _, tok := range addrs {
			addr := string(run[tok[0]:tok[1]])
			if MoneroAddress(addr) {
				report("xmr_wallet", addr, start+tok[0])
			}
		}
		for n, k := range softwareAt {
			if k >= 0 {
				report("miner_software", software[n], start+k)
			}
		}
	}
	return out
}

func printable(c byte) bool { return c >= 0x20 && c < 0x7f }

func urlByte(c byte) bool {
	return c > 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`' && c != ',' && c != ';'
}

func hostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}

// hostTokens returns [start, end) spans of lower-case host-like tokens containing a dot.
func hostTokens(s []byte) [][2]int {
	var spans [][2]int
	for i := 0; i < len(s); {
		if !hostByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && hostByte(s[j]) {
			j++
		}
		tok := bytes.Trim(s[i:j], ".-")
		if len(tok) >= 6 && bytes.IndexByte(tok, '.') > 0 {
			off := i + bytes.Index(s[i:j], tok)
			spans = append(spans, [2]int{off, off + len(tok)})
		}
		i = j
	}
	return spans
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Index is the digit value of c, or -1 when c is not in the alphabet (0, O, I and l
// are left out of it).
func base58Index(c byte) int {
	switch {
	case '1' <= c && c <= '9':
		return int(c - '1')
	case 'A' <= c && c <= 'H':
		return int(c-'A') + 9
	case 'J' <= c && c <= 'N':
		return int(c-'J') + 17
	case 'P' <= c && c <= 'Z':
		return int(c-'P') + 22
	case 'a' <= c && c <= 'k':
		return int(c-'a') + 33
	case 'm' <= c && c <= 'z':
		return int(c-'m') + 44
	}
	return -1
}

// base58Tokens returns spans of base58 runs exactly 95 or 106 characters long.
func base58Tokens(s []byte) [][2]int {
	var spans [][2]int
	for i := 0; i < len(s); {
		if base58Index(s[i]) < 0 {
			i++
			continue
		}
		j := i
		for j < len(s) && base58Index(s[j]) >= 0 {
			j++
		}
		if n := j - i; n == 95 || n == 106 {
			spans = append(spans, [2]int{i, j})
		}
		i = j
	}
	return spans
}

// MoneroAddress reports whether s is a mainnet Monero address (standard, subaddress or
// integrated) with a valid Keccak-256 checksum.
func MoneroAddress(s string) bool {
	if len(s) != 95 && len(s) != 106 || s[0] != '4' && s[0] != '8' {
		return false
	}
	raw, ok := moneroBase58Decode(s)
	if !ok || len(raw) < 5 {
		return false
	}
	switch raw[0] {
	case 18, 19, 42: // standard, integrated, subaddress
	default:
		return false
	}
	body, sum := raw[:len(raw)-4], raw[len(raw)-4:]
	h := keccak256(body)
	return bytes.Equal(h[:4], sum)
}

// moneroBase58Decode decodes Monero's block base58: 11-character blocks of 8 bytes, and a
// shorter final block whose length maps to a byte count.
func moneroBase58Decode(s string) ([]byte, bool) {
	encodedSizes := [...]int{0, 2, 3, 5, 6, 7, 9, 10, 11} // bytes n -> characters
	var out []byte
	for len(s) > 0 {
		chunk := s[:min(11, len(s))]
		s = s[len(chunk):]
		n := -1
		for bytesLen, chars := range encodedSizes {
			if chars == len(chunk) {
				n = bytesLen
			}
		}
		if n < 0 {
			return nil, false
		}
		var v uint64
		for i := 0; i < len(chunk); i++ {
			d := base58Index(chunk[i])
			if d < 0 {
				return nil, false
			}
			hi := v >> 32
			lo := (v&0xffffffff)*58 + uint64(d)
			hi = hi*58 + lo>>32
			if hi>>32 != 0 {
				return nil, false // overflow
			}
			v = hi<<32 | lo&0xffffffff
		}
		if n < 8 && v>>(8*n) != 0 {
			return nil, false
		}
		for i := n - 1; i >= 0; i-- {
			out = append(out, byte(v>>(8*i)))
		}
	}
	return out, true
}
