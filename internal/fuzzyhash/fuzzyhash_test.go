package fuzzyhash

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/yield"
)

// naiveSSDeep hashes every block size separately, the way the original spamsum did, and picks
// the block size like ssdeep 2.14. It is the oracle for both one-pass implementations in fuzzing.
func naiveSSDeep(data []byte) string {
	type block struct {
		digest      []byte
		pending     byte // character written at the last slot once the digest is full
		h, half     uint8
		halfPending byte
	}
	sums := make([]uint32, len(data))
	var window [7]byte
	var h1, h2, h3 uint32
	for i, c := range data {
		h2 = h2 - h1 + 7*uint32(c)
		h1 = h1 + uint32(c) - uint32(window[i%7])
		window[i%7] = c
		h3 = h3<<5 ^ uint32(c)
		sums[i] = h1 + h2 + h3
	}
	hashAt := func(i int) block {
		bs := uint32(3) << i
		b := block{h: 0x27, half: 0x27}
		for j, c := range data {
			b.h = (b.h*0x13 ^ c&63) & 63
			b.half = (b.half*0x13 ^ c&63) & 63
			if sums[j]%bs != bs-1 {
				continue
			}
			b.halfPending = ssdeepBase64[b.half]
			if len(b.digest) < 63 {
				b.digest = append(b.digest, ssdeepBase64[b.h])
				b.h = 0x27
				if len(b.digest) < 32 {
					b.half, b.halfPending = 0x27, 0
				}
			} else {
				b.pending = ssdeepBase64[b.h]
			}
		}
		return b
	}
	roll := h1 + h2 + h3
	bi := 0
	for uint64(3)<<bi*64 < uint64(len(data)) {
		bi++
	}
	for bi > 0 && len(hashAt(bi).digest) < 32 {
		bi--
	}
	b, next := hashAt(bi), hashAt(bi+1)
	var out bytes.Buffer
	fmt.Fprintf(&out, "%d:%s", 3<<bi, b.digest)
	if roll != 0 {
		out.WriteByte(ssdeepBase64[b.h])
	} else if b.pending != 0 {
		out.WriteByte(b.pending)
	}
	out.WriteByte(':')
	out.Write(next.digest[:min(len(next.digest), 31)])
	if roll != 0 {
		out.WriteByte(ssdeepBase64[next.half])
	} else if next.halfPending != 0 {
		out.WriteByte(next.halfPending)
	}
	return out.String()
}

var (
	ssdeepFormat = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9+/]{0,64}:[A-Za-z0-9+/]{0,32}$`)
	tlshFormat   = regexp.MustCompile(`^[0-9A-F]{70}$`)
)

func fuzzSeeds(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("a"))
	f.Add(bytes.Repeat([]byte("abcdefg"), 100))
	f.Add(make([]byte, 300))
	for _, n := range []int{255, 256, 1000, 20000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + i/13)
		}
		f.Add(b)
	}
}

func FuzzSSDeep(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		got := SSDeep(data)
		if !ssdeepFormat.MatchString(got) {
			t.Fatalf("malformed digest %q", got)
		}
		want := naiveSSDeep(data)
		if got != want {
			t.Fatalf("SSDeep and per-block-size digests differ:\n got %q\nwant %q", got, want)
		}
		// SSDeep answers most inputs from ssdeepNear: the path for the others is held to the
		// oracle too.
		if all := ssdeepAll(data, nil); all != want {
			t.Fatalf("ssdeepAll and per-block-size digests differ:\n got %q\nwant %q", all, want)
		}
	})
}

// TestSSDeepNearDeclines: ssdeepNear answers input whose block size is the guess or one of the
// two below it, and leaves the rest to ssdeepAll — input with few trigger points, such as a
// little varied data in a long run of zeros (no piece ends inside the zeros).
func TestSSDeepNearDeclines(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	varied := make([]byte, 1<<20)
	for i := range varied {
		varied[i] = byte(rng.Uint32())
	}
	sparse := make([]byte, 1<<20)
	copy(sparse, varied[:4096])
	for name, tc := range map[string]struct {
		data []byte
		near bool
	}{
		"varied": {varied, true},
		"sparse": {sparse, false},
		"short":  {varied[:5], true},
	} {
		got, ok := ssdeepNear(tc.data, nil)
		if ok != tc.near {
			t.Errorf("%s: ssdeepNear answered %v, want %v", name, ok, tc.near)
		}
		want := naiveSSDeep(tc.data)
		if ok && got != want {
			t.Errorf("%s: ssdeepNear %q, want %q", name, got, want)
		}
		if got := SSDeep(tc.data); got != want {
			t.Errorf("%s: SSDeep %q, want %q", name, got, want)
		}
	}
}

func FuzzTLSH(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 5 {
			var direct, paired [256]uint32
			c1, c2 := tlshCount(data, &direct, nil), tlshCountPaired(data, &paired)
			if c1 != c2 || direct != paired {
				t.Fatalf("paired tables disagree with direct mapping")
			}
		}
		got := TLSH(data)
		if got == "" {
			if len(data) >= tlshMinLength && entropy(data) > 6 && len(data) > 4096 {
				t.Fatalf("no digest for %d high-entropy bytes", len(data))
			}
			return
		}
		if len(data) < tlshMinLength || !tlshFormat.MatchString(got) {
			t.Fatalf("digest %q for %d bytes", got, len(data))
		}
		if again := TLSH(bytes.Clone(data)); again != got {
			t.Fatalf("not deterministic: %q then %q", got, again)
		}
	})
}

// TestTLSHPairedMatchesDirect pins the paired counting to the direct mapping where its
// alternating per-salt counters could go wrong: runs of one byte (successive positions bump the
// same counters), odd and even lengths, and the shortest inputs.
func TestTLSHPairedMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// runs is random bytes broken by runs of one byte, up to 4 KiB long, like PE padding.
	runs := func(n int) []byte {
		b := random(n)
		for i := 0; i < n; i += rng.IntN(8192) {
			fill := byte(rng.IntN(2) * 0xff)
			for j := i; j < min(n, i+rng.IntN(4096)); j++ {
				b[j] = fill
			}
		}
		return b
	}
	tests := map[string][]byte{
		"five bytes":    {1, 2, 3, 4, 5},
		"six bytes":     {0, 0, 0, 0, 0, 7},
		"zeros odd":     make([]byte, 4097),
		"ones even":     bytes.Repeat([]byte{0xff}, 4096),
		"random odd":    random(1<<20 + 7),
		"random even":   random(1 << 20),
		"runs odd":      runs(1<<20 + 1),
		"runs even":     runs(1<<20 + 2),
		"two alternate": bytes.Repeat([]byte{0, 0x90}, 3000),
	}
	p := newTLSHPairs()
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			var direct, paired [256]uint32
			c1, c2 := tlshCount(data, &direct, nil), tlshCountPairs(data, &paired, p, nil)
			if c1 != c2 {
				t.Errorf("checksum %#x, direct mapping %#x", c2, c1)
			}
			if direct != paired {
				t.Errorf("bucket counts differ from the direct mapping")
			}
		})
	}
}

// TestYielding: the Yielding variants give the plain digests and tell their point their
// progress: about once per yield.Bytes of input, on both TLSH counting paths (below and above
// the pair tables' minimum).
func TestYielding(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{300, yield.Bytes + 1, 3*yield.Bytes + 17, tlshPairTableMin + 5*yield.Bytes/2} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32() >> (rng.Uint32() % 8)) // skewed, so that pieces vary in length
		}
		yields := 0
		count := func() { yields++ }
		if got, want := TLSHYielding(data, yield.New(count)), TLSH(data); got != want {
			t.Errorf("%d bytes: TLSHYielding %q, TLSH %q", n, got, want)
		}
		// TLSH's windows end at bytes 4 to n-1, counted yield.Bytes at a time.
		if want := (n - 5) / yield.Bytes; yields != want {
			t.Errorf("%d bytes: TLSH yielded %d times, want %d", n, yields, want)
		}
		yields = 0
		if got, want := SSDeepYielding(data, yield.New(count)), SSDeep(data); got != want {
			t.Errorf("%d bytes: SSDeepYielding %q, SSDeep %q", n, got, want)
		}
		// ssdeep tells its progress at piece boundaries: never more often than yield.Bytes.
		if most := (n - 1) / yield.Bytes; yields > most || (n > 2*yield.Bytes && yields == 0) {
			t.Errorf("%d bytes: ssdeep yielded %d times, want at most %d and some", n, yields, most)
		}
	}
}

func TestSSDeepMatchesNaive(t *testing.T) {
	tests := map[string][]byte{
		"empty":   {},
		"short":   []byte("hello"),
		"zeros":   make([]byte, 100000),
		"pattern": bytes.Repeat([]byte("0123456789abcdef"), 40000),
		"sequence": func() []byte {
			b := make([]byte, 1<<20)
			for i := range b {
				b[i] = byte(i ^ i>>8 ^ i>>16)
			}
			return b
		}(),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if got, want := SSDeep(data), naiveSSDeep(data); got != want {
				t.Errorf("got %q want %q", got, want)
			}
		})
	}
}

// TestTLSHLengthSteps checks the length-code table against the reference formula compiled with
// the system C compiler and libm, at every step and one below it.
func TestTLSHLengthSteps(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	dir := t.TempDir()
	src := `#include <math.h>
#include <stdio.h>
#include <stdlib.h>
/* l_capturing of tlsh 3.4.4: logf in single precision, the rest in double. */
static int lcap(unsigned int len) {
  int i;
  if (len <= 656) i = (int)floor(logf((float)len) / 0.4054651);
  else if (len <= 3199) i = (int)floor(logf((float)len) / 0.26236426 - 8.72777);
  else i = (int)floor(logf((float)len) / 0.095310180 - 62.5472);
  return i & 0xFF;
}
int main(int argc, char **argv) {
  for (int a = 1; a < argc; a++) printf("%d\n", lcap((unsigned int)strtoul(argv[a], 0, 10)));
  return 0;
}
`
	if err := os.WriteFile(filepath.Join(dir, "l.c"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "l")
	if out, err := exec.Command("gcc", "-O0", "-o", bin, filepath.Join(dir, "l.c"), "-lm").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	var args []string
	var lengths []uint32
	for _, s := range tlshLengthSteps {
		for _, n := range []uint32{s - 1, s, s + 1} {
			if n > 0 {
				args = append(args, strconv.FormatUint(uint64(n), 10))
				lengths = append(lengths, n)
			}
		}
	}
	args = append(args, "4294967295")
	lengths = append(lengths, 4294967295)
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(out))
	if len(want) != len(lengths) {
		t.Fatalf("got %d answers for %d lengths", len(want), len(lengths))
	}
	for i, n := range lengths {
		if got := strconv.Itoa(int(tlshLengthCode(n))); got != want[i] {
			t.Errorf("length %d: code %s, reference %s", n, got, want[i])
		}
	}
}

// entropy is Shannon entropy in bits per byte.
func entropy(b []byte) float64 {
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(len(b))
			h -= p * math.Log2(p)
		}
	}
	return h
}
