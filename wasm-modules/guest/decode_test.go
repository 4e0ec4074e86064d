package guest

import (
	"testing"

	hostmodulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

func marshalRequest(t testing.TB, req *modulev1.AnalyzeRequest) []byte {
	t.Helper()
	b, err := req.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeRequest: decodeRequest decodes what the host's protobuf-go decodes, with the content
// aliasing the input.
func TestDecodeRequest(t *testing.T) {
	full := &modulev1.AnalyzeRequest{
		Content: []byte("MZ\x90\x00 sample bytes"), Filename: "a.exe", FileType: "pe", Flavors: []string{"pe32"},
		Options: map[string]string{"strings": "true"}, Depth: 2, DeadlineUnixMs: 1234,
	}
	// Content last instead of first, and twice (the last one wins in protobuf).
	rest := marshalRequest(t, &modulev1.AnalyzeRequest{Filename: "b.js", Depth: 1})
	contentLast := protowire.AppendBytes(protowire.AppendTag(append([]byte(nil), rest...), contentField, protowire.BytesType), []byte("second"))
	twice := protowire.AppendBytes(protowire.AppendTag(append([]byte(nil), contentLast...), contentField, protowire.BytesType), []byte("third"))
	batch := protowire.AppendBytes(protowire.AppendTag(append([]byte(nil), rest...), batchField, protowire.BytesType), []byte("one"))
	batch = protowire.AppendBytes(protowire.AppendTag(batch, contentField, protowire.BytesType), []byte("content"))
	batch = protowire.AppendBytes(protowire.AppendTag(batch, batchField, protowire.BytesType), []byte("two"))
	for _, tc := range []struct {
		name  string
		in    []byte
		alias bool // the decoded content (and batch samples) must share in's memory
	}{
		{"batch", batch, true},
		{"full request", marshalRequest(t, full), true},
		{"content last", contentLast, true},
		{"content twice", twice, true},
		{"no content", rest, false},
		{"empty content", protowire.AppendBytes(protowire.AppendTag(nil, contentField, protowire.BytesType), nil), false},
		{"empty request", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := &hostmodulev1.AnalyzeRequest{}
			if err := proto.Unmarshal(tc.in, want); err != nil {
				t.Fatal(err)
			}
			got, err := decodeRequest(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(hostmsg.ToHost[hostmodulev1.AnalyzeRequest](t, got), want) {
				t.Fatalf("decodeRequest = %v, want %v", got, want)
			}
			if tc.alias {
				for _, c := range append([][]byte{got.Content}, got.Batch...) {
					if len(c) == 0 || indexOf(tc.in, c) < 0 {
						t.Fatal("a sample was copied")
					}
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

// FuzzDecodeRequest: decodeRequest never panics, and whatever the host's protobuf-go encodes,
// decodeRequest decodes to the same message. (Arbitrary bytes can differ: the guest's generated
// code does not check UTF-8 and rejects known fields with the wrong wire type, which protobuf-go
// keeps as unknown fields; the host writes neither.)
func FuzzDecodeRequest(f *testing.F) {
	f.Add(marshalRequest(f, &modulev1.AnalyzeRequest{Content: []byte("x"), Filename: "f", Options: map[string]string{"a": "b"}}))
	f.Add(marshalRequest(f, &modulev1.AnalyzeRequest{Content: []byte("c"), Batch: [][]byte{[]byte("a"), {}}}))
	f.Add([]byte{0x0a, 0x05, 'a'})
	f.Add([]byte{0x08, 0x01})
	f.Add([]byte{0x0a, 0x00, 0x0a, 0x01, 'z'})
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _ = decodeRequest(in)
		want := &hostmodulev1.AnalyzeRequest{}
		if (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(in, want) != nil {
			return
		}
		in, err := proto.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRequest(in)
		if err != nil {
			t.Fatalf("decodeRequest error %v; protobuf-go decodes it", err)
		}
		if !proto.Equal(hostmsg.ToHost[hostmodulev1.AnalyzeRequest](t, got), want) {
			t.Fatalf("decodeRequest = %v, want %v", got, want)
		}
	})
}
