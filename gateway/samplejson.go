package gateway

import (
	"bytes"
	"encoding/base64"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// An analysis request body is almost all sample: {"sample":{"content":"<megabytes of
// base64>",…},"options":{…}}. protojson scans that string three times before decoding it
// (for escapes, for invalid UTF-8, for URL-safe characters): 8.4 ms of the gateway's CPU for a
// 1.6 MB PE, on the path every uncached analysis waits on. unmarshalSampleRequest lifts the
// content string out of the body, lets protojson parse the rest with an empty content, and
// decodes the base64 itself, as protojson would have. It only does so when the structure
// around the string is plain — a top-level object whose "sample" object holds one "content"
// string with no escapes, keys without escapes — and otherwise leaves the whole body to
// protojson, so every error is protojson's own.

// liftMinBytes is the content length below which the body goes to protojson whole.
const liftMinBytes = 64 << 10

// splitDecodeMin is the base64 length from which the content is decoded in two halves at once:
// the REST decode is on every uncached analysis's path, and while it runs the other cores wait
// for its result.
const splitDecodeMin = 256 << 10

// sampleRequest is a request whose body carries a sample: POST /v1/analyses and /v1/jobs.
type sampleRequest interface {
	proto.Message
	GetSample() *analysisv1.SampleInput
}

// unmarshalSampleRequest is opts.Unmarshal(body, req), faster for large samples. A lifted
// content is decoded into a buffer from st (bodyState.buffer; nil st: a new one).
func unmarshalSampleRequest(opts protojson.UnmarshalOptions, body []byte, req sampleRequest, st *bodyState) error {
	return liftSample(opts, body, req, liftMinBytes, splitDecodeMin, st)
}

// liftSample lifts content strings of at least minLen bytes, into a buffer from st, and
// decodes those of at least splitMin in two halves at once.
func liftSample(opts protojson.UnmarshalOptions, body []byte, req sampleRequest, minLen, splitMin int, st *bodyState) error {
	start, end, ok := sampleContent(body)
	if !ok || end-start < minLen {
		return opts.Unmarshal(body, req)
	}
	content, ok := decodeBytesField(body[start:end], splitMin, st)
	if !ok {
		return opts.Unmarshal(body, req) // protojson words the error
	}
	rest := make([]byte, 0, len(body)-(end-start))
	rest = append(append(rest, body[:start]...), body[end:]...)
	if err := opts.Unmarshal(rest, req); err != nil {
		return opts.Unmarshal(body, req) // the error with the body's own offsets
	}
	req.GetSample().Content = content // "sample" held an object, so protojson made one
	return nil
}

// decodeBytesField decodes a JSON string's contents as protojson decodes a bytes field:
// standard base64, URL-safe when it holds '-' or '_', padding optional. Raw newlines, which
// the base64 decoder would skip but JSON forbids in a string, are refused.
func decodeBytesField(s []byte, splitMin int, st *bodyState) ([]byte, bool) {
	if bytes.IndexByte(s, '\n') >= 0 || bytes.IndexByte(s, '\r') >= 0 {
		return nil, false
	}
	std, url := base64.StdEncoding, base64.URLEncoding
	if len(s)%4 != 0 {
		std, url = std.WithPadding(base64.NoPadding), url.WithPadding(base64.NoPadding)
	}
	out := st.buffer(std.DecodedLen(len(s)))
	// Standard first: a URL-safe string fails it, and only then is worth scanning for '-_'.
	n, err := decodeBase64(std, out, s, splitMin)
	if err != nil && bytes.ContainsAny(s, "-_") {
		n, err = decodeBase64(url, out, s, splitMin)
	}
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

// decodeBase64 is enc.Decode(out, s), decoding the halves of s at once when it has at least
// splitMin characters (and splitMin > 0). The first half ends on a four-character boundary, so
// it decodes on its own into exactly three quarters of its length; anything else (padding
// inside it, any error) decodes s whole again, for the whole string's own error.
func decodeBase64(enc *base64.Encoding, out, s []byte, splitMin int) (int, error) {
	if splitMin <= 0 || len(s) < max(splitMin, 8) {
		return enc.Decode(out, s)
	}
	half := len(s) / 2 &^ 3
	k := half / 4 * 3
	var (
		n2   int
		err2 error
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		n2, err2 = enc.Decode(out[k:], s[half:])
	}()
	n1, err1 := enc.Decode(out[:k:k], s[:half])
	<-done
	if err1 != nil || err2 != nil || n1 != k {
		return enc.Decode(out, s)
	}
	return n1 + n2, nil
}

// sampleContent returns the span of the contents (between the quotes) of the string at
// "sample" → "content" in body, with ok false unless the body is a plain object holding it
// once (see above).
func sampleContent(body []byte) (start, end int, ok bool) {
	s := &jsonScan{b: body}
	s.ws()
	ok = s.member("sample", func() bool {
		return s.member("content", func() bool {
			start, end, ok = s.plainString()
			return ok
		})
	})
	return start, end, ok
}

// member reads the object at the cursor; at the key name, which must be there once, take
// reads the value. Other members are skipped.
func (s *jsonScan) member(name string, take func() bool) bool {
	s.ws()
	if !s.eat('{') {
		return false
	}
	found := false
	for first := true; ; first = false {
		s.ws()
		if s.eat('}') {
			return found
		}
		if !first && (!s.eat(',') || !s.wsThen()) {
			return false
		}
		key, ok := s.key()
		if !ok {
			return false
		}
		if key != name {
			if !s.value() {
				return false
			}
			continue
		}
		s.ws()
		if found || !take() {
			return false // a second one is protojson's error
		}
		found = true
	}
}

// plainString reads a string without escapes and returns the span of its contents.
func (s *jsonScan) plainString() (start, end int, ok bool) {
	if !s.eat('"') {
		return 0, 0, false
	}
	start = s.i
	q := bytes.IndexByte(s.b[s.i:], '"')
	if q < 0 || bytes.IndexByte(s.b[s.i:s.i+q], '\\') >= 0 {
		return 0, 0, false
	}
	s.i = start + q + 1
	return start, start + q, true
}

// jsonScan walks JSON structure without building values; every method reports false on
// anything it does not follow, and the caller then gives the body to protojson.
type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// wsThen skips whitespace and reports whether anything follows.
func (s *jsonScan) wsThen() bool {
	s.ws()
	return s.i < len(s.b)
}

func (s *jsonScan) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// key reads "name" and the colon after it; names with escapes are not followed.
func (s *jsonScan) key() (string, bool) {
	start, end, ok := s.plainString()
	if !ok {
		return "", false
	}
	s.ws()
	return string(s.b[start:end]), s.eat(':')
}

// value skips one value: a string, an object or array (by bracket depth, strings skipped
// whole), or a literal or number (up to the next delimiter).
func (s *jsonScan) value() bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		return s.str()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if !s.str() {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return true
				}
			}
			s.i++
		}
		return false
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return true
		}
		s.i++
	}
	return true
}

// str skips a string with its escapes.
func (s *jsonScan) str() bool {
	s.i++ // the opening quote
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return true
		}
		s.i++
	}
	return false
}
