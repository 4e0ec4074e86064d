package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
)

// TestScanBatchesMatchSingleFiles: a directory of small files is scanned in batches (several
// files per module call); every file must get exactly the result, offsets included, that a
// scan of that file alone gives, and files above the batch size are scanned on their own.
func TestScanBatchesMatchSingleFiles(t *testing.T) {
	modules := testutil.ModulesDir(t)
	dir := t.TempDir()
	rules := filepath.Join(t.TempDir(), "r.yar")
	if err := os.WriteFile(rules, []byte(`
rule marker { strings: $a = "MARKER" $b = { 4D 5A ?? 00 } condition: any of them }
rule small { condition: filesize < 100 }
rule at_zero { strings: $m = "MARKER" condition: $m at 0 }
rule twice { strings: $m = "MARKER" condition: #m == 2 }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var files []string
	write := func(name string, b []byte) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	// More files than one batch holds, so batches end on the file count too.
	for i := range batchFiles + 40 {
		var b []byte
		switch i % 5 {
		case 0:
			b = []byte("MARKER at the start")
		case 1:
			b = fmt.Appendf(nil, "%s MARKER and MARKER", strings.Repeat("x", i))
		case 2:
			b = []byte("MZ\x90\x00 a header")
		case 3:
			b = bytes.Repeat([]byte("nothing here "), 20)
		}
		write(fmt.Sprintf("d%d/f%03d", i%3, i), b) // case 4: empty file
	}
	big := bytes.Repeat([]byte{'.'}, batchFileBytes+1)
	copy(big[1000:], "MARKER")
	write("big", big)

	parse := func(out string) map[string]scanResult {
		res := map[string]scanResult{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var r scanResult
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("bad --json line %q: %v", l, err)
			}
			if _, dup := res[r.Path]; dup {
				t.Fatalf("%s reported twice", r.Path)
			}
			res[r.Path] = r
		}
		return res
	}
	code, out, errOut := runCLI(t, "scan", "--json", "--modules-dir", modules, "--rules", rules, dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	batched := parse(out)
	if len(batched) != len(files) {
		t.Fatalf("%d files reported, want %d", len(batched), len(files))
	}
	code, out, errOut = runCLI(t, "scan", "--batch", "1", "--json", "--modules-dir", modules, "--rules", rules, dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	matched := 0
	for p, want := range parse(out) {
		got := batched[p]
		if !slices.EqualFunc(got.Matches, want.Matches, func(a, b scanMatch) bool {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			return bytes.Equal(ja, jb)
		}) {
			t.Errorf("%s: batched %+v, alone %+v", p, got.Matches, want.Matches)
		}
		matched += len(want.Matches)
	}
	if matched < len(files) {
		t.Errorf("only %d matches over %d files: the rules did not exercise the comparison", matched, len(files))
	}
}
