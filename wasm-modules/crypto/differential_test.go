package cryptoscan

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The reference tools are the oracle: every digest must be byte-identical to what ssdeep, tlsh,
// md5sum, sha1sum, sha256sum and sha512sum print for the same file.

// simpleName keeps file names that every tool prints verbatim (no quoting or escaping).
var simpleName = regexp.MustCompile(`^[A-Za-z0-9._+-]+$`)

// buildCorpus writes generated samples into a temporary directory and adds real files from the
// machine. It returns absolute paths.
func buildCorpus(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewChaCha8([32]byte{'a', 't', 'h', 'e', 'n', 'a'}))
	var files []string
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// Edge sizes: tiny inputs, TLSH's 256-byte minimum, ssdeep's block-size boundaries
	// (3·2^k·64) and their neighbours.
	sizes := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 50, 63, 64, 100, 191, 192, 193, 254, 255, 256, 257, 300, 383, 384, 385, 511, 512, 513, 656, 657, 1000, 3199, 3200, 4095, 4096, 4097}
	for k := 2; k <= 14; k++ {
		edge := 3 << k * 64
		sizes = append(sizes, edge-1, edge, edge+1)
	}
	sizes = append(sizes, 1<<20+7)
	for _, n := range sizes {
		write("random-"+strconv.Itoa(n), random(n))
	}
	// Low-entropy and structured inputs: few triggers, smallest block sizes, empty TLSH buckets,
	// and inputs ending in a zero window (rolling hash 0 at the end).
	for _, n := range []int{100, 300, 1000, 5000, 70000} {
		write("zeros-"+strconv.Itoa(n), make([]byte, n))
		write("abc-"+strconv.Itoa(n), bytes.Repeat([]byte("abcdefg"), n/7+1)[:n])
		write("tailzero-"+strconv.Itoa(n), append(random(n), make([]byte, 16)...))
		text := make([]byte, 0, n)
		for len(text) < n {
			text = append(text, []byte(strconv.Itoa(rng.IntN(100000))+" lorem ipsum dolor\n")...)
		}
		write("text-"+strconv.Itoa(n), text[:n])
	}
	for i := range 20 {
		n := 256 + rng.IntN(200000)
		write("mixed-"+strconv.Itoa(i), append(bytes.Repeat([]byte{byte(i)}, rng.IntN(5000)), random(n)...))
	}

	// Real files from the machine: ELF binaries and shared data.
	for _, pattern := range []string{"/usr/bin/*", "/usr/share/*/*", "/usr/lib/x86_64-linux-gnu/*.so.*"} {
		matches, _ := filepath.Glob(pattern)
		slices.Sort(matches)
		taken := 0
		for i, m := range matches {
			if taken >= 30 {
				break
			}
			if i%3 != 0 || !simpleName.MatchString(filepath.Base(m)) || strings.ContainsAny(m, " \"'") {
				continue
			}
			st, err := os.Stat(m)
			// Size-capped so the suite stays fast under -race; generated inputs cover the
			// large block sizes.
			if err != nil || !st.Mode().IsRegular() || st.Size() > 1<<20 {
				continue
			}
			if f, err := os.Open(m); err != nil {
				continue
			} else {
				f.Close()
			}
			files = append(files, m)
			taken++
		}
	}
	return files
}

func requireTool(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("reference tool %s not installed (make test-deps installs it)", n)
		}
	}
}

// parseSums parses md5sum-style output: "<hex>  <path>".
func parseSums(t *testing.T, out []byte) map[string]string {
	t.Helper()
	m := map[string]string{}
	for line := range strings.Lines(string(out)) {
		sum, path, ok := strings.Cut(strings.TrimRight(line, "\n"), "  ")
		if !ok {
			t.Fatalf("unexpected sum line %q", line)
		}
		m[path] = sum
	}
	return m
}

// parseSSDeep parses `ssdeep -s` output: a header, then `digest,"path"` lines.
func parseSSDeep(t *testing.T, out []byte) map[string]string {
	t.Helper()
	m := map[string]string{}
	for line := range strings.Lines(string(out)) {
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, "ssdeep,") || line == "" {
			continue
		}
		digest, quoted, ok := strings.Cut(line, ",\"")
		if !ok || !strings.HasSuffix(quoted, "\"") {
			t.Fatalf("unexpected ssdeep line %q", line)
		}
		m[strings.TrimSuffix(quoted, "\"")] = digest
	}
	return m
}

// tlshTool runs `tlsh -f` and returns the digest, or "" when the tool prints none.
func tlshTool(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("tlsh", "-f", path).Output()
	if err != nil {
		t.Fatalf("tlsh -f %s: %v", path, err)
	}
	line := strings.TrimRight(string(out), "\n")
	if line == "" {
		return ""
	}
	digest, p, ok := strings.Cut(line, "\t")
	if !ok || p != path {
		t.Fatalf("unexpected tlsh output %q", line)
	}
	return digest
}

func TestDifferentialHashes(t *testing.T) {
	requireTool(t, "ssdeep", "tlsh", "md5sum", "sha1sum", "sha256sum", "sha512sum")
	files := buildCorpus(t)
	if len(files) < 100 {
		t.Fatalf("corpus too small: %d files", len(files))
	}
	run := func(name string, args ...string) []byte {
		out, err := exec.Command(name, append(args, files...)...).Output()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return out
	}
	ref := map[string]map[string]string{
		"md5":    parseSums(t, run("md5sum")),
		"sha1":   parseSums(t, run("sha1sum")),
		"sha256": parseSums(t, run("sha256sum")),
		"sha512": parseSums(t, run("sha512sum")),
		"ssdeep": parseSSDeep(t, run("ssdeep", "-s")),
	}
	tlshCount, total := 0, 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		total += len(data)
		got := Hash(data)
		wantTLSH := tlshTool(t, path)
		if wantTLSH != "" {
			tlshCount++
		}
		for _, c := range []struct{ algo, got string }{
			{"md5", got.MD5}, {"sha1", got.SHA1}, {"sha256", got.SHA256}, {"sha512", got.SHA512},
			{"ssdeep", got.SSDeep}, {"tlsh", got.TLSH},
		} {
			want := wantTLSH
			if c.algo != "tlsh" {
				var ok bool
				if want, ok = ref[c.algo][path]; !ok {
					t.Fatalf("%s printed nothing for %s", c.algo, path)
				}
			}
			if c.got != want {
				t.Errorf("%s %s (%d bytes):\n got %q\nwant %q", c.algo, path, len(data), c.got, want)
			}
		}
	}
	if tlshCount < len(files)/2 {
		t.Errorf("tlsh gave digests for only %d of %d files: corpus does not exercise TLSH", tlshCount, len(files))
	}
	t.Logf("%d files, %d bytes, agree with the reference tools (%d with a TLSH digest)", len(files), total, tlshCount)
}
