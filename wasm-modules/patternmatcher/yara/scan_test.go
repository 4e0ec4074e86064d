package yara

import (
	"slices"
	"strings"
	"testing"
)

// TestScanShortcuts pins the scanner's shortcuts against the plain semantics they replace (the
// wanted rule sets are what yara 4.2 prints for the same rules and data):
// strings defined twice are searched once, rules that need a match are skipped when none
// matched, and atoms of every length are found at the edges of the data and of the 32-byte
// probe blocks.
func TestScanShortcuts(t *testing.T) {
	src := `
rule a { strings: $x = "needle" condition: $x }
rule b { strings: $y = "needle" private condition: #y == 2 }
rule c { strings: $z = "needle" nocase condition: $z }
rule d { strings: $w = "needle" condition: not $w }
rule e { condition: filesize > 0 }
rule f { strings: $r = /ne+dle/ condition: $r and $r }
rule g { strings: $one = { 3D } condition: #one == 1 }
rule h { strings: $two = "Q!" condition: $two at 0 }
rule i { strings: $three = "%&*" condition: $three }
`
	rs, err := Compile([]Source{{Name: "s.yar", Text: src}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		want []string
	}{
		{name: "twice", data: "a needle and a needle", want: []string{"a", "b", "c", "e", "f"}},
		{name: "case", data: "NEEDLE", want: []string{"c", "d", "e"}},
		{name: "none", data: "nothing here", want: []string{"d", "e"}},
		{name: "empty", data: "", want: []string{"d"}},
		{name: "edges", data: "Q!" + strings.Repeat(".", 29) + "=" + strings.Repeat(".", 30) + "%&*", want: []string{"d", "e", "g", "h", "i"}},
		{name: "block boundary", data: strings.Repeat("-", 30) + "needle" + strings.Repeat("-", 60) + "%&*", want: []string{"a", "c", "e", "f", "i"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range rs.Scan([]byte(tc.data), ScanOptions{}).Rules {
				got = append(got, r.Rule)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("matched %v, want %v", got, tc.want)
			}
		})
	}
	// b's $y (private aside) and d's $w repeat a's $x; c's $z differs by nocase.
	if !slices.Equal(rs.dups, []int{1, 3}) {
		t.Errorf("dups %v, want [1 3]", rs.dups)
	}
}

// FuzzAtomIndex checks the atom index against trying every string at every offset: any
// occurrence the filter or the exact lookup missed shows up as a missing match.
func FuzzAtomIndex(f *testing.F) {
	src := `
rule one { strings: $a = { 3D } $b = "Q" condition: any of them }
rule two { strings: $a = "%u" $b = { 0A 0D } $c = "zZ" nocase condition: any of them }
rule three { strings: $a = "abc" $b = /x[0-9]y/ $c = { 41 ?? 43 } condition: any of them }
rule four { strings: $a = "needle" $b = "NeEdLe" nocase wide ascii $c = "hay" fullword
  $d = { 4D 5A [2-4] 50 45 } $e = /(foo|bar)baz/ $f = "key" xor $g = "secret" base64 condition: any of them }
rule five { strings: $a = /[A-Za-z0-9+\/]{6,}==/ $b = /\d{3}-\d{4}/ condition: any of them }
`
	rs, err := Compile([]Source{{Name: "f.yar", Text: src}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("Q=%u\n\rzZ abc x5y A_C needle N\x00e\x00E\x00d\x00L\x00e\x00 hay MZ..PE foobaz c2VjcmV0 abcdEF== 555-1234"))
	f.Add([]byte(strings.Repeat("-", 29) + "needle" + strings.Repeat("=", 33)))
	f.Add([]byte("Z"))
	// Atoms ending alone at the first and the last offset of a 32-byte block.
	f.Add([]byte(strings.Repeat("-", 32) + "Q" + strings.Repeat("-", 31+29) + "abc" + strings.Repeat("-", 40)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, naive := newScanState(rs), newScanState(rs)
		fast.data, naive.data = data, data
		fast.search()
		for si, cs := range rs.strs {
			for p := 0; p <= len(data); p++ {
				for vi := range cs.variants {
					naive.verify(si, vi, p)
				}
			}
		}
		for si, cs := range rs.strs {
			if cs.same >= 0 {
				continue
			}
			got, want := offsets(fast.matches[si]), offsets(naive.matches[si])
			if !slices.Equal(got, want) {
				t.Fatalf("string %s of rule %s: index found %v, every offset finds %v", cs.id, rs.rules[cs.rule].Name, got, want)
			}
		}
	})
}

// offsets returns the distinct match offsets, sorted.
func offsets(ms []match) []int {
	var out []int
	for _, m := range ms {
		out = append(out, m.off)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
