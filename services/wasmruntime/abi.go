package wasmruntime

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The host side of the guest ABI (wasm-modules/ABI.md). Everything here treats the guest as
// hostile: every pointer and length it hands back is bounds-checked against the memory, every
// size against the limits, and every byte it returns is decoded as protobuf that may be garbage.

// errABI marks a guest that broke the ABI (bad pointer, bad length, undecodable bytes).
var errABI = errors.New("ABI violation")

// errOutputLimit marks a guest whose output (result plus emitted fragments) exceeded the cap.
var errOutputLimit = errors.New("output limit exceeded")

// unpack splits an i64 result into ptr (high 32 bits) and len (low 32 bits).
func unpack(packed uint64) (ptr, n uint32) {
	return uint32(packed >> 32), uint32(packed)
}

// readResult returns a copy of the buffer a packed result points at, checking it against the
// memory and the output cap. A zero length is an empty message, whatever the pointer.
func readResult(mem memoryView, packed uint64, maxBytes int64) ([]byte, error) {
	ptr, n := unpack(packed)
	if n == 0 {
		return nil, nil
	}
	if maxBytes > 0 && int64(n) > maxBytes {
		return nil, fmt.Errorf("%w: result of %d bytes, limit %d", errOutputLimit, n, maxBytes)
	}
	b, ok := mem.read(ptr, n)
	if !ok {
		return nil, fmt.Errorf("%w: result [%#x, +%d) outside memory of %d bytes", errABI, ptr, n, mem.size())
	}
	return append([]byte(nil), b...), nil
}

// decodeResponse decodes a guest's AnalyzeResponse bytes.
func decodeResponse(b []byte) (*modulev1.AnalyzeResponse, error) {
	resp := &modulev1.AnalyzeResponse{}
	if err := proto.Unmarshal(b, resp); err != nil {
		return nil, fmt.Errorf("%w: decode AnalyzeResponse: %w", errABI, err)
	}
	return resp, nil
}

// decodeInfo decodes athena_describe's ModuleInfo bytes.
func decodeInfo(b []byte) (*modulev1.ModuleInfo, error) {
	info := &modulev1.ModuleInfo{}
	if err := proto.Unmarshal(b, info); err != nil {
		return nil, fmt.Errorf("%w: decode ModuleInfo: %w", errABI, err)
	}
	return info, nil
}

// collector gathers athena.emit fragments of one call. Engines that cannot interrupt a guest
// keep calling emit from an abandoned call's goroutine, hence the mutex.
type collector struct {
	mu        sync.Mutex
	limit     int64
	bytes     int64
	fragments []*modulev1.AnalyzeResponse
	err       error // first ABI violation or output overflow
	closed    bool  // set when the call is over; later emits are dropped
}

type collectorKey struct{}

func withCollector(ctx context.Context, c *collector) context.Context {
	return context.WithValue(ctx, collectorKey{}, c)
}

func collectorFrom(ctx context.Context) *collector {
	c, _ := ctx.Value(collectorKey{}).(*collector)
	return c
}

// emit handles one athena.emit(ptr, len). It returns false when the guest broke the ABI or the
// output cap: the engine then stops the guest, and the fragments kept so far survive.
func (c *collector) emit(mem memoryView, ptr, n uint32) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.err != nil {
		return c.err == nil
	}
	if c.limit > 0 && c.bytes+int64(n) > c.limit {
		c.err = fmt.Errorf("%w: emitted fragments exceed %d bytes", errOutputLimit, c.limit)
		return false
	}
	b, ok := mem.read(ptr, n)
	if !ok {
		c.err = fmt.Errorf("%w: athena.emit [%#x, +%d) outside memory of %d bytes", errABI, ptr, n, mem.size())
		return false
	}
	frag := &modulev1.AnalyzeResponse{}
	if err := proto.Unmarshal(b, frag); err != nil {
		c.err = fmt.Errorf("%w: athena.emit fragment: %w", errABI, err)
		return false
	}
	c.bytes += int64(n)
	c.fragments = append(c.fragments, frag)
	return true
}

// finish closes the collector and returns the fragments merged into one response, or nil.
func (c *collector) finish() (*modulev1.AnalyzeResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if len(c.fragments) == 0 {
		return nil, c.err
	}
	merged := &modulev1.AnalyzeResponse{}
	for _, f := range c.fragments {
		proto.Merge(merged, f)
	}
	return merged, c.err
}

// callAnalyze runs athena_alloc + athena_analyze on an instance and decodes the result.
func callAnalyze(ctx context.Context, inst instance, req []byte, maxOutput int64) (*modulev1.AnalyzeResponse, error) {
	return analyzeWith(ctx, inst, len(req), func(dst []byte) []byte { return append(dst, req...) }, maxOutput)
}

// callAnalyzeRequest is callAnalyze for a request message: it is encoded straight into the
// buffer athena_alloc returns, followed by deadline_unix_ms (field 8; appended rather than set
// on req, which callers may share between concurrent calls: the last scalar field wins),
// instead of being marshalled on the host heap and copied in. The sample is most of a request,
// and a module call used to cost an allocation and a copy of it on top of the one into the
// guest. req must be encodable (checkRequestStrings).
func callAnalyzeRequest(ctx context.Context, inst instance, req *modulev1.AnalyzeRequest, deadlineMs int64, maxOutput int64) (*modulev1.AnalyzeResponse, error) {
	n := proto.Size(req) + protowire.SizeTag(8) + protowire.SizeVarint(uint64(deadlineMs))
	encode := func(dst []byte) []byte {
		b, err := proto.MarshalOptions{}.MarshalAppend(dst, req)
		if err != nil {
			return nil // analyzeWith reports the size mismatch
		}
		b = protowire.AppendTag(b, 8, protowire.VarintType)
		return protowire.AppendVarint(b, uint64(deadlineMs))
	}
	return analyzeWith(ctx, inst, n, encode, maxOutput)
}

// analyzeWith allocates n bytes in the guest, lets encode append exactly n bytes of request to
// the guest's buffer, and runs athena_analyze on them.
func analyzeWith(ctx context.Context, inst instance, n int, encode func(dst []byte) []byte, maxOutput int64) (*modulev1.AnalyzeResponse, error) {
	if uint64(n) > 1<<32-1 {
		return nil, fmt.Errorf("request of %d bytes does not fit wasm32", n)
	}
	ptr64, err := inst.call(ctx, "athena_alloc", uint64(n))
	if err != nil {
		return nil, err
	}
	ptr := uint32(ptr64)
	mem := inst.memory()
	buf, ok := mem.read(ptr, uint32(n))
	if !ok {
		return nil, fmt.Errorf("%w: athena_alloc(%d) returned %#x outside memory of %d bytes", errABI, n, ptr, mem.size())
	}
	b := encode(buf[:0:n])
	if len(b) != n || (n > 0 && &b[0] != &buf[0]) {
		return nil, fmt.Errorf("encode request: %d bytes written, %d allocated", len(b), n)
	}
	if c := callMemoOf(ctx); c != nil {
		c.locate(ptr, b)
	}
	packed, err := inst.call(ctx, "athena_analyze", uint64(ptr), uint64(n))
	if err != nil {
		return nil, err
	}
	out, err := readResult(inst.memory(), packed, maxOutput)
	if err != nil {
		return nil, err
	}
	return decodeResponse(out)
}

// checkRequestStrings reports a request that protobuf cannot encode: a string field that is
// not valid UTF-8. It runs before an instance is taken, so such a request costs no guest work.
func checkRequestStrings(req *modulev1.AnalyzeRequest) error {
	bad := func(field, v string) error {
		if utf8.ValidString(v) {
			return nil
		}
		return fmt.Errorf("encode request: %s is not valid UTF-8", field)
	}
	errs := []error{bad("filename", req.GetFilename()), bad("file_type", req.GetFileType())}
	for _, f := range req.GetFlavors() {
		errs = append(errs, bad("flavors", f))
	}
	for k, v := range req.GetOptions() {
		errs = append(errs, bad("options key", k), bad("option "+strconv.Quote(k), v))
	}
	for _, r := range req.GetResources() {
		errs = append(errs, bad("resource name", r.GetName()))
	}
	return errors.Join(errs...)
}

// callDescribe runs athena_describe and decodes the module's info.
func callDescribe(ctx context.Context, inst instance) (*modulev1.ModuleInfo, error) {
	packed, err := inst.call(ctx, "athena_describe")
	if err != nil {
		return nil, err
	}
	b, err := readResult(inst.memory(), packed, 1<<20)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: athena_describe returned nothing", errABI)
	}
	return decodeInfo(b)
}

// checkExports verifies the exports every module must have, with their signatures.
func checkExports(got map[string]string) error {
	required := []struct{ name, sig string }{
		{"memory", "memory"},
		{"athena_alloc", "(i32)->(i32)"},
		{"athena_describe", "()->(i64)"},
		{"athena_analyze", "(i32,i32)->(i64)"},
	}
	var problems []string
	for _, r := range required {
		name, want := r.name, r.sig
		switch sig, ok := got[name]; {
		case !ok:
			problems = append(problems, "missing export "+name)
		case sig != want:
			problems = append(problems, fmt.Sprintf("export %s is %s, want %s", name, sig, want))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %v", errABI, problems)
	}
	return nil
}
