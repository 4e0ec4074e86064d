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
