package guest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"testing"
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
	for _, alg := range []Algorithm{0, 7, 0xffffffff} {
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
