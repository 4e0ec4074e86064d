package cryptoscan

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"
)

// cTables is a C program holding real crypto tables (typed from the standards, not from this
// package) and code that uses them, compiled at test time into ELF and PE binaries.
const cTables = `#include <stdint.h>
#include <string.h>
const unsigned char aes_sbox[256] = {
 0x63,0x7c,0x77,0x7b,0xf2,0x6b,0x6f,0xc5,0x30,0x01,0x67,0x2b,0xfe,0xd7,0xab,0x76,
 0xca,0x82,0xc9,0x7d,0xfa,0x59,0x47,0xf0,0xad,0xd4,0xa2,0xaf,0x9c,0xa4,0x72,0xc0};
const unsigned char aes_inv[256] = {
 0x52,0x09,0x6a,0xd5,0x30,0x36,0xa5,0x38,0xbf,0x40,0xa3,0x9e,0x81,0xf3,0xd7,0xfb,
 0x7c,0xe3,0x39,0x82,0x9b,0x2f,0xff,0x87,0x34,0x8e,0x43,0x44,0xc4,0xde,0xe9,0xcb};
const uint32_t te0[256] = {0xc66363a5,0xf87c7c84,0xee777799,0xf67b7b8d,0xfff2f20d,0xd66b6bbd,0xde6f6fb1,0x91c5c554};
const uint32_t td0[256] = {0x51f4a750,0x7e416553,0x1a17a4c3,0x3a275e96,0x3bab6bcb,0x1f9d45f1,0xacfa58ab,0x4be30393};
const uint32_t md5_t[64] = {0xd76aa478,0xe8c7b756,0x242070db,0xc1bdceee,0xf57c0faf,0x4787c62a,0xa8304613,0xfd469501,
 0x698098d8,0x8b44f7af,0xffff5bb1,0x895cd7be,0x6b901122,0xfd987193,0xa679438e,0x49b40821};
const uint32_t sha1_init[5] = {0x67452301,0xefcdab89,0x98badcfe,0x10325476,0xc3d2e1f0};
const uint32_t sha1_k[4] = {0x5a827999,0x6ed9eba1,0x8f1bbcdc,0xca62c1d6};
const uint32_t sha256_init[8] = {0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19};
const uint64_t sha512_init[8] = {0x6a09e667f3bcc908ULL,0xbb67ae8584caa73bULL,0x3c6ef372fe94f82bULL,0xa54ff53a5f1d36f1ULL,
 0x510e527fade682d1ULL,0x9b05688c2b3e6c1fULL,0x1f83d9abfb41bd6bULL,0x5be0cd19137e2179ULL};
/* SHA-256 round constants stored big-endian, as byte-oriented code does. */
const unsigned char sha256_k_be[32] = {0x42,0x8a,0x2f,0x98,0x71,0x37,0x44,0x91,0xb5,0xc0,0xfb,0xcf,0xe9,0xb5,0xdb,0xa5,
 0x39,0x56,0xc2,0x5b,0x59,0xf1,0x11,0xf1,0x92,0x3f,0x82,0xa4,0xab,0x1c,0x5e,0xd5};
const uint32_t crc_table[256] = {0x00000000,0x77073096,0xee0e612c,0x990951ba,0x076dc419,0x706af48f,0xe963a535,0x9e6495a3,0x0edb8832};
const uint32_t bf_p[18] = {0x243f6a88,0x85a308d3,0x13198a2e,0x03707344,0xa4093822,0x299f31d0,0x082efa98,0xec4e6c89,
 0x452821e6,0x38d01377,0xbe5466cf,0x34e90c6c,0xc0ac29b7,0xc97c50dd,0x3f84d5b5,0xb5470917,0x9216d5d9,0x8979fb1b};
const uint32_t bf_s0[4] = {0xd1310ba6,0x98dfb5ac,0x2ffd72db,0xd01adfb7};
static const char sigma[] = "expand 32-byte k";
void tea_encrypt(uint32_t v[2], const uint32_t k[4]) {
  uint32_t v0 = v[0], v1 = v[1], sum = 0;
  for (int i = 0; i < 32; i++) {
    sum += 0x9e3779b9;
    v0 += ((v1 << 4) + k[0]) ^ (v1 + sum) ^ ((v1 >> 5) + k[1]);
    v1 += ((v0 << 4) + k[2]) ^ (v0 + sum) ^ ((v0 >> 5) + k[3]);
  }
  v[0] = v0; v[1] = v1;
}
/* An RC4 key schedule that starts from a stored identity permutation. */
static const unsigned char rc4_identity[256] = {
#define R16(b) b,b+1,b+2,b+3,b+4,b+5,b+6,b+7,b+8,b+9,b+10,b+11,b+12,b+13,b+14,b+15
 R16(0),R16(16),R16(32),R16(48),R16(64),R16(80),R16(96),R16(112),
 R16(128),R16(144),R16(160),R16(176),R16(192),R16(208),R16(224),R16(240)};
void rc4_init(unsigned char S[256], const unsigned char *key, int len) {
  memcpy(S, rc4_identity, 256);
  for (int i = 0, j = 0; i < 256; i++) { j = (j + S[i] + key[i % len]) & 255; unsigned char t = S[i]; S[i] = S[j]; S[j] = t; }
}
volatile const void *keep[] = {aes_sbox, aes_inv, te0, td0, md5_t, sha1_init, sha1_k, sha256_init, sha512_init,
 sha256_k_be, crc_table, bf_p, bf_s0, sigma, rc4_identity, (const void *)rc4_init, (const void *)tea_encrypt};
int main(void) { return keep[0] != 0 ? 0 : 1; }
`

func constantIDs(ms []ConstantMatch) []string {
	var ids []string
	for _, m := range ms {
		id := m.ID
		if m.Order != "" {
			id += "/" + m.Order
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestConstantsInCompiledPrograms(t *testing.T) {
	want := []string{
		"crypto.aes_sbox", "crypto.aes_inv_sbox", "crypto.aes_te/le", "crypto.aes_td/le",
		"crypto.sha256_iv/le", "crypto.sha256_k/be", "crypto.sha512_iv/le", "crypto.sha1_iv/le",
		"crypto.sha1_k/le", "crypto.md5_t/le", "crypto.crc32_table/le", "crypto.rc4_ksa",
		"crypto.chacha_sigma", "crypto.blowfish_p/le", "crypto.blowfish_s/le", "crypto.tea_delta/le",
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "tables.c")
	if err := os.WriteFile(src, []byte(cTables), 0o600); err != nil {
		t.Fatal(err)
	}
	scanner := NewConstantScanner()
	for _, cc := range []struct{ name, compiler string }{
		{"elf", "gcc"},
		{"pe", "x86_64-w64-mingw32-gcc"},
	} {
		t.Run(cc.name, func(t *testing.T) {
			if _, err := exec.LookPath(cc.compiler); err != nil {
				t.Skipf("%s not installed", cc.compiler)
			}
			bin := filepath.Join(dir, cc.name+".bin")
			if out, err := exec.Command(cc.compiler, "-O2", "-o", bin, src).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", cc.compiler, err, out)
			}
			data, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			got := constantIDs(scanner.Scan(data))
			for _, id := range want {
				if !slices.Contains(got, id) {
					t.Errorf("%s not found; found %v", id, got)
				}
			}
		})
	}
}

// TestConstantsInGoToolchain scans the Go toolchain binary, whose crypto packages carry the AES
// tables, the SHA-2 round constants and the ChaCha20 sigma string.
func TestConstantsInGoToolchain(t *testing.T) {
	path := filepath.Join(runtime.GOROOT(), "bin", "go")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("go binary not readable: %v", err)
	}
	got := constantIDs(NewConstantScanner().Scan(data))
	for _, id := range []string{"crypto.aes_sbox", "crypto.aes_inv_sbox", "crypto.aes_te/le", "crypto.aes_td/le",
		"crypto.sha256_k/le", "crypto.sha512_k/le"} {
		if !slices.Contains(got, id) {
			t.Errorf("%s not found in %s; found %v", id, path, got)
		}
	}
}

func TestConstantsByteOrderAndOffsets(t *testing.T) {
	scanner := NewConstantScanner()
	sbox, _ := aesSBoxes()
	tests := []struct {
		name string
		data []byte
		want []ConstantMatch
	}{
		{"empty", nil, nil},
		{"random text", []byte("nothing to see here, just words and more words"), nil},
		{"sbox at 3", append([]byte{1, 2, 3}, sbox[:]...), []ConstantMatch{{ID: "crypto.aes_sbox", Algorithm: "AES", Name: "S-box", Offsets: []int64{3}, Count: 1, Cipher: true}}},
		{"truncated sbox", sbox[:31], nil},
		{"tea delta big-endian", []byte{0, 0x9e, 0x37, 0x79, 0xb9}, []ConstantMatch{{ID: "crypto.tea_delta", Algorithm: "TEA/XTEA", Name: "delta 0x9E3779B9", Order: "be", Offsets: []int64{1}, Count: 1, Cipher: true}}},
		{"sigma twice", []byte("expand 32-byte k..expand 32-byte k"), []ConstantMatch{{ID: "crypto.chacha_sigma", Algorithm: "ChaCha/Salsa20", Name: `"expand 32-byte k"`, Offsets: []int64{0, 18}, Count: 2, Cipher: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanner.Scan(tt.data)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.ID != w.ID || g.Algorithm != w.Algorithm || g.Name != w.Name || g.Order != w.Order ||
					g.Count != w.Count || g.Cipher != w.Cipher || !slices.Equal(g.Offsets, w.Offsets) {
					t.Errorf("got %+v, want %+v", g, w)
				}
			}
		})
	}
}

// TestConstantsMatchReference holds the aligned-word scan to the position-by-position one on
// real executables and on every signature planted at every alignment, several times, overlapping
// and at both ends.
func TestConstantsMatchReference(t *testing.T) {
	s := NewConstantScanner()
	inputs := realBinaries(t)
	var planted []byte
	for ci, c := range s.consts {
		for k := range 9 {
			planted = append(planted, make([]byte, k+ci%3)...)
			planted = append(planted, c.sig...)
		}
	}
	inputs["planted"] = planted
	inputs["planted tail"] = append(make([]byte, 5), s.consts[len(s.consts)-1].sig...)
	inputs["tea deltas back to back"] = bytes.Repeat([]byte{0xb9, 0x79, 0x37, 0x9e, 0x9e, 0x37, 0x79, 0xb9, 0x47}, 50)
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			if got, want := s.Scan(data), referenceConstants(s, data); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v (reference)", got, want)
			}
		})
	}
}

// FuzzConstantScanner plants signatures chosen by the fuzzer (index, position) in its data and
// compares the scan with the reference.
func FuzzConstantScanner(f *testing.F) {
	sbox, _ := aesSBoxes()
	f.Add(sbox[:], []byte{})
	f.Add([]byte("expand 32-byte k"), []byte{1, 2, 3})
	f.Add([]byte{0x9e, 0x37, 0x79}, []byte{40, 0, 41, 3})
	f.Add(make([]byte, 600), []byte{20, 1, 20, 2, 21, 7})
	scanner := NewConstantScanner()
	f.Fuzz(func(t *testing.T, data, plant []byte) {
		data = slices.Clone(data)
		for i := 0; i+1 < len(plant) && len(data) > 0; i += 2 {
			c := scanner.consts[int(plant[i])%len(scanner.consts)]
			copy(data[int(plant[i+1])*7%len(data):], c.sig)
		}
		if got, want := scanner.Scan(data), referenceConstants(scanner, data); !reflect.DeepEqual(got, want) {
			t.Fatalf("got  %+v\nwant %+v (reference)", got, want)
		}
		for _, m := range scanner.Scan(data) {
			if m.Count < len(m.Offsets) || len(m.Offsets) == 0 || len(m.Offsets) > maxConstantOffsets {
				t.Fatalf("inconsistent match %+v", m)
			}
			for _, off := range m.Offsets {
				if off < 0 || off >= int64(len(data)) {
					t.Fatalf("offset %d outside %d bytes", off, len(data))
				}
			}
		}
	})
}
