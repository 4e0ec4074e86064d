package cryptoscan

import (
	"bytes"
	"math/bits"
	"sync"

	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/internal/windowfilter"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	"github.com/athena-mesh/athena/wasm-modules/internal/ascii"
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
	// minWallet is the length of the shortest Monero address.
	minWallet = 95
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
//
// Only runs of at least minRun bytes are looked at, which in executables is a tenth of the
// bytes or less; the host finds them (guest.TextRuns). Only the pieces of text holding one of
// minerAtoms are lowered and searched for words; the others only for wallets.
func FindMinerIndicators(data []byte) []MinerIndicator {
	atEnds := newPositions(len(data))
	guest.WindowFilter(minerFilter(), data, 0, len(data), func(base int, mask uint32) {
		for ; mask != 0; mask &= mask - 1 {
			atEnds.add(base + bits.TrailingZeros32(mask))
		}
	})
	return findMinerIndicators(data, atEnds)
}

// findMinerIndicators is FindMinerIndicators given atEnds, the positions where one
// of minerAtoms may end: every position where one does, and possibly others.
func findMinerIndicators(data []byte, atEnds *positions) []MinerIndicator {
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
	// poolEnds has a bit for the last two bytes of every pool domain.
	var poolEnds [1 << 16 / 64]uint64
	for _, p := range pools {
		pair := uint16(p[len(p)-2])<<8 | uint16(p[len(p)-1])
		poolEnds[pair/64] |= 1 << (pair % 64)
	}
	var stratumAt []int
	var hosts, addrs [][2]int
	softwareAt := make([]int, len(software))
	// words is false for a piece that holds none of minerAtoms: then it can hold no
	// stratum URL, pool domain or software string, and only wallets are looked for.
	scan := func(run []byte, start int, words bool) {
		if !words {
			scanWallets(run, start, &addrs, report)
			return
		}
		lower, _ = ascii.AppendLower(lower[:0], run)
		// One pass over the run finds "stratum" and the software strings: a position is only
		// compared in full when its first two bytes start one of them.
		stratumAt = stratumAt[:0]
		for k := range softwareAt {
			softwareAt[k] = -1
		}
		for k := 0; k+1 < len(lower); k++ {
			// Find the next candidate without calls, so the loop stays in WASM locals.
			for ; k+1 < len(lower); k++ {
				pair := uint16(lower[k])<<8 | uint16(lower[k+1])
				if prefixes[pair/64]&(1<<(pair%64)) != 0 {
					break
				}
			}
			if k+1 >= len(lower) {
				break
			}
			// Common pairs ("st", "ra", "mi") pass the filter often: compare the pair before
			// calling HasPrefix, which inside WASM costs far more than two byte compares.
			rest := lower[k:]
			if rest[0] == 's' && rest[1] == 't' && bytes.HasPrefix(rest, []byte("stratum")) {
				stratumAt = append(stratumAt, k)
			}
			for n, sw := range software {
				if softwareAt[n] < 0 && rest[0] == sw[0] && rest[1] == sw[1] && bytes.HasPrefix(rest, []byte(sw)) {
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
		hosts = hosts[:0]
		if bytes.IndexByte(lower, '.') >= 0 {
			hosts = hostTokens(hosts, lower)
		}
		for _, tok := range hosts {
			// Hosts are at least six bytes; few end in the last two bytes of a pool domain.
			host := lower[tok[0]:tok[1]]
			if pair := uint16(host[len(host)-2])<<8 | uint16(host[len(host)-1]); poolEnds[pair/64]&(1<<(pair%64)) != 0 &&
				poolHost(host, pools) {
				report("pool_domain", string(host), start+tok[0])
			}
		}
		scanWallets(run, start, &addrs, report)
		for n, k := range softwareAt {
			if k >= 0 {
				report("miner_software", software[n], start+k)
			}
		}
	}
	// The runs of text come from guest.TextRuns (the host, inside WASM), which counts a tab as
	// text: each is cut at its tabs, and what is left in pieces of at most maxRun bytes.
	guest.TextRuns(textruns.ASCII, minRun, data, func(from, to int) bool {
		// Most runs are shorter than a wallet and hold no atom: nothing in them can be an
		// indicator, so they are left without a look (in the Go PE, all but 80 of 5,200 runs).
		if n := atEnds.next(from + 3); to-from < minWallet && (n < 0 || n >= to) {
			return true
		}
		for s := from; s < to; {
			e := to
			if k := bytes.IndexByte(data[s:to], '\t'); k >= 0 {
				e = s + k
			}
			for p := s; e-p >= minRun && len(out) < maxMinerIndicators; p += maxRun {
				q := min(e, p+maxRun)
				n := atEnds.next(p + 3)
				scan(data[p:q], p, n >= 0 && n < q)
			}
			s = e + 1
		}
		return len(out) < maxMinerIndicators
	})
	return out
}

// scanWallets reports the Monero addresses in run, base58 tokens of 95 (standard,
// subaddress) or 106 (integrated) characters; addrs is scratch space.
func scanWallets(run []byte, start int, addrs *[][2]int, report func(kind, value string, off int)) {
	*addrs = (*addrs)[:0]
	if len(run) >= minWallet {
		*addrs = base58Tokens(*addrs, run)
	}
	for _, tok := range *addrs {
		addr := string(run[tok[0]:tok[1]])
		if MoneroAddress(addr) {
			report("xmr_wallet", addr, start+tok[0])
		}
	}
}

// minerAtoms are four-byte windows such that every stratum URL, software string and pool
// domain holds one (TestMinerAtoms checks it): "ratu" for "stratum", and for each other word a
// window of it that occurs nowhere, or least often, in 290 MB of executables (the Go PE, the go
// command and compiler, 400 programs of /usr/bin). The first atoms, each word's first four
// bytes or the four before a pool's last dot ("cryp", "rand", "pool", "hash", "able"), occur
// thousands of times in Go programs, and each occurrence in text made the scan lower and
// tokenize its piece.
func minerAtoms() []string {
	return []string{
		"ratu", // stratum
		// software
		"xmri", "onig", "domx", "--do", "ceha", "pumi", "nerd", "ccmi", "\"coi",
		// pools
		"txmr", "exmr", "ooce", "ol.o", "xmrp", "hvau", "c3po", "f2po", "2min", "rgat", "hero",
		"roha", "rfpo", "ne.o", "slus", "aiin", "iabt", "ol.c", "unmi", "zerg", "olhu", "p2po",
		"pto-", "kryp", "ooly", "kpoo",
	}
}

// minerFilter lets through, in any letter case, the windows of minerAtoms. A piece of text
// without one cannot produce a stratum URL, pool domain or software string, so it is not
// lowered and tokenized.
var minerFilter = sync.OnceValue(func() *windowfilter.Filter {
	atoms := minerAtoms()
	f := new(windowfilter.Filter)
	for _, a := range atoms {
		// Every upper/lower-case spelling of the atom's letters.
		for v := range 16 {
			var w uint32
			for i := range 4 {
				c := a[i]
				if v&(1<<i) != 0 && 'a' <= c && c <= 'z' {
					c -= 'a' - 'A'
				}
				w = w<<8 | uint32(c)
			}
			f.AddWindow(w)
		}
	}
	return f
})

// poolHost reports whether host is one of pools or a subdomain of one.
func poolHost(host []byte, pools []string) bool {
	for _, p := range pools {
		k := len(host) - len(p)
		if k >= 0 && string(host[k:]) == p && (k == 0 || host[k-1] == '.') {
			return true
		}
	}
	return false
}

func urlByte(c byte) bool {
	return c > 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`' && c != ',' && c != ';'
}

func hostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}

// hostTokens appends the [start, end) spans of lower-case host-like tokens containing a dot.
//
// Tokens shorter than six bytes are never reported, so the scan tests the byte five ahead
// first: when it is not a host byte, no such token starts before it.
func hostTokens(spans [][2]int, s []byte) [][2]int {
	const minHost = 6
	// i is always 0 or just after a byte that is not a host byte.
	for i := 0; i+minHost <= len(s); {
		if !hostByte(s[i+minHost-1]) {
			i += minHost
			continue
		}
		a, b := i+minHost-1, i+minHost
		for a > i && hostByte(s[a-1]) {
			a--
		}
		for b < len(s) && hostByte(s[b]) {
			b++
		}
		i = b + 1
		for a < b && (s[a] == '.' || s[a] == '-') {
			a++
		}
		for b > a && (s[b-1] == '.' || s[b-1] == '-') {
			b--
		}
		if b-a >= minHost && bytes.IndexByte(s[a:b], '.') > 0 {
			spans = append(spans, [2]int{a, b})
		}
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

// base58Tokens appends the spans of base58 runs exactly 95 or 106 characters long. Like
// hostTokens it tests the byte 94 ahead first: runs shorter than 95 are skipped unseen.
func base58Tokens(spans [][2]int, s []byte) [][2]int {
	const minAddr = 95
	// i is always 0 or just after a byte outside the alphabet.
	for i := 0; i+minAddr <= len(s); {
		if base58Index(s[i+minAddr-1]) < 0 {
			i += minAddr
			continue
		}
		a, b := i+minAddr-1, i+minAddr
		for a > i && base58Index(s[a-1]) >= 0 {
			a--
		}
		for b < len(s) && base58Index(s[b]) >= 0 {
			b++
		}
		if n := b - a; n == 95 || n == 106 {
			spans = append(spans, [2]int{a, b})
		}
		i = b + 1
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
