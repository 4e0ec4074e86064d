package guest

import (
	"testing"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

func marshalRequest(t testing.TB, req *modulev1.AnalyzeRequest) []byte {
	t.Helper()
	b, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeRequest(t *testing.T) {
	full := &modulev1.AnalyzeRequest{
		Content: []byte("MZ\x90\x00 sample bytes"), Filename: "a.exe", FileType: "pe", Flavors: []string{"pe32"},
		Options: map[string]string{"strings": "true"}, Depth: 2, DeadlineUnixMs: 1234,
	}
	// Content last instead of first, and twice (the last one wins in protobuf).
	rest := marshalRequest(t, &modulev1.AnalyzeRequest{Filename: "b.js", Depth: 1})
	contentLast := protowire.AppendBytes(protowire.AppendTag(append([]byte(nil), rest...), contentField, protowire.BytesType), []byte("second"))
	twice := protowire.AppendBytes(protowire.AppendTag(append([]byte(nil), contentLast...), contentField, protowire.BytesType), []byte("third"))
	for _, tc := range []struct {
		name  string
		in    []byte
		alias bool // the decoded content must share in's memory
	}{
		{"full request", marshalRequest(t, full), true},
		{"content last", contentLast, true},
		{"content twice", twice, false},
		{"no content", rest, false},
		{"empty content", protowire.AppendBytes(protowire.AppendTag(nil, contentField, protowire.BytesType), nil), false},
		{"empty request", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := &modulev1.AnalyzeRequest{}
			if err := proto.Unmarshal(tc.in, want); err != nil {
				t.Fatal(err)
			}
			got, err := decodeRequest(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, want) || (got.Content == nil) != (want.Content == nil) {
				t.Fatalf("decodeRequest = %v, want %v", got, want)
			}
			if tc.alias {
				c := got.Content
				if len(c) == 0 || indexOf(tc.in, c) < 0 {
					t.Fatal("content was copied")
				}
			}
		})
	}
}

// indexOf is where c's bytes start inside in (c aliases in).
func indexOf(in, c []byte) int {
	for i := range in {
		if &in[i] == &c[0] {
			return i
		}
	}
	return -1
}

// FuzzDecodeRequest: decodeRequest accepts exactly what proto.Unmarshal accepts and decodes it
// to the same message.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(marshalRequest(f, &modulev1.AnalyzeRequest{Content: []byte("x"), Filename: "f", Options: map[string]string{"a": "b"}}))
	f.Add([]byte{0x0a, 0x05, 'a'})
	f.Add([]byte{0x08, 0x01})
	f.Add([]byte{0x0a, 0x00, 0x0a, 0x01, 'z'})
	f.Fuzz(func(t *testing.T, in []byte) {
		want := &modulev1.AnalyzeRequest{}
		wantErr := proto.Unmarshal(in, want)
		got, err := decodeRequest(in)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("decodeRequest error %v, proto.Unmarshal error %v", err, wantErr)
		}
		if err == nil && !proto.Equal(got, want) {
			t.Fatalf("decodeRequest = %v, want %v", got, want)
		}
	})
}
