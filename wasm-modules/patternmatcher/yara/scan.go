package yara

import (
	"math/bits"
	"sort"
	"time"
)

// MaxStringMatches is how many matches per string the scanner keeps for conditions (YARA's
// YR_MAX_STRING_MATCHES).
const MaxStringMatches = 1000000

// ScanOptions bound one scan.
type ScanOptions struct {
	// Deadline stops the scan when passed; zero means none. The guest has no preemption, so the
	// scanner checks the clock inside its loops.
	Deadline time.Time
	// MaxRecorded caps the matches per string copied into the result (0: 16).
	MaxRecorded int
}

// Match is one occurrence of a string.
type Match struct {
	Offset int64
	Length int
	Data   []byte
}

// StringResult is the recorded matches of one string of a matching rule.
type StringResult struct {
	ID      string
	Total   int
	Matches []Match
}

// RuleResult is one matching rule.
type RuleResult struct {
	Rule      string
	Namespace string
	Tags      []string
	Meta      []Meta
	Strings   []StringResult
}

// Result is what a scan found.
type Result struct {
	Rules    []RuleResult
	TimedOut bool
}

type match struct {
	off int
	len int
}

type scanState struct {
	rs      *Rules
	data    []byte
	matches [][]match
	// touched lists the strings with matches, and hit the rules with a matched string, so
	// that per-scan work does not grow with the size of the ruleset (a loop iteration is
	// expensive in the guest).
	touched  []int32
	hit      []bool
	vm       vm
	deadline time.Time
	timedOut bool
	work     int
	rules    []int8 // 0 unknown, 1 true, 2 false
	modules  map[string]value
	vars     []loopVar
	anon     int
}

type loopVar struct {
	name string
	v    value
}

// checkTime reports whether the deadline has passed, sampling the clock every few thousand
// units of work.
func (s *scanState) checkTime(cost int) bool {
	if s.timedOut {
		return true
	}
	s.work += cost
	if s.work < 1<<16 && cost < 1<<16 {
		return false
	}
	s.work = 0
	if !s.deadline.IsZero() && time.Now().After(s.deadline) {
		s.timedOut = true
	}
	return s.timedOut
}

// newScanState returns scan scratch space sized for rs; Scan reuses it through rs.states.
func newScanState(rs *Rules) *scanState {
	s := &scanState{rs: rs, matches: make([][]match, len(rs.strs)), rules: make([]int8, len(rs.rules)), hit: make([]bool, len(rs.rules))}
	s.vm.reset(rs.maxVMInsts + 1)
	return s
}

// release clears what a scan left in s and returns it to the pool.
func (s *scanState) release() {
	for _, si := range s.touched {
		s.matches[si] = s.matches[si][:0]
	}
	s.touched = s.touched[:0]
	clear(s.rules)
	clear(s.hit)
	s.data, s.modules, s.vars = nil, nil, s.vars[:0]
	s.timedOut, s.work, s.anon = false, 0, -1
	s.rs.states.Put(s)
}

// Scan matches the rules against data. Several goroutines may scan with the same Rules.
func (rs *Rules) Scan(data []byte, opt ScanOptions) *Result {
	s := rs.states.Get().(*scanState)
	defer s.release()
	s.data, s.deadline, s.anon = data, opt.Deadline, -1
	s.search()
	for _, i := range s.touched {
		m := s.matches[i]
		if len(m) < 2 {
			continue
		}
		sort.Slice(m, func(a, b int) bool {
			if m[a].off != m[b].off {
				return m[a].off < m[b].off
			}
			return m[a].len > m[b].len
		})
		out := m[:1]
		for _, x := range m[1:] {
			if x.off != out[len(out)-1].off {
				out = append(out, x)
			}
		}
		s.matches[i] = out
	}
	res := &Result{}
	// Global rules gate every rule of their namespace.
	var failedNS map[string]bool
	for _, i := range rs.global {
		if !s.evalRule(i) {
			if failedNS == nil {
				failedNS = map[string]bool{}
			}
			failedNS[rs.rules[i].ns] = true
		}
	}
	recorded := opt.MaxRecorded
	if recorded <= 0 {
		recorded = 16
	}
	for i, r := range rs.rules {
		if failedNS[r.ns] || !s.evalRule(i) || r.Private {
			continue
		}
		rr := RuleResult{Rule: r.Name, Namespace: r.ns, Tags: r.Tags, Meta: r.Meta}
		for _, si := range r.strs {
			cs := rs.strs[si]
			ms := s.matches[si]
			if len(ms) == 0 || cs.private {
				continue
			}
			sr := StringResult{ID: cs.id, Total: len(ms)}
			for _, m := range ms {
				if len(sr.Matches) == recorded {
					break
				}
				end := m.off + m.len
				if m.len > 64 {
					end = m.off + 64
				}
				sr.Matches = append(sr.Matches, Match{Offset: int64(m.off), Length: m.len, Data: data[m.off:end]})
			}
			rr.Strings = append(rr.Strings, sr)
		}
		res.Rules = append(res.Rules, rr)
	}
	res.TimedOut = s.timedOut
	return res
}

// search finds atom occurrences with the atom index (see atoms.go) and verifies their
// strings, then tries the slow strings at every offset.
func (s *scanState) search() {
	x := s.rs.atoms
	data := s.data
	f4, f2, f1 := x.filter4, x.filter2, x.filter1
	// w is the window of the last four bytes, the newest in the low byte; bytes before the
	// data count as zero, and candidates that would start before it are dropped.
	var w uint32
	// The clock is sampled once per chunk. Blocks are sixteen bytes probed in straight-line
	// code: a loop iteration or taken branch is what costs most in the guest.
	const chunk, block = 1 << 16, 16
	for base := 0; base < len(data); base += chunk {
		if s.checkTime(chunk) {
			return
		}
		end := min(base+chunk, len(data))
		i := base
		if x.short {
			for ; i+block <= end; i += block {
				d := data[i : i+block : i+block]
				var acc uint64
				w = w<<8 | uint32(d[0])
				acc |= probeShort(f4, f2, f1, w) & 1 << 0
				w = w<<8 | uint32(d[1])
				acc |= probeShort(f4, f2, f1, w) & 1 << 1
				w = w<<8 | uint32(d[2])
				acc |= probeShort(f4, f2, f1, w) & 1 << 2
				w = w<<8 | uint32(d[3])
				acc |= probeShort(f4, f2, f1, w) & 1 << 3
				w = w<<8 | uint32(d[4])
				acc |= probeShort(f4, f2, f1, w) & 1 << 4
				w = w<<8 | uint32(d[5])
				acc |= probeShort(f4, f2, f1, w) & 1 << 5
				w = w<<8 | uint32(d[6])
				acc |= probeShort(f4, f2, f1, w) & 1 << 6
				w = w<<8 | uint32(d[7])
				acc |= probeShort(f4, f2, f1, w) & 1 << 7
				w = w<<8 | uint32(d[8])
				acc |= probeShort(f4, f2, f1, w) & 1 << 8
				w = w<<8 | uint32(d[9])
				acc |= probeShort(f4, f2, f1, w) & 1 << 9
				w = w<<8 | uint32(d[10])
				acc |= probeShort(f4, f2, f1, w) & 1 << 10
				w = w<<8 | uint32(d[11])
				acc |= probeShort(f4, f2, f1, w) & 1 << 11
				w = w<<8 | uint32(d[12])
				acc |= probeShort(f4, f2, f1, w) & 1 << 12
				w = w<<8 | uint32(d[13])
				acc |= probeShort(f4, f2, f1, w) & 1 << 13
				w = w<<8 | uint32(d[14])
				acc |= probeShort(f4, f2, f1, w) & 1 << 14
				w = w<<8 | uint32(d[15])
				acc |= probeShort(f4, f2, f1, w) & 1 << 15
				if acc != 0 {
					s.candidates(i, acc)
				}
			}
		} else {
			for ; i+block <= end; i += block {
				d := data[i : i+block : i+block]
				var acc uint64
				w = w<<8 | uint32(d[0])
				acc |= probe4(f4, w) & 1 << 0
				w = w<<8 | uint32(d[1])
				acc |= probe4(f4, w) & 1 << 1
				w = w<<8 | uint32(d[2])
				acc |= probe4(f4, w) & 1 << 2
				w = w<<8 | uint32(d[3])
				acc |= probe4(f4, w) & 1 << 3
				w = w<<8 | uint32(d[4])
				acc |= probe4(f4, w) & 1 << 4
				w = w<<8 | uint32(d[5])
				acc |= probe4(f4, w) & 1 << 5
				w = w<<8 | uint32(d[6])
				acc |= probe4(f4, w) & 1 << 6
				w = w<<8 | uint32(d[7])
				acc |= probe4(f4, w) & 1 << 7
				w = w<<8 | uint32(d[8])
				acc |= probe4(f4, w) & 1 << 8
				w = w<<8 | uint32(d[9])
				acc |= probe4(f4, w) & 1 << 9
				w = w<<8 | uint32(d[10])
				acc |= probe4(f4, w) & 1 << 10
				w = w<<8 | uint32(d[11])
				acc |= probe4(f4, w) & 1 << 11
				w = w<<8 | uint32(d[12])
				acc |= probe4(f4, w) & 1 << 12
				w = w<<8 | uint32(d[13])
				acc |= probe4(f4, w) & 1 << 13
				w = w<<8 | uint32(d[14])
				acc |= probe4(f4, w) & 1 << 14
				w = w<<8 | uint32(d[15])
				acc |= probe4(f4, w) & 1 << 15
				if acc != 0 {
					s.candidates(i, acc)
				}
			}
		}
		if i < end {
			s.candidates(i, 1<<(end-i)-1)
			for ; i < end; i++ {
				w = w<<8 | uint32(data[i])
			}
		}
	}
	for _, si := range s.rs.slow {
		cs := s.rs.strs[si]
		if len(cs.variants) == 0 {
			continue
		}
		for p := 0; p < len(data) && p+cs.minLen <= len(data); p++ {
			if !cs.first.has(data[p]) && cs.minLen > 0 {
				continue
			}
			for vi := range cs.variants {
				s.verify(si, vi, p)
			}
			if s.checkTime(64) {
				return
			}
		}
		if cs.minLen == 0 {
			// A pattern that can match empty also matches at the very end.
			for vi := range cs.variants {
				s.verify(si, vi, len(data))
			}
		}
	}
}

// probe4 returns the filter bit of window w in bit 0 (the other bits are noise).
func probe4(f *[filterWords]uint64, w uint32) uint64 {
	h := windowHash(w)
	word := f[h>>12&(filterWords-1)]
	return word >> (h & 63) & (word >> (h >> 6 & 63))
}

// probeShort is probe4 plus the exact filters of 2-byte and 1-byte atoms.
func probeShort(f4 *[filterWords]uint64, f2 *[1 << 16 / 64]uint64, f1 *[4]uint64, w uint32) uint64 {
	return probe4(f4, w) | f2[w&0xffff>>6]>>(w&63) | f1[w&0xff>>6]>>(w&63)
}

// candidates looks up exactly the atoms ending at the positions base+k for the bits k set in
// hits (positions whose filter bits were set) and verifies their strings.
func (s *scanState) candidates(base int, hits uint64) {
	x := s.rs.atoms
	data := s.data
	for ; hits != 0; hits &= hits - 1 {
		j := base + bits.TrailingZeros64(hits)
		var w uint32
		if j >= 3 {
			w = uint32(data[j-3])<<24 | uint32(data[j-2])<<16 | uint32(data[j-1])<<8 | uint32(data[j])
		} else {
			for k := 0; k <= j; k++ {
				w = w<<8 | uint32(data[k])
			}
		}
		if probe4(x.filter4, w)&1 != 0 {
			if j >= 3 && x.has[4] {
				s.atomAt(j, 4, uint64(w))
			}
			if j >= 2 && x.has[3] {
				s.atomAt(j, 3, uint64(w&0xffffff))
			}
		}
		if x.has[2] && j >= 1 && x.filter2[w&0xffff>>6]>>(w&63)&1 != 0 {
			s.atomAt(j, 2, uint64(w&0xffff))
		}
		if x.has[1] && x.filter1[w&0xff>>6]>>(w&63)&1 != 0 {
			s.atomAt(j, 1, uint64(w&0xff))
		}
	}
}

// atomAt verifies the entries of the n-byte atom with bytes key ending at position j.
func (s *scanState) atomAt(j, n int, key uint64) {
	x := s.rs.atoms
	ids := x.lookup(uint64(n)<<32 | key)
	for _, e := range ids {
		ent := x.entries[e]
		start := j + 1 - n - int(ent.back)
		if start < 0 {
			continue
		}
		s.verify(int(ent.str), int(ent.variant), start)
	}
	s.work += len(ids)
}

func fold(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 32
	}
	return b
}

func isAlnum(b byte) bool {
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

func (s *scanState) verify(si, vi, start int) {
	cs := s.rs.strs[si]
	v := &cs.variants[vi]
	data := s.data
	n := -1
	if v.prog == nil {
		if start+len(v.lit) > len(data) {
			return
		}
		w := data[start : start+len(v.lit)]
		if v.nocase {
			for i, c := range v.lit {
				if fold(c) != fold(w[i]) {
					return
				}
			}
		} else if string(w) != string(v.lit) {
			return
		}
		n = len(v.lit)
	} else {
		lead := v.prog.lead
		if start+len(lead) > len(data) {
			return
		}
		for k := range lead {
			if !lead[k].has(data[start+k]) {
				return
			}
		}
		n = s.vm.match(v.prog, data, start, v.limit)
		s.work += 16
		if n < 0 {
			return
		}
	}
	if cs.fullword {
		end := start + n
		if v.wide {
			if start >= 2 && isAlnum(data[start-2]) && data[start-1] == 0 {
				return
			}
			if end+1 < len(data) && isAlnum(data[end]) && data[end+1] == 0 {
				return
			}
		} else {
			if start >= 1 && isAlnum(data[start-1]) {
				return
			}
			if end < len(data) && isAlnum(data[end]) {
				return
			}
		}
	}
	if len(s.matches[si]) == 0 {
		s.touched = append(s.touched, int32(si))
		s.hit[cs.rule] = true
	}
	if len(s.matches[si]) < MaxStringMatches {
		s.matches[si] = append(s.matches[si], match{start, n})
	}
}
