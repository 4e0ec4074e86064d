package yara

import "fmt"

// automaton is an Aho-Corasick automaton compiled to a full transition table, so scanning is
// one table lookup per byte.
type automaton struct {
	delta   []int32 // state<<8 | byte -> state
	outOff  []int32 // outputs of state s are outs[outOff[s]:outOff[s+1]]
	outs    []int32 // indexes into entries
	entries []atomEntry
	alen    []int32 // atom length per entry
}

type trieNode struct {
	next map[byte]int32
	out  []int32
	fail int32
}

func newAutomaton(atoms [][]byte, entries []atomEntry) *automaton {
	nodes := []trieNode{{next: map[byte]int32{}}}
	a := &automaton{entries: entries}
	for i, atom := range atoms {
		s := int32(0)
		for _, b := range atom {
			n, ok := nodes[s].next[b]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, trieNode{next: map[byte]int32{}})
				nodes[s].next[b] = n
			}
			s = n
		}
		nodes[s].out = append(nodes[s].out, int32(i))
		a.alen = append(a.alen, int32(len(atom)))
	}
	a.delta = make([]int32, len(nodes)*256)
	queue := []int32{}
	for c := 0; c < 256; c++ {
		if n, ok := nodes[0].next[byte(c)]; ok {
			a.delta[c] = n
			nodes[n].fail = 0
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		nodes[s].out = append(nodes[s].out, nodes[f].out...)
		for c := 0; c < 256; c++ {
			if n, ok := nodes[s].next[byte(c)]; ok {
				a.delta[int(s)<<8|c] = n
				nodes[n].fail = a.delta[int(f)<<8|c]
				queue = append(queue, n)
			} else {
				a.delta[int(s)<<8|c] = a.delta[int(f)<<8|c]
			}
		}
	}
	a.outOff = make([]int32, len(nodes)+1)
	for i, n := range nodes {
		a.outOff[i] = int32(len(a.outs))
		a.outs = append(a.outs, n.out...)
	}
	a.outOff[len(nodes)] = int32(len(a.outs))
	return a
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
