package yara

import (
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
	rs       *Rules
	data     []byte
	matches  [][]match
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

// Scan matches the rules against data.
func (rs *Rules) Scan(data []byte, opt ScanOptions) *Result {
	s := &scanState{rs: rs, data: data, matches: make([][]match, len(rs.strs)), deadline: opt.Deadline, anon: -1}
	s.vm.reset(rs.maxVMInsts + 1)
	s.search()
	for i := range s.matches {
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
	s.rules = make([]int8, len(rs.rules))
	// Global rules gate every rule of their namespace.
	failedNS := map[string]bool{}
	for i, r := range rs.rules {
		if r.Global && !s.evalRule(i) {
			failedNS[r.ns] = true
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

// search runs the automaton over data and verifies candidates, then the slow strings.
func (s *scanState) search() {
	ac := s.rs.ac
	data := s.data
	dense, nDense, outOff := ac.dense, ac.nDense, ac.outOff
	state := int32(0)
	// The clock is sampled once per chunk; the inner loop is one table lookup per byte while
	// the automaton stays in its dense shallow states.
	const chunk = 1 << 16
	for base := 0; base < len(data); base += chunk {
		if s.checkTime(chunk) {
			return
		}
		end := min(base+chunk, len(data))
		for i := base; i < end; i++ {
			c := data[i]
			if state < nDense {
				state = dense[int(state)<<8|int(c)]
			} else {
				state = ac.next(state, c)
			}
			lo, hi := outOff[state], outOff[state+1]
			if lo == hi {
				continue
			}
			for _, e := range ac.outs[lo:hi] {
				ent := ac.entries[e]
				start := i + 1 - int(ac.alen[e]) - int(ent.back)
				if start < 0 {
					continue
				}
				s.verify(int(ent.str), int(ent.variant), start)
			}
			s.work += int(hi - lo)
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
	if len(s.matches[si]) < MaxStringMatches {
		s.matches[si] = append(s.matches[si], match{start, n})
	}
}
