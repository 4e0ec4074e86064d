package yara

import (
	"math/bits"
	"sort"
	"time"

	"github.com/athena-mesh/athena/wasm-modules/guest"
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
	touched []int32
	hit     []bool
	// hitRules lists the rules in hit; order is the rules to evaluate, in rule order.
	hitRules []int
	order    []int
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
	for _, r := range s.hitRules {
		s.hit[r] = false
	}
	s.hitRules, s.order = s.hitRules[:0], s.order[:0]
	clear(s.rules)
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
	for _, si := range rs.dups {
		cs := rs.strs[si]
		if src := s.matches[cs.same]; len(src) > 0 {
			s.matches[si] = append(s.matches[si][:0], src...)
			s.touched = append(s.touched, int32(si))
			s.markHit(cs.rule)
		}
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
	// Only rules that may be true are visited: those whose condition does not need a string
	// match, and those with a matched string.
	s.order = append(s.order, rs.anyData...)
	for _, i := range s.hitRules {
		if rs.rules[i].needsMatch {
			s.order = append(s.order, i)
		}
	}
	if len(s.order) > len(rs.anyData) {
		sort.Ints(s.order)
	}
	for _, i := range s.order {
		r := rs.rules[i]
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
	// The clock is sampled once per chunk: the probe of a chunk cannot be interrupted.
	const chunk = 1 << 16
	for base := 0; base < len(data); base += chunk {
		end := min(base+chunk, len(data))
		// Charged by size, so a small sample does not read the clock (a host call) at all.
		if s.checkTime(end - base) {
			return
		}
		// Inside WASM the host probes the filter (athena.window_filter).
		guest.WindowFilter(x.filter, data, base, end, s.hostCandidates)
	}
	for _, si := range s.rs.slow {
		if s.slowString(si) {
			return
		}
	}
}

// slowString tries a string without atoms at every offset whose byte can start a match, 32
// offsets per loop iteration; it reports whether the deadline passed.
func (s *scanState) slowString(si int) bool {
	cs := s.rs.strs[si]
	data := s.data
	if len(cs.variants) == 0 {
		return false
	}
	last := len(data) - cs.minLen // the last offset a match can start at
	// next skips offsets known not to start a match: with a uniform lead (every match starts
	// with cs.skip bytes of cs.first), a byte outside it at p+j rules out p..p+j.
	next := 0
	for base := 0; base <= last; base += 32 {
		var hits uint64
		switch {
		case cs.minLen == 0:
			hits = 1<<32 - 1
		case base+32 <= len(data):
			hits = firstBits(&cs.first, (*[32]byte)(data[base:base+32]))
		default:
			for k := 0; base+k < len(data); k++ {
				hits |= (cs.first[data[base+k]>>6] >> (data[base+k] & 63) & 1) << k
			}
		}
		if base+31 > last {
			hits &= 1<<(last-base+1) - 1
		}
		for ; hits != 0; hits &= hits - 1 {
			p := base + bits.TrailingZeros64(hits)
			if p < next {
				continue
			}
			if cs.skip > 0 {
				j := 1
				for j < cs.skip && cs.first.has(data[p+j]) {
					j++
				}
				if j < cs.skip {
					next = p + j + 1
					continue
				}
			}
			for vi := range cs.variants {
				s.verify(si, vi, p)
			}
		}
		if s.checkTime(32) {
			return true
		}
	}
	if cs.minLen == 0 {
		// A pattern that can match empty also matches at the very end.
		for vi := range cs.variants {
			s.verify(si, vi, len(data))
		}
	}
	return false
}

// firstBits returns a mask with bit k set when d[k] is in set, computed without branches.
func firstBits(set *byteSet, d *[32]byte) uint64 {
	return set[d[0]>>6]>>(d[0]&63)&1<<0 |
		set[d[1]>>6]>>(d[1]&63)&1<<1 |
		set[d[2]>>6]>>(d[2]&63)&1<<2 |
		set[d[3]>>6]>>(d[3]&63)&1<<3 |
		set[d[4]>>6]>>(d[4]&63)&1<<4 |
		set[d[5]>>6]>>(d[5]&63)&1<<5 |
		set[d[6]>>6]>>(d[6]&63)&1<<6 |
		set[d[7]>>6]>>(d[7]&63)&1<<7 |
		set[d[8]>>6]>>(d[8]&63)&1<<8 |
		set[d[9]>>6]>>(d[9]&63)&1<<9 |
		set[d[10]>>6]>>(d[10]&63)&1<<10 |
		set[d[11]>>6]>>(d[11]&63)&1<<11 |
		set[d[12]>>6]>>(d[12]&63)&1<<12 |
		set[d[13]>>6]>>(d[13]&63)&1<<13 |
		set[d[14]>>6]>>(d[14]&63)&1<<14 |
		set[d[15]>>6]>>(d[15]&63)&1<<15 |
		set[d[16]>>6]>>(d[16]&63)&1<<16 |
		set[d[17]>>6]>>(d[17]&63)&1<<17 |
		set[d[18]>>6]>>(d[18]&63)&1<<18 |
		set[d[19]>>6]>>(d[19]&63)&1<<19 |
		set[d[20]>>6]>>(d[20]&63)&1<<20 |
		set[d[21]>>6]>>(d[21]&63)&1<<21 |
		set[d[22]>>6]>>(d[22]&63)&1<<22 |
		set[d[23]>>6]>>(d[23]&63)&1<<23 |
		set[d[24]>>6]>>(d[24]&63)&1<<24 |
		set[d[25]>>6]>>(d[25]&63)&1<<25 |
		set[d[26]>>6]>>(d[26]&63)&1<<26 |
		set[d[27]>>6]>>(d[27]&63)&1<<27 |
		set[d[28]>>6]>>(d[28]&63)&1<<28 |
		set[d[29]>>6]>>(d[29]&63)&1<<29 |
		set[d[30]>>6]>>(d[30]&63)&1<<30 |
		set[d[31]>>6]>>(d[31]&63)&1<<31
}

// hostCandidates is candidates for the blocks guest.WindowFilter found.
func (s *scanState) hostCandidates(base int, mask uint32) { s.candidates(base, uint64(mask)) }

// candidates looks up exactly the atoms ending at the positions base+k for the bits k set in
// hits (positions whose filter bits were set) and verifies their strings.
func (s *scanState) candidates(base int, hits uint64) {
	x := s.rs.atoms
	data := s.data
	for ; hits != 0; hits &= hits - 1 {
		j := base + bits.TrailingZeros64(hits)
		var w uint64
		if j >= 3 {
			w = uint64(data[j-3])<<24 | uint64(data[j-2])<<16 | uint64(data[j-1])<<8 | uint64(data[j])
		} else {
			for k := 0; k <= j; k++ {
				w = w<<8 | uint64(data[k])
			}
		}
		if x.filter.HashedPasses(w) != 0 {
			if j >= 3 && x.has[4] {
				s.atomAt(j, 4, w)
			}
			if j >= 2 && x.has[3] {
				s.atomAt(j, 3, w&0xffffff)
			}
		}
		if x.short && x.filter.PairPasses(w) != 0 {
			if j >= 1 && x.has[2] {
				s.atomAt(j, 2, w&0xffff)
			}
			if x.has[1] {
				s.atomAt(j, 1, w&0xff)
			}
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

// markHit records that rule r has a matched string.
func (s *scanState) markHit(r int) {
	if !s.hit[r] {
		s.hit[r] = true
		s.hitRules = append(s.hitRules, r)
	}
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
		s.markHit(cs.rule)
	}
	if len(s.matches[si]) < MaxStringMatches {
		s.matches[si] = append(s.matches[si], match{start, n})
	}
}
