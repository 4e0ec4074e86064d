package analysisengine

import (
	"strings"
	"testing"
)

// firstStringByLoop is the plain search evidence.firstString replaces, kept as its oracle.
func firstStringByLoop(strs []string, v string) int {
	for i, s := range strs {
		if strings.Contains(strings.ToLower(s), v) {
			return i
		}
	}
	return -1
}

func FuzzFirstString(f *testing.F) {
	f.Add("SeDebugPrivilege\nvssadmin delete shadows\n\nreg add HKCU", "reg add")
	f.Add("abc\nbcd", "bc")
	f.Add("", "")
	f.Add("a\n\nb", "")
	f.Fuzz(func(t *testing.T, joined, term string) {
		if strings.ContainsRune(joined, 0) || strings.ContainsRune(term, 0) {
			t.Skip("strings and terms hold no NUL")
		}
		var strs []string
		if joined != "" {
			strs = strings.Split(joined, "\n")
		}
		term = strings.ToLower(term)
		e := newEvidence(nil, strs, nil)
		if got, want := e.firstString(term), firstStringByLoop(strs, term); got != want {
			t.Fatalf("firstString(%q) in %q = %d, want %d", term, strs, got, want)
		}
	})
}

// FuzzFirstMatches holds the one-pass search to strings.Index.
func FuzzFirstMatches(f *testing.F) {
	f.Add("xx vssadmin reg add vssadmin", "vssadmin", "reg add", "dd")
	f.Add("aaa", "aa", "a", "aaaa")
	f.Add("xx vssadmin reg add vssadmin", "vssadmin", "reg add", "ssad") // all four bytes or more: the window filter
	f.Fuzz(func(t *testing.T, s, t1, t2, t3 string) {
		var terms []string
		for _, term := range []string{t1, t2, t3} {
			if term != "" {
				terms = append(terms, term)
			}
		}
		hits := firstMatches(s, terms)
		for _, term := range terms {
			if got, want := hits[term], strings.Index(s, term); got != want {
				t.Fatalf("first match of %q in %q at %d, want %d", term, s, got, want)
			}
		}
	})
}
