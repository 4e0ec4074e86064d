package cryptoscan

import (
	"bytes"
	"encoding/binary"
	"encoding/pem"
	"reflect"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// referenceMinerIndicators is FindMinerIndicators as first written (crypto 1.2.0): a byte-at-a-time
// scan of every printable run, kept as the oracle for the faster scan.
func referenceMinerIndicators(data []byte) []MinerIndicator {
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
			hosts = referenceHostTokens(lower)
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
			addrs = referenceBase58Tokens(run)
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

// referenceHostTokens returns [start, end) spans of lower-case host-like tokens containing a dot.
func referenceHostTokens(s []byte) [][2]int {
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

// referenceBase58Tokens returns spans of base58 runs exactly 95 or 106 characters long.
func referenceBase58Tokens(s []byte) [][2]int {
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

// realBinaries returns the executables the scans are held to their references on: the Go
// Windows PE the pipeline benchmarks use, the go command and ls, where present.
func realBinaries(t *testing.T) map[string][]byte {
	return testutil.Executables(t, "/usr/local/go/bin/go", "/bin/ls")
}

// referenceConstants is ConstantScanner.Scan as first written: every position's first four
// bytes are looked up among the signatures' first words, and candidates compared in full.
func referenceConstants(s *ConstantScanner, data []byte) []ConstantMatch {
	byFirst := map[uint32][]int{}
	for ci, c := range s.consts {
		v := binary.LittleEndian.Uint32(c.sig)
		byFirst[v] = append(byFirst[v], ci)
	}
	found := make([]ConstantMatch, len(s.consts))
	for i := 0; i+4 <= len(data); i++ {
		for _, ci := range byFirst[binary.LittleEndian.Uint32(data[i:])] {
			c := &s.consts[ci]
			if len(data)-i < len(c.sig) || string(data[i:i+len(c.sig)]) != string(c.sig) {
				continue
			}
			m := &found[ci]
			if len(m.Offsets) < maxConstantOffsets {
				m.Offsets = append(m.Offsets, int64(i))
			}
			m.Count++
		}
	}
	var out []ConstantMatch
	for ci, m := range found {
		if m.Count == 0 {
			continue
		}
		c := s.consts[ci]
		m.ID, m.Algorithm, m.Name, m.Order, m.Cipher = "crypto."+c.id, c.algorithm, c.name, c.order, c.cipher
		out = append(out, m)
	}
	return out
}

// TestAnalyzeMatchesReference pins whole reports: Analyze on real executables equals Analyze
// running the plain reference scans, with and without passed digests. Both reports are fresh
// and never marshalled, so reflect.DeepEqual compares every field whichever generator built
// the guest's message types.
func TestAnalyzeMatchesReference(t *testing.T) {
	fast := New()
	ref := New()
	ref.scan = scans{
		entropies: referenceEntropies,
		constants: func(data []byte, _ *candidates) []ConstantMatch { return referenceConstants(ref.constants, data) },
		keys:      func(data []byte, _ *candidates) []Key { return referenceKeys(data) },
		miners:    func(data []byte, _ *candidates) []MinerIndicator { return referenceMinerIndicators(data) },
	}
	for name, data := range realBinaries(t) {
		for _, opts := range []map[string]string{nil, {"md5": "00112233445566778899aabbccddeeff"}} {
			t.Run(name, func(t *testing.T) {
				req := &modulev1.AnalyzeRequest{Content: data, Options: opts}
				want, err := ref.Analyze(req)
				if err != nil {
					t.Fatal(err)
				}
				got, err := fast.Analyze(req)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("report differs from the reference scans'\ngot  %v\nwant %v", got, want)
				}
			})
		}
	}
}

// printable is the reference's text byte: 0x20–0x7e (a tab ends a run).
func printable(c byte) bool { return c >= 0x20 && c < 0x7f }

// referenceKeys is FindKeys as it was before the window filter found where keys may start
// (crypto 1.3.0): every "-----BEGIN " and every 0x30 byte found by scanning the whole sample.
func referenceKeys(data []byte) []Key {
	var keys []Key
	for off := 0; off < len(data) && len(keys) < maxKeys; {
		i := bytes.Index(data[off:], []byte("-----BEGIN "))
		if i < 0 {
			break
		}
		start := off + i
		off = start + len("-----BEGIN ")
		// pem.Decode skips malformed blocks and returns a later one, which would get this
		// block's offset: hand it exactly one BEGIN ... END line.
		endMark := bytes.Index(data[off:], []byte("-----END "))
		if endMark < 0 {
			break
		}
		endMark += off
		if next := bytes.Index(data[off:endMark], []byte("-----BEGIN ")); next >= 0 {
			continue // a BEGIN without its END; the next iteration starts at the inner one
		}
		lineEnd := bytes.IndexByte(data[endMark:], '\n')
		if lineEnd < 0 {
			lineEnd = len(data)
		} else {
			lineEnd += endMark + 1
		}
		block, _ := pem.Decode(data[start:lineEnd])
		if block == nil {
			continue
		}
		k := parsePEM(block)
		k.Offset = int64(start)
		keys = append(keys, k)
		off = lineEnd
	}

	attempts := 0
	for i := 0; i+3 <= len(data) && len(keys) < maxKeys && attempts < maxDERAttempts; i++ {
		j := bytes.IndexByte(data[i:], 0x30)
		if j < 0 {
			break
		}
		if i += j; i+3 > len(data) {
			break
		}
		// A SEQUENCE with a long-form length: one length byte (0x81) for small keys and
		// certificates, two (0x82) for most.
		var n, hdr int
		switch data[i+1] {
		case 0x81:
			n, hdr = int(data[i+2]), 3
		case 0x82:
			if i+4 > len(data) {
				continue
			}
			n, hdr = int(data[i+2])<<8|int(data[i+3]), 4
		default:
			continue
		}
		end := i + hdr + n
		if n < 64 || end > len(data) || !derCandidate(data[i+hdr:end]) {
			continue
		}
		attempts++
		if k, ok := parseDER(data[i:end]); ok {
			k.Offset = int64(i)
			keys = append(keys, k)
			i = end - 1
		}
	}
	return keys
}
