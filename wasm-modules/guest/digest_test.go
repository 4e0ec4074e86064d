package guest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/athena-mesh/athena/internal/bytecount"
)

func TestSum(t *testing.T) {
	data := []byte("abc")
	for _, tc := range []struct {
		alg  Algorithm
		want string
	}{
		{MD5, "900150983cd24fb0d6963f7d28e17f72"},
		{SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	} {
		got := Sum(tc.alg, data)
		if hex.EncodeToString(got) != tc.want || len(got) != tc.alg.Size() {
			t.Errorf("Sum(%d) = %x, want %s", tc.alg, got, tc.want)
		}
	}
	// ssdeep -s and tlsh -f print these for the same bytes.
	text := bytes.Repeat([]byte("a fuzzy hash needs a few hundred bytes of text. "), 20)
	for alg, want := range map[Algorithm]string{
		SSDeep: "24:sA+gwgwgwgwgwgwgwgwgwgwgwgwgwgwgwgwgwgwgwgF:z+gwgwgwgwgwgwgwgwgwgwgwgwgwgwgd",
		TLSH:   "2011020C42659B92CD1DF2510191920125489257124A9069984454184C6A839049A59D",
	} {
		if got := string(Sum(alg, text)); got != want || len(got) > alg.Size() {
			t.Errorf("Sum(%d) = %q, want %q", alg, got, want)
		}
	}
	if got := Sum(TLSH, data); len(got) != 0 {
		t.Errorf("Sum(TLSH, abc) = %q, want empty: too short for a digest", got)
	}
	for _, alg := range []Algorithm{0, 8, 0xffffffff} {
		if got := Sum(alg, data); got != nil || alg.Size() != 0 {
			t.Errorf("Sum(%d) = %x, want nil", alg, got)
		}
	}
	empty := sha256.Sum256(nil)
	if got := Sum(SHA256, nil); !bytes.Equal(got, empty[:]) {
		t.Errorf("Sum(SHA256, nil) = %x", got)
	}
	// The sizes are those of the ABI table.
	if MD5.Size() != md5.Size || SHA1.Size() != sha1.Size || SHA512.Size() != sha512.Size {
		t.Error("sizes differ from the crypto packages")
	}
}

// TestCountBytes: ByteCounts, Histogram, CountBytes and Entropy agree with a plain count on both sides of
// the length from which a wasip1 guest asks the host.
func TestCountBytes(t *testing.T) {
	data := bytes.Repeat([]byte("counted\x00\xff by the host or the guest "), 100)
	for _, n := range []int{0, 1, hostCountMin - 1, hostCountMin, len(data)} {
		var want [256]uint64
		for _, c := range data[:n] {
			want[c]++
		}
		counts := want
		CountBytes(&counts, data[:n])
		for b := range counts {
			if counts[b] != 2*want[b] {
				t.Fatalf("CountBytes of %d bytes: byte %#x counted %d times, want %d", n, b, counts[b]-want[b], want[b])
			}
		}
		enc := Sum(ByteCounts, data[:n])
		if len(enc) != ByteCounts.Size() {
			t.Fatalf("Sum(ByteCounts) of %d bytes is %d bytes long", n, len(enc))
		}
		for b, c := range want {
			if got := binary.LittleEndian.Uint64(enc[8*b:]); got != c {
				t.Fatalf("Sum(ByteCounts) of %d bytes: byte %#x = %d, want %d", n, b, got, c)
			}
		}
		var h [256]uint64
		h[0] = 99 // Histogram sets, it does not add
		if Histogram(&h, data[:n]); h != want {
			t.Fatalf("Histogram of %d bytes differs from a plain count", n)
		}
		if got, want := Entropy(data[:n]), bytecount.Of(data[:n]); got != want {
			t.Errorf("Entropy of %d bytes = %v, want %v", n, got, want)
		}
	}
}
