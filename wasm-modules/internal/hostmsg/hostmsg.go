// Package hostmsg moves messages between the guests' generated types (protoc-gen-go-lite, no
// reflection) and the host's protobuf-go types of the same proto messages, through the wire
// format, as the runtime does. Tests use it to compare guest output with protocmp, print it with
// protojson, and merge fragments the way the host does (proto.Merge).
package hostmsg

import (
	"testing"

	hostmodulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// Lite is a guest message.
type Lite interface {
	MarshalVT() ([]byte, error)
	UnmarshalVT([]byte) error
}

// ToHost re-decodes a guest message as the host's message type T, e.g.
// hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, resp).
func ToHost[T any, P interface {
	*T
	proto.Message
}](tb testing.TB, m Lite) P {
	tb.Helper()
	b, err := m.MarshalVT()
	if err != nil {
		tb.Fatalf("marshal guest message: %v", err)
	}
	out := P(new(T))
	if err := proto.Unmarshal(b, out); err != nil {
		tb.Fatalf("the host cannot decode the guest's %T: %v", m, err)
	}
	return out
}

// FromHost decodes a host message into the guest message into.
func FromHost(tb testing.TB, m proto.Message, into Lite) {
	tb.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		tb.Fatalf("marshal host message: %v", err)
	}
	if err := into.UnmarshalVT(b); err != nil {
		tb.Fatalf("the guest cannot decode the host's %T: %v", m, err)
	}
}

// ResponseDiff is cmp.Diff of two guest responses as the host sees them (protocmp; empty when
// equal).
func ResponseDiff(tb testing.TB, want, got *modulev1.AnalyzeResponse) string {
	tb.Helper()
	return cmp.Diff(ToHost[hostmodulev1.AnalyzeResponse](tb, want), ToHost[hostmodulev1.AnalyzeResponse](tb, got), protocmp.Transform())
}
