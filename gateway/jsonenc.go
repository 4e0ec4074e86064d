package gateway

import (
	"cmp"
	"encoding/base64"
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The REST responses are written by marshalJSON rather than protojson: a report of a 1 MB
// executable (60 KB of JSON, most of it listing text) took protojson a millisecond, the last
// step before the response and one every cached report pays too. marshalJSON writes the same
// proto3 JSON mapping as protojson.MarshalOptions{EmitDefaultValues: true}: JSON names, fields
// in declaration order, scalars, empty lists and maps at their defaults, unset messages,
// optional fields and oneofs left out, 64-bit integers as strings, enums by name, bytes in
// base64, map keys sorted, google.protobuf.Timestamp as RFC 3339. Messages it has no rule for
// (any other well-known type, extensions) and values protojson refuses (invalid UTF-8, a
// timestamp out of range) are handed to protojson, so the two never differ in what they accept.
// (protojson's output is not byte-stable by design; clients compare values, not bytes.)

// errJSONFallback reports a message marshalJSON leaves to protojson.
var errJSONFallback = errors.New("marshal with protojson")

// marshalJSON appends m's JSON to dst, or returns errJSONFallback.
func marshalJSON(dst []byte, m proto.Message) ([]byte, error) {
	e := jsonEncoder{buf: dst}
	if err := e.message(m.ProtoReflect()); err != nil {
		return nil, err
	}
	return e.buf, nil
}

type jsonEncoder struct{ buf []byte }

func (e *jsonEncoder) message(m protoreflect.Message) error {
	desc := m.Descriptor()
	if desc.FullName() == "google.protobuf.Timestamp" {
		return e.timestamp(m)
	}
	if strings.HasPrefix(string(desc.FullName()), "google.protobuf.") || desc.ExtensionRanges().Len() > 0 {
		return errJSONFallback
	}
	e.buf = append(e.buf, '{')
	fields := desc.Fields()
	first := true
	for i := range fields.Len() {
		fd := fields.Get(i)
		if (fd.HasPresence() || fd.ContainingOneof() != nil) && !m.Has(fd) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, '"')
		e.buf = append(e.buf, fd.JSONName()...) // an identifier: nothing to escape
		e.buf = append(e.buf, '"', ':')
		var err error
		if fd.IsList() && fd.Kind() == protoreflect.StringKind {
			if l, ok := stringList(m, fd); ok {
				err = e.strings(l)
				if err != nil {
					return err
				}
				continue
			}
		}
		switch v := m.Get(fd); {
		case fd.IsList():
			err = e.list(fd, v.List())
		case fd.IsMap():
			err = e.mapValue(fd, v.Map())
		default:
			err = e.singular(fd, v)
		}
		if err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// strings writes a repeated string field.
func (e *jsonEncoder) strings(l reflect.Value) error {
	e.buf = append(e.buf, '[')
	for i := range l.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.str(l.Index(i).String()); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// stringList is a repeated string field of a generated message as its Go slice, read with Go's
// reflection: protoreflect's List converts and allocates each element, which was most of the
// cost of a report's JSON (its listing lines). ok is false for a message that is not a
// generated struct.
func stringList(m protoreflect.Message, fd protoreflect.FieldDescriptor) (reflect.Value, bool) {
	rv := reflect.ValueOf(m.Interface())
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	st := rv.Elem()
	idx := stringListField(st.Type(), fd)
	if idx < 0 {
		return reflect.Value{}, false
	}
	return st.Field(idx), true
}

// stringListFields caches, per generated struct type and field number, the index of the Go
// field that holds a repeated string field, or -1.
var stringListFields sync.Map // stringListKey → int

type stringListKey struct {
	t      reflect.Type
	number protoreflect.FieldNumber
}

func stringListField(t reflect.Type, fd protoreflect.FieldDescriptor) int {
	key := stringListKey{t, fd.Number()}
	if idx, ok := stringListFields.Load(key); ok {
		return idx.(int)
	}
	idx := -1
	want := "," + strconv.Itoa(int(fd.Number())) + ",rep,"
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == reflect.TypeFor[[]string]() && strings.Contains(f.Tag.Get("protobuf"), want) &&
			strings.Contains(f.Tag.Get("protobuf"), ",name="+string(fd.Name())+",") {
			idx = i
			break
		}
	}
	stringListFields.Store(key, idx)
	return idx
}

func (e *jsonEncoder) list(fd protoreflect.FieldDescriptor, l protoreflect.List) error {
	e.buf = append(e.buf, '[')
	for i := range l.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.singular(fd, l.Get(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// mapValue writes a map with its keys in protojson's order: false before true, integers by
// value, strings by bytes.
func (e *jsonEncoder) mapValue(fd protoreflect.FieldDescriptor, m protoreflect.Map) error {
	keys := make([]protoreflect.MapKey, 0, m.Len())
	m.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	switch fd.MapKey().Kind() {
	case protoreflect.StringKind:
		slices.SortFunc(keys, func(a, b protoreflect.MapKey) int { return strings.Compare(a.String(), b.String()) })
	case protoreflect.BoolKind:
		slices.SortFunc(keys, func(a, b protoreflect.MapKey) int {
			if a.Bool() == b.Bool() {
				return 0
			}
			if !a.Bool() {
				return -1
			}
			return 1
		})
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		slices.SortFunc(keys, func(a, b protoreflect.MapKey) int { return cmp.Compare(a.Uint(), b.Uint()) })
	default:
		slices.SortFunc(keys, func(a, b protoreflect.MapKey) int { return cmp.Compare(a.Int(), b.Int()) })
	}
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.str(k.String()); err != nil {
			return err
		}
		e.buf = append(e.buf, ':')
		if err := e.singular(fd.MapValue(), m.Get(k)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *jsonEncoder) singular(fd protoreflect.FieldDescriptor, v protoreflect.Value) error {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case protoreflect.StringKind:
		return e.str(v.String())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		e.buf = append(e.buf, '"')
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
		e.buf = append(e.buf, '"')
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		e.buf = append(e.buf, '"')
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
		e.buf = append(e.buf, '"')
	case protoreflect.FloatKind:
		e.float(v.Float(), 32)
	case protoreflect.DoubleKind:
		e.float(v.Float(), 64)
	case protoreflect.BytesKind:
		b := v.Bytes()
		e.buf = append(e.buf, '"')
		e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
		e.buf = append(e.buf, '"')
	case protoreflect.EnumKind:
		if fd.Enum().FullName() == "google.protobuf.NullValue" {
			e.buf = append(e.buf, "null"...)
			break
		}
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			e.buf = append(e.buf, '"')
			e.buf = append(e.buf, ev.Name()...) // an identifier
			e.buf = append(e.buf, '"')
		} else {
			e.buf = strconv.AppendInt(e.buf, int64(v.Enum()), 10)
		}
	case protoreflect.MessageKind:
		return e.message(v.Message())
	default: // groups
		return errJSONFallback
	}
	return nil
}

// float writes n as protojson does (encoding/json's rules, special values as strings).
func (e *jsonEncoder) float(n float64, bitSize int) {
	switch {
	case math.IsNaN(n):
		e.buf = append(e.buf, `"NaN"`...)
		return
	case math.IsInf(n, 1):
		e.buf = append(e.buf, `"Infinity"`...)
		return
	case math.IsInf(n, -1):
		e.buf = append(e.buf, `"-Infinity"`...)
		return
	}
	format := byte('f')
	if abs := math.Abs(n); abs != 0 {
		if bitSize == 64 && (abs < 1e-6 || abs >= 1e21) || bitSize == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	start := len(e.buf)
	e.buf = strconv.AppendFloat(e.buf, n, format, -1, bitSize)
	if out := e.buf[start:]; format == 'e' && len(out) >= 4 && out[len(out)-4] == 'e' && out[len(out)-3] == '-' && out[len(out)-2] == '0' {
		out[len(out)-2] = out[len(out)-1] // e-07 → e-7
		e.buf = e.buf[:len(e.buf)-1]
	}
}

// jsonSafe marks the bytes a JSON string holds as they are: printable ASCII but the quote and
// the backslash. Bytes from 0x80 up are checked as UTF-8 and copied.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str writes s as a JSON string, escaped as protojson escapes it; invalid UTF-8 is left to
// protojson (which refuses it).
func (e *jsonEncoder) str(s string) error {
	e.buf = append(e.buf, '"')
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && jsonSafe[s[j]] {
			j++
		}
		e.buf = append(e.buf, s[i:j]...)
		if j == len(s) {
			break
		}
		c := s[j]
		switch {
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[j:])
			if r == utf8.RuneError && n == 1 {
				return errJSONFallback
			}
			e.buf = append(e.buf, s[j:j+n]...)
			i = j + n
			continue
		case c == '"' || c == '\\':
			e.buf = append(e.buf, '\\', c)
		case c == '\b':
			e.buf = append(e.buf, '\\', 'b')
		case c == '\f':
			e.buf = append(e.buf, '\\', 'f')
		case c == '\n':
			e.buf = append(e.buf, '\\', 'n')
		case c == '\r':
			e.buf = append(e.buf, '\\', 'r')
		case c == '\t':
			e.buf = append(e.buf, '\\', 't')
		default:
			e.buf = append(e.buf, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		i = j + 1
	}
	e.buf = append(e.buf, '"')
	return nil
}

// timestamp writes a google.protobuf.Timestamp as protojson does: UTC, RFC 3339, with 0, 3, 6
// or 9 fractional digits; out of its range it is protojson's to refuse.
func (e *jsonEncoder) timestamp(m protoreflect.Message) error {
	fields := m.Descriptor().Fields()
	secs := m.Get(fields.ByNumber(1)).Int()
	nanos := m.Get(fields.ByNumber(2)).Int()
	if secs < -62135596800 || secs > 253402300799 || nanos < 0 || nanos > 999999999 {
		return errJSONFallback
	}
	x := time.Unix(secs, nanos).UTC().Format("2006-01-02T15:04:05.000000000")
	x = strings.TrimSuffix(x, "000")
	x = strings.TrimSuffix(x, "000")
	x = strings.TrimSuffix(x, ".000")
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, x...)
	e.buf = append(e.buf, 'Z', '"')
	return nil
}
