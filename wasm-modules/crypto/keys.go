package cryptoscan

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/bits"
	"sync"
	"time"

	"github.com/athena-mesh/athena/internal/windowfilter"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// Key is an embedded key or certificate.
type Key struct {
	Kind      string // certificate, private_key, public_key, encrypted_private_key, openssh_private_key ...
	Format    string // pem or der
	Offset    int64
	Subject   string
	Issuer    string
	NotBefore time.Time
	NotAfter  time.Time
	Algorithm string // RSA, ECDSA, Ed25519 ...
	Bits      int
	// SelfSigned is set for certificates whose issuer is their subject.
	SelfSigned bool
	// Error is set when the block was recognised but did not parse.
	Error string
}

// Private reports whether the key is private key material.
func (k Key) Private() bool {
	switch k.Kind {
	case "private_key", "encrypted_private_key", "openssh_private_key":
		return true
	}
	return false
}

const (
	// maxKeys caps keys reported per sample.
	maxKeys = 64
	// maxDERAttempts caps DER parse attempts. Candidates are pre-filtered by their first
	// bytes, but a well-formed RSA private key costs milliseconds to validate, so a hostile
	// sample full of them must not buy unbounded time.
	maxDERAttempts = 1024
)

// pemBegin starts every PEM block. The window filter looks for its bytes "BEGI", pemWindow,
// which start at pemWindowAt.
const (
	pemBegin    = "-----BEGIN "
	pemWindowAt = 5
	pemWindow   = 'B'<<24 | 'E'<<16 | 'G'<<8 | 'I'
)

// derShort and derLong are the first two bytes of every DER structure FindKeys parses: a
// SEQUENCE with a long-form length of one byte (small keys and certificates) or two (most).
const (
	derShort = 0x3081
	derLong  = 0x3082
)

// addKeyWindows lets the starts of PEM blocks and DER structures pass f.
func addKeyWindows(f *windowfilter.Filter) {
	f.AddWindow(pemWindow)
	f.AddPair(derShort)
	f.AddPair(derLong)
}

// keyFilter is addKeyWindows' filter alone, for FindKeys; Module shares one with the other scans.
var keyFilter = sync.OnceValue(func() *windowfilter.Filter {
	f := new(windowfilter.Filter)
	addKeyWindows(f)
	return f
})

// keyStarts are where a PEM block or a DER structure may start, from the window filter.
type keyStarts struct {
	pem, der *positions // pem where pemBegin may start, der where 0x30 0x81 or 0x30 0x82 does
}

func newKeyStarts(size int) keyStarts {
	return keyStarts{pem: newPositions(size), der: newPositions(size)}
}

// add files the window w ending at data[j] if it may start a key.
func (k *keyStarts) add(w uint32, j int) {
	switch {
	case w == pemWindow:
		if start := j - 3 - pemWindowAt; start >= 0 {
			k.pem.add(start)
		}
	case uint16(w) == derShort || uint16(w) == derLong:
		k.der.add(j - 1)
	}
}

// FindKeys returns PEM blocks and DER certificates and keys embedded in data.
func FindKeys(data []byte) []Key {
	starts := newKeyStarts(len(data))
	guest.WindowFilter(keyFilter(), data, 0, len(data), func(base int, mask uint32) {
		for ; mask != 0; mask &= mask - 1 {
			j := base + bits.TrailingZeros32(mask)
			starts.add(windowAt(data, j), j)
		}
	})
	return findKeys(data, &starts)
}

// findKeys is FindKeys given where keys may start: the only places that are looked at.
func findKeys(data []byte, starts *keyStarts) []Key {
	var keys []Key
	for off := 0; off < len(data) && len(keys) < maxKeys; {
		start := starts.pem.next(off)
		for start >= 0 && !bytes.HasPrefix(data[start:], []byte(pemBegin)) {
			start = starts.pem.next(start + 1)
		}
		if start < 0 {
			break
		}
		off = start + len(pemBegin)
		// pem.Decode skips malformed blocks and returns a later one, which would get this
		// block's offset: hand it exactly one BEGIN ... END line.
		endMark := bytes.Index(data[off:], []byte("-----END "))
		if endMark < 0 {
			break
		}
		endMark += off
		if next := bytes.Index(data[off:endMark], []byte(pemBegin)); next >= 0 {
			continue // a BEGIN without its END; the next iteration starts at the inner one
		}
		lineEnd := bytes.IndexByte(data[endMark:], '\n')
		if lineEnd < 0 {
			lineEnd = len(data)
		} else {
			lineEnd += endMark + 1
		}
		block, _ := pem.Decode(data[start:lineEnd])
		if block == nil {
			continue
		}
		k := parsePEM(block)
		k.Offset = int64(start)
		keys = append(keys, k)
		off = lineEnd
	}

	attempts := 0
	next := 0 // the first offset not inside a structure already parsed
	for i := starts.der.next(0); i >= 0; i = starts.der.next(i + 1) {
		if len(keys) >= maxKeys || attempts >= maxDERAttempts || i+3 > len(data) {
			break
		}
		if i < next {
			continue
		}
		var n, hdr int
		switch data[i+1] { // derShort or derLong
		case 0x81:
			n, hdr = int(data[i+2]), 3
		case 0x82:
			if i+4 > len(data) {
				continue
			}
			n, hdr = int(data[i+2])<<8|int(data[i+3]), 4
		}
		end := i + hdr + n
		if n < 64 || end > len(data) || !derCandidate(data[i+hdr:end]) {
			continue
		}
		attempts++
		if k, ok := parseDER(data[i:end]); ok {
			k.Offset = int64(i)
			keys = append(keys, k)
			next = end
		}
	}
	return keys
}

// derCandidate reports whether the body of a long-form SEQUENCE starts like a certificate
// (a long-form TBS SEQUENCE), a PKCS#1 or PKCS#8 private key (version 0) or an RSA
// SubjectPublicKeyInfo, so that only plausible candidates cost a parse.
func derCandidate(body []byte) bool {
	switch {
	case len(body) < 8:
		return false
	case body[0] == 0x30 && (body[1] == 0x82 || body[1] == 0x81): // certificate: TBSCertificate
		return true
	case body[0] == 0x02 && body[1] == 0x01 && body[2] == 0x00: // private key, version 0
		return body[3] == 0x02 || body[3] == 0x30
	case body[0] == 0x30 && body[1] == 0x0d && body[2] == 0x06 && body[3] == 0x09: // SPKI with RSA OID
		return true
	}
	return false
}

// parsePEM parses one PEM block by its type.
func parsePEM(b *pem.Block) Key {
	k := Key{Format: "pem"}
	var err error
	switch b.Type {
	case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(b.Bytes); err == nil {
			k = certKey(c, "pem")
		}
		k.Kind = "certificate"
	case "RSA PRIVATE KEY":
		k.Kind = "private_key"
		if _, encrypted := b.Headers["DEK-Info"]; encrypted {
			k.Kind, k.Algorithm = "encrypted_private_key", "RSA"
			break
		}
		var key *rsa.PrivateKey
		if key, err = x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
			k.Algorithm, k.Bits = "RSA", key.N.BitLen()
		}
	case "EC PRIVATE KEY":
		k.Kind = "private_key"
		var key *ecdsa.PrivateKey
		if key, err = x509.ParseECPrivateKey(b.Bytes); err == nil {
			k.Algorithm, k.Bits = "ECDSA", key.Curve.Params().BitSize
		}
	case "PRIVATE KEY":
		k.Kind = "private_key"
		var key any
		if key, err = x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
			k.Algorithm, k.Bits = keyAlgorithm(key)
		}
	case "ENCRYPTED PRIVATE KEY":
		k.Kind = "encrypted_private_key"
	case "OPENSSH PRIVATE KEY":
		k.Kind = "openssh_private_key"
	case "DSA PRIVATE KEY":
		k.Kind, k.Algorithm = "private_key", "DSA"
	case "PUBLIC KEY":
		k.Kind = "public_key"
		var key any
		if key, err = x509.ParsePKIXPublicKey(b.Bytes); err == nil {
			k.Algorithm, k.Bits = keyAlgorithm(key)
		}
	case "RSA PUBLIC KEY":
		k.Kind = "public_key"
		var key *rsa.PublicKey
		if key, err = x509.ParsePKCS1PublicKey(b.Bytes); err == nil {
			k.Algorithm, k.Bits = "RSA", key.N.BitLen()
		}
	case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		k.Kind = "certificate_request"
		var csr *x509.CertificateRequest
		if csr, err = x509.ParseCertificateRequest(b.Bytes); err == nil {
			k.Subject = csr.Subject.String()
			k.Algorithm, k.Bits = keyAlgorithm(csr.PublicKey)
		}
	default:
		k.Kind = "pem_other"
		k.Algorithm = b.Type
	}
	if err != nil {
		k.Error = fmt.Sprintf("parse %s: %v", b.Type, err)
	}
	return k
}

// parseDER tries the DER structures worth reporting: certificates, PKCS#1 and PKCS#8 private
// keys, and SubjectPublicKeyInfo public keys.
func parseDER(der []byte) (Key, bool) {
	if c, err := x509.ParseCertificate(der); err == nil {
		return certKey(c, "der"), true
	}
	if key, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return Key{Kind: "private_key", Format: "der", Algorithm: "RSA", Bits: key.N.BitLen()}, true
	}
	if key, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		algo, bits := keyAlgorithm(key)
		return Key{Kind: "private_key", Format: "der", Algorithm: algo, Bits: bits}, true
	}
	if key, err := x509.ParsePKIXPublicKey(der); err == nil {
		algo, bits := keyAlgorithm(key)
		return Key{Kind: "public_key", Format: "der", Algorithm: algo, Bits: bits}, true
	}
	return Key{}, false
}

func certKey(c *x509.Certificate, format string) Key {
	algo, bits := keyAlgorithm(c.PublicKey)
	return Key{
		Kind:       "certificate",
		Format:     format,
		Subject:    c.Subject.String(),
		Issuer:     c.Issuer.String(),
		NotBefore:  c.NotBefore.UTC(),
		NotAfter:   c.NotAfter.UTC(),
		Algorithm:  algo,
		Bits:       bits,
		SelfSigned: bytes.Equal(c.RawSubject, c.RawIssuer),
	}
}

// keyAlgorithm names a public or private key and its size in bits.
func keyAlgorithm(key any) (string, int) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *rsa.PrivateKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case *ecdsa.PrivateKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "Ed25519", 256
	case interface{ Bytes() []byte }: // *ecdh keys
		return "ECDH", 8 * len(k.Bytes())
	}
	return fmt.Sprintf("%T", key), 0
}
