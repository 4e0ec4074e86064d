package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var protojsonOptions = protojsonDefaults

// sameJSON reports whether a and b hold the same JSON value (key order and spacing aside).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	decode := func(raw []byte) any {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("invalid JSON %q: %v", raw, err)
		}
		return v
	}
	return reflect.DeepEqual(decode(a), decode(b))
}

// checkLikeProtojson holds marshalJSON to protojson for m: the same JSON value, or a fallback
// that protojson then handles (fellBack true).
func checkLikeProtojson(t *testing.T, m proto.Message) (fellBack bool) {
	t.Helper()
	want, wantErr := protojsonOptions.Marshal(m)
	got, err := marshalJSON(nil, m)
	switch {
	case errors.Is(err, errJSONFallback):
		return true // protojson writes it (or refuses it) itself
	case err != nil:
		t.Fatalf("%T: %v", m, err)
	case wantErr != nil:
		t.Fatalf("%T: marshalJSON wrote what protojson refuses (%v):\n%s", m, wantErr, got)
	case !sameJSON(t, got, want):
		t.Fatalf("%T: JSON differs\n got %s\nwant %s", m, got, want)
	}
	return false
}

// fill sets a random selection of m's fields, recursively, with values that reach every rule of
// the mapping: escapes, non-ASCII text, 64-bit extremes, special floats, unknown enum numbers.
func fill(rng *rand.Rand, m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	if m.Descriptor().FullName() == "google.protobuf.Timestamp" { // within its range
		m.Set(fields.ByName("seconds"), protoreflect.ValueOfInt64(-62135596800+rng.Int64N(253402300799+62135596800+1)))
		m.Set(fields.ByName("nanos"), protoreflect.ValueOfInt32([]int32{0, 5e8, 120000, 7, 999999999}[rng.IntN(5)]))
		return
	}
	for i := range fields.Len() {
		fd := fields.Get(i)
		if rng.IntN(3) == 0 {
			continue
		}
		switch {
		case fd.IsList():
			l := m.Mutable(fd).List()
			for range rng.IntN(4) {
				if fd.Kind() == protoreflect.MessageKind {
					if depth > 0 {
						fill(rng, l.AppendMutable().Message(), depth-1)
					}
					continue
				}
				l.Append(randomScalar(rng, fd))
			}
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for range rng.IntN(4) {
				k := randomScalar(rng, fd.MapKey()).MapKey()
				if fd.MapValue().Kind() == protoreflect.MessageKind {
					if depth > 0 {
						fill(rng, mp.Mutable(k).Message(), depth-1)
					}
					continue
				}
				mp.Set(k, randomScalar(rng, fd.MapValue()))
			}
		case fd.Kind() == protoreflect.MessageKind:
			if depth > 0 {
				fill(rng, m.Mutable(fd).Message(), depth-1)
			}
		default:
			m.Set(fd, randomScalar(rng, fd))
		}
	}
}

func randomScalar(rng *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	ints := []int64{0, 1, -1, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64, rng.Int64()}
	pick := func() int64 { return ints[rng.IntN(len(ints))] }
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(rng.IntN(2) == 0)
	case protoreflect.StringKind:
		texts := []string{"", "plain", "quote\" back\\slash", "ctl\x00\x01\x1f\t\n\r\b\f", "ünïcødé ✓ 🦀", "mov eax, [ebp+8]", "<&>\u2028", strings.Repeat("x", rng.IntN(300))}
		return protoreflect.ValueOfString(texts[rng.IntN(len(texts))])
	case protoreflect.BytesKind:
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return protoreflect.ValueOfBytes(b)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(pick()))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(pick())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(pick()))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(pick()))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		floats := []float64{0, 1.5, -2.25, 1e-7, 123456789e15, 1e21, 3.4e38, math.NaN(), math.Inf(1), math.Inf(-1), rng.Float64() * 1000, 0.1}
		f := floats[rng.IntN(len(floats))]
		if fd.Kind() == protoreflect.FloatKind {
			return protoreflect.ValueOfFloat32(float32(f))
		}
		return protoreflect.ValueOfFloat64(f)
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		if rng.IntN(5) == 0 {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(1000 + rng.IntN(5))) // unknown
		}
		return protoreflect.ValueOfEnum(values.Get(rng.IntN(values.Len())).Number())
	}
	panic("unexpected kind " + fd.Kind().String())
}

// TestMarshalJSONLikeProtojson: every message of the public API, filled at random, is written
// with the same JSON value as protojson writes.
func TestMarshalJSONLikeProtojson(t *testing.T) {
	var types []protoreflect.MessageType
	protoregistry.GlobalTypes.RangeMessages(func(mt protoreflect.MessageType) bool {
		if strings.HasPrefix(string(mt.Descriptor().FullName()), "athena.analysis.v1.") {
			types = append(types, mt)
		}
		return true
	})
	if len(types) < 20 {
		t.Fatalf("found %d message types of athena.analysis.v1", len(types))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, mt := range types {
		for range 30 {
			m := mt.New()
			fill(rng, m, 3)
			if checkLikeProtojson(t, m.Interface()) {
				t.Errorf("%s: left to protojson; the API's messages should all have rules", mt.Descriptor().FullName())
			}
		}
		checkLikeProtojson(t, mt.New().Interface()) // all defaults
	}
}

func TestMarshalJSONTimestamps(t *testing.T) {
	for i, ts := range []*timestamppb.Timestamp{
		{}, {Seconds: 1764300000}, {Seconds: 1764300000, Nanos: 5e8}, {Seconds: 1, Nanos: 120000},
		{Seconds: 1, Nanos: 7}, {Seconds: -62135596800}, {Seconds: 253402300799, Nanos: 999999999},
		{Seconds: -62135596801}, {Seconds: 1, Nanos: -1}, {Seconds: 1, Nanos: 1e9}, // out of range
	} {
		if fellBack := checkLikeProtojson(t, &analysisv1.Report{CreatedAt: ts}); fellBack != (i >= 7) {
			t.Errorf("%v: left to protojson %v", ts, fellBack)
		}
	}
}

// TestMarshalJSONFallsBack: what marshalJSON has no rule for, or protojson refuses, goes to
// protojson through the gateway's marshaler, which then answers as protojson does.
func TestMarshalJSONFallsBack(t *testing.T) {
	m := onePassJSON{&runtime.JSONPb{MarshalOptions: protojsonOptions}}
	s, err := structpb.NewStruct(map[string]any{"a": 1.0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := marshalJSON(nil, s); !errors.Is(err, errJSONFallback) {
		t.Errorf("google.protobuf.Struct: %v, want the fallback", err)
	}
	got, err := m.Marshal(s)
	if want, _ := protojsonOptions.Marshal(s); err != nil || !sameJSON(t, got, want) {
		t.Errorf("Struct through the marshaler: %s (%v), want %s", got, err, want)
	}
	bad := &analysisv1.Report{Notes: []string{"ok", "bad \xff utf-8"}}
	if _, err := marshalJSON(nil, bad); !errors.Is(err, errJSONFallback) {
		t.Errorf("invalid UTF-8: %v, want the fallback", err)
	}
	if _, err := m.Marshal(bad); err == nil {
		t.Error("the marshaler wrote invalid UTF-8; protojson refuses it")
	}
	if got, err := m.Marshal(map[string]string{"k": "v"}); err != nil || string(got) != `{"k":"v"}` {
		t.Errorf("a map through the marshaler: %s, %v", got, err)
	}
}

func FuzzMarshalJSON(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		r := &analysisv1.Report{}
		fill(rng, r.ProtoReflect(), 3)
		b, _ := proto.Marshal(r)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &analysisv1.Report{}
		if proto.Unmarshal(data, r) != nil {
			return
		}
		checkLikeProtojson(t, r)
	})
}

// BenchmarkReportJSON: a report the size of a 1 MB executable's (about 60 KB of JSON, most of
// it listing lines), by marshalJSON and by protojson.
func BenchmarkReportJSON(b *testing.B) {
	r := &analysisv1.Report{Id: "a1", Notes: []string{"note"}, Details: &analysisv1.Details{Code: &analysisv1.CodeDetails{}}}
	for f := range 64 {
		fn := &analysisv1.CodeFunction{Name: "sub_" + strings.Repeat("4", 6), Address: uint64(0x401000 + f*64), Instructions: 120, BasicBlocks: 9}
		for l := range 24 {
			fn.Disassembly = append(fn.Disassembly, "0x"+strings.Repeat("4", 6)+": mov eax, dword ptr [ebp+0x"+string(rune('0'+l%10))+"]")
		}
		r.Details.Code.Functions = append(r.Details.Code.Functions, fn)
	}
	want, _ := protojsonOptions.Marshal(r)
	b.Logf("%d bytes of JSON", len(want))
	m := onePassJSON{&runtime.JSONPb{MarshalOptions: protojsonOptions}}
	b.Run("marshalJSON", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("protojson", func(b *testing.B) {
		for b.Loop() {
			if _, err := protojsonOptions.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
