package fileprocessor

import (
	"testing"

	hostmodulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
	"google.golang.org/protobuf/proto"
)

// TestStreamingMergesToSameReport checks that the emitted identification merged with the final
// response (as the host merges them) equals the non-streaming report.
func TestStreamingMergesToSameReport(t *testing.T) {
	for name, data := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			req := &modulev1.AnalyzeRequest{Content: data}
			want, err := New().Analyze(req)
			if err != nil {
				t.Fatal(err)
			}
			var frags []*modulev1.AnalyzeResponse
			final, err := NewStreaming(func(f *modulev1.AnalyzeResponse) { frags = append(frags, f) }).Analyze(req)
			if err != nil {
				t.Fatal(err)
			}
			if len(frags) != 1 || frags[0].Identification.GetFileType() == "" {
				t.Fatalf("fragments = %v", frags)
			}
			got := &hostmodulev1.AnalyzeResponse{}
			proto.Merge(got, hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, frags[0]))
			proto.Merge(got, hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, final))
			if want := hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, want); !proto.Equal(got, want) {
				t.Errorf("merged streaming report differs:\n%s", lineDiff(want.String(), got.String()))
			}
		})
	}
}

// TestIdentifyOnly: with identify=only the response is the identification the streaming
// module emits before parsing — the flavors that route — and nothing else.
func TestIdentifyOnly(t *testing.T) {
	for name, data := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			var frags []*modulev1.AnalyzeResponse
			if _, err := NewStreaming(func(f *modulev1.AnalyzeResponse) { frags = append(frags, f) }).Analyze(&modulev1.AnalyzeRequest{Content: data}); err != nil {
				t.Fatal(err)
			}
			got, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data, Options: map[string]string{"identify": "only"}})
			if err != nil {
				t.Fatal(err)
			}
			if want := (&modulev1.AnalyzeResponse{Identification: frags[0].Identification}); !proto.Equal(hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, got), hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, want)) {
				t.Errorf("identify=only gave %v, want %v", got, want)
			}
		})
	}
}

func TestEntropy(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		lo, hi float64
	}{
		{"empty", nil, 0, 0},
		{"constant", make([]byte, 1000), 0, 0},
		{"two symbols", []byte("abababab"), 1, 1},
		{"all bytes", func() []byte {
			b := make([]byte, 256*16)
			for i := range b {
				b[i] = byte(i)
			}
			return b
		}(), 8, 8},
		{"random, estimated", randomBytes(entropyExactBytes+12345, 9), 7.99, 8},
		{"zeros, estimated", make([]byte, entropyExactBytes*3), 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if e := entropy(tc.data); e < tc.lo || e > tc.hi {
				t.Errorf("entropy = %v, want [%v, %v]", e, tc.lo, tc.hi)
			}
		})
	}
}
