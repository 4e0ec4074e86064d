package gateway

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// sampleBodies are request bodies around a content string b64 (≥ liftMinBytes), for the
// lifted path and for every way out of it.
func sampleBodies(b64 string) map[string]string {
	return map[string]string{
		"plain":               `{"sample":{"content":"` + b64 + `","filename":"a.exe"},"options":{"bypassCache":true}}`,
		"options first":       `{ "options" : {"modules":["crypto"],"maxDepth":2} , "sample" : { "filename" : "x" , "content" : "` + b64 + `" } }`,
		"whitespace":          "\n\t{\r\n \"sample\"\t:\n{\"content\"\n:\n\"" + b64 + "\"\n}\n}\n",
		"url-safe":            `{"sample":{"content":"` + strings.NewReplacer("+", "-", "/", "_").Replace(b64) + `"}}`,
		"no padding":          `{"sample":{"content":"` + strings.TrimRight(b64, "=") + `"}}`,
		"mixed alphabets":     `{"sample":{"content":"-` + b64[1:] + `"}}`,
		"raw newline":         `{"sample":{"content":"` + b64[:100] + "\n" + b64[100:] + `"}}`,
		"escaped slash":       `{"sample":{"content":"` + strings.Replace(b64, "/", `\/`, 1) + `"}}`,
		"escaped key":         `{"sample":{"cont\u0065nt":"` + b64 + `"}}`,
		"proto name":          `{"sample":{"content":"` + b64 + `"},"options":{"bypass_cache":true}}`,
		"duplicate content":   `{"sample":{"content":"` + b64 + `","content":"QUJD"}}`,
		"duplicate sample":    `{"sample":{"content":"` + b64 + `"},"sample":{"filename":"b"}}`,
		"unknown field":       `{"sample":{"content":"` + b64 + `"},"colour":"red"}`,
		"unknown in sample":   `{"sample":{"content":"` + b64 + `","size":3}}`,
		"trailing data":       `{"sample":{"content":"` + b64 + `"}} {}`,
		"not closed":          `{"sample":{"content":"` + b64 + `"}`,
		"bad base64":          `{"sample":{"content":"` + b64 + `*"}}`,
		"content not string":  `{"sample":{"content":["` + b64 + `"]}}`,
		"sample null":         `{"sample":null,"options":{"bypassCache":true}}`,
		"content elsewhere":   `{"options":{"modules":["` + b64 + `"]},"sample":{"content":"QUJD"}}`,
		"array top":           `[{"sample":{"content":"` + b64 + `"}}]`,
		"nested brackets":     `{"options":{"modules":["]}{[","x"]},"sample":{"content":"` + b64 + `"}}`,
		"non-ascii":           `{"sample":{"content":"` + b64[:50] + "é" + b64[50:] + `"}}`,
		"invalid utf8 around": "{\"sample\":{\"content\":\"" + b64 + "\",\"filename\":\"\xff\"}}",
	}
}

// TestSampleRequestMatchesProtojson: the lifted decode gives the message protojson gives, or
// fails where protojson fails, with protojson's error.
func TestSampleRequestMatchesProtojson(t *testing.T) {
	content := make([]byte, 3*liftMinBytes/2+1) // not a multiple of 3: the encoding is padded
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range content {
		content[i] = byte(rng.Uint32())
	}
	b64 := base64.StdEncoding.EncodeToString(content)
	for name, body := range sampleBodies(b64) {
		t.Run(name, func(t *testing.T) {
			compareWithProtojson(t, []byte(body), &analysisv1.AnalyzeRequest{}, &analysisv1.AnalyzeRequest{}, liftMinBytes, splitDecodeMin)
			compareWithProtojson(t, []byte(body), &analysisv1.SubmitAnalysisRequest{}, &analysisv1.SubmitAnalysisRequest{}, liftMinBytes, splitDecodeMin)
			// Decoded in two halves (the content is below splitDecodeMin).
			compareWithProtojson(t, []byte(body), &analysisv1.AnalyzeRequest{}, &analysisv1.AnalyzeRequest{}, liftMinBytes, 8)
		})
	}
	// The lifted path is taken where it should be.
	if s, e, ok := sampleContent([]byte(sampleBodies(b64)["options first"])); !ok || e-s != len(b64) {
		t.Errorf("the content string was not found in a plain body")
	}
}

func compareWithProtojson(t *testing.T, body []byte, got, want sampleRequest, minLen, splitMin int) {
	t.Helper()
	opts := protojson.UnmarshalOptions{}
	gerr := liftSample(opts, body, got, minLen, splitMin, nil)
	werr := opts.Unmarshal(body, want)
	switch {
	case (gerr == nil) != (werr == nil):
		t.Fatalf("error %v, protojson's %v", gerr, werr)
	case gerr != nil && gerr.Error() != werr.Error():
		t.Fatalf("error %q, protojson's %q", gerr, werr)
	case gerr == nil && !proto.Equal(got, want):
		t.Fatalf("decoded %d content bytes, protojson %d; messages differ", len(got.GetSample().GetContent()), len(want.GetSample().GetContent()))
	}
}

// FuzzSampleRequest: whatever the body, the lifted decode agrees with protojson. The fuzzer's
// bodies are short, so the lift threshold is lowered for it.
func FuzzSampleRequest(f *testing.F) {
	b64 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("MZ\x90\x00"), 40))
	for _, body := range sampleBodies(b64) {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		compareWithProtojson(t, body, &analysisv1.AnalyzeRequest{}, &analysisv1.AnalyzeRequest{}, 0, 0)
		compareWithProtojson(t, body, &analysisv1.AnalyzeRequest{}, &analysisv1.AnalyzeRequest{}, 0, 8)
	})
}

// BenchmarkSampleBody decodes the REST body of a 1.6 MB sample, as protojson alone and lifted.
func BenchmarkSampleBody(b *testing.B) {
	content := make([]byte, 1666560)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range content {
		content[i] = byte(rng.Uint32())
	}
	body := []byte(`{"sample":{"content":"` + base64.StdEncoding.EncodeToString(content) + `","filename":"pe.exe"},"options":{"bypassCache":true}}`)
	opts := protojson.UnmarshalOptions{}
	for _, c := range []struct {
		name       string
		min, split int
	}{{"protojson", len(body), 0}, {"lifted", liftMinBytes, 0}, {"lifted_split", liftMinBytes, splitDecodeMin}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if err := liftSample(opts, body, &analysisv1.AnalyzeRequest{}, c.min, c.split, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
