package yara

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"

	"github.com/athena-mesh/athena/internal/windowfilter"
)

// The atom index finds every position where some atom ends. It replaces an Aho-Corasick
// automaton, whose loop takes a data-dependent branch per byte. Inside the guest every loop
// iteration carries a cost of its own (the Go wasm backend's code, and the host's deadline
// check at each loop head: a counter when the runtime has instrumented the module, a call into
// the runtime otherwise), so a byte-at-a-time automaton ran at a few MB/s there.
//
// Instead the scanner probes, at every position, the window of the last four bytes in a
// bitmap of hashed 4-byte atoms (3-byte atoms are entered once per possible preceding byte)
// and the last two bytes in an exact bitmap for 2-byte and 1-byte atoms: internal/windowfilter,
// which inside WASM the host runs over the filter in guest memory (athena.window_filter,
// guest.WindowFilter). Only the positions that pass are looked up exactly in a hash table of
// atoms and their entries verified.

type atomIndex struct {
	// filter has two bits per hashed window for 4-byte atoms and the 256 windows ending in
	// each 3-byte atom (Hashed), and a bit per 2-byte window that is a 2-byte atom or ends in
	// a 1-byte atom (Pairs).
	filter *windowfilter.Filter
	short  bool    // filter.Pairs is not empty
	has    [5]bool // has[n]: some atom is n bytes long
	// table is an open-addressing hash table from atom key to its entries.
	table   []atomSlot
	mask    uint32
	entries []atomEntry
	ids     []int32 // entry indexes grouped by atom, see atomSlot
}

// atomSlot is one atom in the table: key is the atom's bytes (first byte most significant)
// with its length in bits 32..34, and the atom's entries are ids[lo:hi].
type atomSlot struct {
	key    uint64
	lo, hi int32
}

func atomKey(atom []byte) uint64 {
	var w uint64
	for _, b := range atom {
		w = w<<8 | uint64(b)
	}
	return uint64(len(atom))<<32 | w
}

func newAtomIndex(atoms [][]byte, entries []atomEntry) *atomIndex {
	x := &atomIndex{filter: new(windowfilter.Filter), entries: entries}
	// Group entries by atom: sort (key, entry) pairs instead of a map of slices, which
	// allocates per atom.
	type keyed struct {
		key uint64
		id  int32
	}
	byKey := make([]keyed, len(atoms))
	for i, atom := range atoms {
		k := atomKey(atom)
		byKey[i] = keyed{k, int32(i)}
		w := uint32(k)
		x.has[len(atom)] = true
		switch len(atom) {
		case 4:
			x.add4(uint64(w))
		case 3:
			for b := uint64(0); b < 256; b++ {
				x.add4(b<<24 | uint64(w))
			}
		case 2:
			x.filter.AddPair(uint16(w))
			x.short = true
		case 1:
			for b := uint32(0); b < 256; b++ {
				x.filter.AddPair(uint16(b<<8 | w))
			}
			x.short = true
		}
	}
	slices.SortFunc(byKey, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	x.ids = make([]int32, len(byKey))
	var keys []uint64
	for i, kv := range byKey {
		x.ids[i] = kv.id
		if i == 0 || kv.key != byKey[i-1].key {
			keys = append(keys, kv.key)
		}
	}
	size := 1 << bits.Len(uint(2*len(keys)+1))
	x.table = make([]atomSlot, size)
	x.mask = uint32(size - 1)
	lo := 0
	for _, k := range keys {
		hi := lo
		for hi < len(byKey) && byKey[hi].key == k {
			hi++
		}
		x.table[x.slot(k)] = atomSlot{key: k, lo: int32(lo), hi: int32(hi)}
		lo = hi
	}
	return x
}

func (x *atomIndex) add4(w uint64) { x.filter.AddWindow(uint32(w)) }

// slot returns the table slot holding key, or the empty slot where it would go.
func (x *atomIndex) slot(key uint64) uint32 {
	i := uint32(key*0x9E3779B97F4A7C15>>32) & x.mask
	for x.table[i].key != 0 && x.table[i].key != key {
		i = (i + 1) & x.mask
	}
	return i
}

// lookup returns the entries of the atom with key, if it is one.
func (x *atomIndex) lookup(key uint64) []int32 {
	s := &x.table[x.slot(key)]
	if s.key != key {
		return nil
	}
	return x.ids[s.lo:s.hi]
}

// buildAtoms selects atoms for every string variant and indexes them; strings without a
// usable atom are verified at every offset and reported as slow.
func (rs *Rules) buildAtoms() {
	var atoms [][]byte
	var entries []atomEntry
	for si, s := range rs.strs {
		if s.same >= 0 {
			rs.dups = append(rs.dups, si)
			continue
		}
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
			if len(s.variants) == 1 && s.variants[0].prog != nil {
				if lead := s.variants[0].prog.lead; len(lead) > 1 && lead[0] == s.first && s.minLen >= len(lead) {
					s.skip = len(lead)
					for _, l := range lead {
						if l != s.first {
							s.skip = 0
						}
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
	rs.atoms = newAtomIndex(atoms, entries)
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
