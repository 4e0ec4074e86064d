package network

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// findMarkers returns the offsets of every occurrence of each pattern in all of b, in order,
// from markerFinder.
func findMarkers(b []byte, patterns [][]byte) [][]int {
	out := make([][]int, len(patterns))
	newMarkerFinder(patterns).find(b, 0, len(b), out)
	return out
}

// naiveMarkers is findMarkers written plainly: every offset where each pattern starts.
func naiveMarkers(b []byte, patterns [][]byte) [][]int {
	out := make([][]int, len(patterns))
	for pi, p := range patterns {
		for i := range b {
			if bytes.HasPrefix(b[i:], p) {
				out[pi] = append(out[pi], i)
			}
		}
	}
	return out
}

func markerPatterns() [][]byte { return append(append([][]byte{}, urlMarkers...), uaPrefixes...) }

// TestFindMarkers plants every URL marker and user-agent prefix at every alignment, back to
// back and at both ends: with more anchor bytes than the scan tests, some would be missed.
func TestFindMarkers(t *testing.T) {
	patterns := markerPatterns()
	var all []string
	for _, p := range patterns {
		all = append(all, string(p))
	}
	inputs := map[string]string{"empty": "", "short": "://", "back to back": strings.Join(all, "")}
	for k := range 9 {
		inputs["aligned "+strings.Repeat("x", k)] = strings.Repeat("x", k) + strings.Join(all, strings.Repeat("\x00", k))
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			got, want := findMarkers([]byte(in), patterns), naiveMarkers([]byte(in), patterns)
			for pi := range patterns {
				if len(got[pi]) == 0 && len(want[pi]) == 0 {
					continue
				}
				if !reflect.DeepEqual(got[pi], want[pi]) {
					t.Errorf("%q at %v, want %v", patterns[pi], got[pi], want[pi])
				}
			}
		})
	}
}

func FuzzFindMarkers(f *testing.F) {
	f.Add([]byte("hxxp[:]//x Mozilla/5.0 User-Agent: curl/8 WinHTTP (:)//"))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00:////PPP"))
	patterns := markerPatterns()
	f.Fuzz(func(t *testing.T, b []byte) {
		got, want := findMarkers(b, patterns), naiveMarkers(b, patterns)
		for pi := range patterns {
			if (len(got[pi]) != 0 || len(want[pi]) != 0) && !reflect.DeepEqual(got[pi], want[pi]) {
				t.Fatalf("%q at %v, want %v", patterns[pi], got[pi], want[pi])
			}
		}
	})
}
