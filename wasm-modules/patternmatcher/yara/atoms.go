package yara

import "fmt"

// automaton is an Aho-Corasick automaton. The root and its children (where a scan spends most
// of its time) have full 256-entry transition rows; deeper states keep sorted sparse children
// and a failure link, so a thousand rules with case-folded atoms stay a few MB instead of
// hundreds.
type automaton struct {
	dense   []int32 // state<<8 | byte -> state, for states < nDense
	nDense  int32
	kids    [][]kid // sparse children of deeper states
	fail    []int32
	outOff  []int32 // outputs of state s are outs[outOff[s]:outOff[s+1]]
	outs    []int32 // indexes into entries
	entries []atomEntry
	alen    []int32 // atom length per entry
}

type kid struct {
	b  byte
	to int32
}

type trieNode struct {
	kids  []kid // sorted by byte
	out   []int32
	depth int
}

func findKid(kids []kid, c byte) (int32, bool) {
	lo, hi := 0, len(kids)
	for lo < hi {
		m := (lo + hi) / 2
		if kids[m].b < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(kids) && kids[lo].b == c {
		return kids[lo].to, true
	}
	return 0, false
}

func newAutomaton(atoms [][]byte, entries []atomEntry) *automaton {
	nodes := []trieNode{{}}
	a := &automaton{entries: entries}
	for i, atom := range atoms {
		s := int32(0)
		for _, b := range atom {
			n, ok := findKid(nodes[s].kids, b)
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, trieNode{depth: nodes[s].depth + 1})
				k := nodes[s].kids
				pos := len(k)
				for pos > 0 && k[pos-1].b > b {
					pos--
				}
				k = append(k, kid{})
				copy(k[pos+1:], k[pos:])
				k[pos] = kid{b, n}
				nodes[s].kids = k
			}
			s = n
		}
		nodes[s].out = append(nodes[s].out, int32(i))
		a.alen = append(a.alen, int32(len(atom)))
	}
	// Renumber in BFS order so that the densely stored shallow states come first.
	order := []int32{0}
	for i := 0; i < len(order); i++ {
		for _, k := range nodes[order[i]].kids {
			order = append(order, k.to)
		}
	}
	id := make([]int32, len(nodes))
	for newID, old := range order {
		id[old] = int32(newID)
	}
	renum := make([]trieNode, len(nodes))
	for old, n := range nodes {
		for j := range n.kids {
			n.kids[j].to = id[n.kids[j].to]
		}
		renum[id[old]] = n
	}
	nodes = renum
	// Failure links in BFS order.
	a.fail = make([]int32, len(nodes))
	step := func(s int32, c byte) int32 {
		for {
			if k, ok := findKid(nodes[s].kids, c); ok {
				return k
			}
			if s == 0 {
				return 0
			}
			s = a.fail[s]
		}
	}
	for s := 0; s < len(nodes); s++ {
		for _, k := range nodes[s].kids {
			if s == 0 {
				a.fail[k.to] = 0
			} else {
				a.fail[k.to] = step(a.fail[s], k.b)
			}
		}
	}
	for s := 1; s < len(nodes); s++ {
		nodes[s].out = append(nodes[s].out, nodes[a.fail[s]].out...)
	}
	for a.nDense < int32(len(nodes)) && nodes[a.nDense].depth <= 1 {
		a.nDense++
	}
	a.dense = make([]int32, int(a.nDense)*256)
	for s := int32(0); s < a.nDense; s++ {
		for c := 0; c < 256; c++ {
			a.dense[int(s)<<8|c] = step(s, byte(c))
		}
	}
	a.kids = make([][]kid, len(nodes))
	for s := range nodes {
		a.kids[s] = nodes[s].kids
	}
	a.outOff = make([]int32, len(nodes)+1)
	for i, n := range nodes {
		a.outOff[i] = int32(len(a.outs))
		a.outs = append(a.outs, n.out...)
	}
	a.outOff[len(nodes)] = int32(len(a.outs))
	return a
}

// next is the automaton's transition function.
func (a *automaton) next(s int32, c byte) int32 {
	for {
		if s < a.nDense {
			return a.dense[int(s)<<8|int(c)]
		}
		for _, k := range a.kids[s] {
			if k.b == c {
				return k.to
			}
			if k.b > c {
				break
			}
		}
		s = a.fail[s]
	}
}

// buildAutomaton selects atoms for every string variant and builds the automaton; strings
// without a usable atom are verified at every offset and reported as slow.
func (rs *Rules) buildAutomaton() {
	var atoms [][]byte
	var entries []atomEntry
	for si, s := range rs.strs {
		var cands []atomCand
		usable := true
		for _, v := range s.variants {
			c := bestAtoms(v, v.node)
			if c.score < 2 || len(c.atoms) == 0 {
				usable = false
				break
			}
			cands = append(cands, c)
		}
		if !usable {
			rs.slow = append(rs.slow, si)
			for _, v := range s.variants {
				if v.prog != nil {
					s.first.union(firstSet(v.prog))
				} else if len(v.lit) > 0 {
					s.first.add(v.lit[0])
					if v.nocase {
						s.first.foldCase()
					}
				}
			}
			r := rs.rules[s.rule]
			def := r.Strings[0]
			for _, d := range r.Strings {
				if d.ID == s.id {
					def = d
				}
			}
			rs.warnings = append(rs.warnings, &Error{Warning: true, File: r.file, Line: def.Line, Col: def.Col, Rule: r.Name,
				Msg: fmt.Sprintf("string %q may slow down scanning: no usable atom", s.id)})
			continue
		}
		for vi, c := range cands {
			for _, atom := range c.atoms {
				atoms = append(atoms, atom)
				entries = append(entries, atomEntry{str: int32(si), variant: int32(vi), back: int32(c.back)})
			}
		}
	}
	rs.ac = newAutomaton(atoms, entries)
}

// firstSet returns the bytes a match of p can start with (all bytes if it can match empty).
func firstSet(p *prog) byteSet {
	var out byteSet
	seen := make([]bool, len(p.insts))
	stack := []int32{0}
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		in := &p.insts[pc]
		switch in.op {
		case iJmp:
			stack = append(stack, in.x)
		case iSplit:
			stack = append(stack, in.x, in.y)
		case iBOL, iEOL, iWordB, iNotWordB:
			stack = append(stack, pc+1)
		case iMatch:
			for i := range out {
				out[i] = ^uint64(0)
			}
			return out
		case iSet:
			out.union(p.sets[in.set])
		}
	}
	return out
}
