package hostmsg

import (
	"os"
	"path/filepath"
	"testing"

	hostmodulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// goldenResponses are the file-processor's golden reports (JSON of real module responses), as
// the host's messages.
func goldenResponses(tb testing.TB) []*hostmodulev1.AnalyzeResponse {
	tb.Helper()
	files, _ := filepath.Glob("../../fileprocessor/testdata/golden/*.json")
	if len(files) == 0 {
		tb.Fatal("no golden reports found")
	}
	var out []*hostmodulev1.AnalyzeResponse
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		m := &hostmodulev1.AnalyzeResponse{}
		if err := protojson.Unmarshal(b, m); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out = append(out, m)
	}
	return out
}

// roundTrip decodes in with the guest's generated code, encodes it again and decodes that with
// protobuf-go: the message must not change on the way, and SizeVT must be the encoded size.
func roundTrip(t *testing.T, in []byte, want *hostmodulev1.AnalyzeResponse) {
	t.Helper()
	lite := &modulev1.AnalyzeResponse{}
	if err := lite.UnmarshalVT(in); err != nil {
		t.Fatalf("the guest rejects what protobuf-go decodes: %v", err)
	}
	b, err := lite.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	if lite.SizeVT() != len(b) {
		t.Fatalf("SizeVT %d, encoded %d bytes", lite.SizeVT(), len(b))
	}
	got := &hostmodulev1.AnalyzeResponse{}
	if err := proto.Unmarshal(b, got); err != nil {
		t.Fatalf("protobuf-go cannot decode the guest's encoding: %v", err)
	}
	if !proto.Equal(got, want) {
		t.Fatalf("changed on the way through the guest's code:\n got %v\nwant %v", got, want)
	}
	if !lite.EqualVT(lite.CloneVT()) {
		t.Fatal("a clone is not equal to its original")
	}
}

// TestGuestCodecMatchesProtobufGo: every golden report survives the guest's decoder and encoder
// unchanged as the host reads it.
func TestGuestCodecMatchesProtobufGo(t *testing.T) {
	for _, m := range goldenResponses(t) {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, b, m)
	}
}

// FuzzGuestCodec: the guest's decoder never panics on arbitrary bytes, and for any message
// protobuf-go decodes from them as an AnalyzeResponse (which holds every report type the guests
// fill), the guest's code decodes protobuf-go's encoding of it and re-encodes the same message.
// Unknown fields are dropped first: protobuf-go keeps a known field number with the wrong wire
// type as an unknown field where the guest's code rejects it, and the host never writes one.
func FuzzGuestCodec(f *testing.F) {
	for _, m := range goldenResponses(f) {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		_ = (&modulev1.AnalyzeResponse{}).UnmarshalVT(in)
		want := &hostmodulev1.AnalyzeResponse{}
		if (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(in, want) != nil {
			return
		}
		b, err := proto.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, b, want)
	})
}
