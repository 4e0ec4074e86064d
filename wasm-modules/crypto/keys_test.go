package cryptoscan

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// keyFixture builds a blob of binary junk with keys and certificates embedded at known offsets.
type keyFixture struct {
	data []byte
	want []Key
}

func newKeyFixture(t testing.TB) keyFixture {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	notBefore := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	notAfter := time.Date(2034, 1, 2, 3, 4, 5, 0, time.UTC)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "athena-test", Organization: []string{"Athena"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var f keyFixture
	junk := func(n int) { f.data = append(f.data, bytes.Repeat([]byte{0xcc, 0x00, 0x30}, n)...) }
	add := func(b []byte, k Key) {
		k.Offset = int64(len(f.data))
		f.data = append(f.data, b...)
		f.want = append(f.want, k)
	}
	subject := "CN=athena-test,O=Athena"
	cert := Key{Kind: "certificate", Subject: subject, Issuer: subject, NotBefore: notBefore, NotAfter: notAfter,
		Algorithm: "ECDSA", Bits: 256, SelfSigned: true}
	junk(10)
	c := cert
	c.Format = "pem"
	add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}), c)
	junk(7)
	add(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}),
		Key{Kind: "private_key", Format: "pem", Algorithm: "RSA", Bits: 2048})
	add(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		Key{Kind: "private_key", Format: "pem", Algorithm: "ECDSA", Bits: 256})
	add(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}),
		Key{Kind: "public_key", Format: "pem", Algorithm: "RSA", Bits: 2048})
	add(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0x00}}),
		Key{Kind: "encrypted_private_key", Format: "pem"})
	junk(5)
	add([]byte("-----BEGIN CERTIFICATE-----\nnot base64 at all\n"), Key{}) // not a PEM block: skipped
	f.want = f.want[:len(f.want)-1]
	junk(3)
	// DER after the PEM blocks, because the PEM scan runs first.
	c = cert
	c.Format = "der"
	add(certDER, c)
	junk(4)
	add(x509.MarshalPKCS1PrivateKey(rsaKey), Key{Kind: "private_key", Format: "der", Algorithm: "RSA", Bits: 2048})
	junk(4)
	add(spki, Key{Kind: "public_key", Format: "der", Algorithm: "RSA", Bits: 2048})
	junk(10)
	return f
}

func TestFindKeys(t *testing.T) {
	f := newKeyFixture(t)
	got := FindKeys(f.data)
	if len(got) != len(f.want) {
		t.Fatalf("found %d keys, want %d:\n%+v", len(got), len(f.want), got)
	}
	for i, w := range f.want {
		t.Run(w.Format+"_"+w.Kind, func(t *testing.T) {
			g := got[i]
			if g.Error != "" {
				t.Errorf("parse error: %s", g.Error)
			}
			g.Error = ""
			if g != w {
				t.Errorf("got  %+v\nwant %+v", g, w)
			}
		})
	}
}

func TestFindKeysHostile(t *testing.T) {
	tests := map[string][]byte{
		"empty":            nil,
		"begin only":       []byte("-----BEGIN "),
		"truncated der":    {0x30, 0x82, 0xff, 0xff, 0x30, 0x82, 0x01},
		"der length lies":  append([]byte{0x30, 0x82, 0x01, 0x00, 0x30, 0x82, 0x00, 0xf0}, make([]byte, 256)...),
		"many candidates":  bytes.Repeat([]byte{0x30, 0x82, 0x00, 0x50, 0x30, 0x82, 0x00, 0x4c}, 20000),
		"many pem headers": bytes.Repeat([]byte("-----BEGIN X-----\n-----END X-----\n"), 200),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			keys := FindKeys(data)
			if len(keys) > maxKeys {
				t.Errorf("%d keys exceed the cap %d", len(keys), maxKeys)
			}
		})
	}
}

func FuzzFindKeys(f *testing.F) {
	fx := newKeyFixture(f)
	f.Add(fx.data)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0x00, 0x40, 0x02, 0x01, 0x00, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, k := range FindKeys(data) {
			if k.Offset < 0 || k.Offset >= int64(len(data)) || k.Kind == "" || (k.Format != "pem" && k.Format != "der") {
				t.Fatalf("bad key %+v for %d bytes", k, len(data))
			}
		}
	})
}

// A malformed block before a good one must not lend its offset to the good one (pem.Decode on
// the whole rest would skip the bad block and return the next).
func TestFindKeysMalformedBlockOffset(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	bad := []byte("-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n")
	unterminated := []byte("-----BEGIN PUBLIC KEY-----\n")
	data := append(append(bad, unterminated...), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})...)
	got := FindKeys(data)
	want := []Key{{Kind: "public_key", Format: "pem", Offset: int64(len(bad) + len(unterminated)), Algorithm: "ECDSA", Bits: 256}}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
