package wasmruntime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/internal/hostabi"
	"github.com/athena-mesh/athena/internal/textruns"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

func TestKeptStore(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newKeptStore(100, time.Minute)
	s.now = func() time.Time { return now }

	a, da, err := s.Keep(bytes.Repeat([]byte("a"), 60))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Keep(bytes.Repeat([]byte("b"), 41)); !errors.Is(err, ErrKeptFull) {
		t.Fatalf("over the limit: %v, want ErrKeptFull", err)
	}
	b, db, err := s.Keep(bytes.Repeat([]byte("b"), 40))
	if err != nil || a == b || len(a) != 32 {
		t.Fatalf("second keep: %q, %v (first %q)", b, err, a)
	}
	if s.Bytes() != 100 {
		t.Fatalf("bytes = %d, want 100", s.Bytes())
	}

	// Use renews: a is used at +50s, so at +90s only b (unused since 0) has expired.
	now = now.Add(50 * time.Second)
	if got, d, err := s.Kept(a); err != nil || len(got) != 60 || d != da {
		t.Fatalf("Kept(a) = %d bytes, digests %p (kept with %p), %v", len(got), d, da, err)
	}
	now = now.Add(40 * time.Second)
	if _, _, err := s.Kept(b); !errors.Is(err, ErrNotKept) {
		t.Fatalf("expired: %v, want ErrNotKept", err)
	}
	if !db.dropped.Load() || da.dropped.Load() {
		t.Fatalf("dropped: expired %v, kept %v", db.dropped.Load(), da.dropped.Load())
	}
	if s.Bytes() != 60 {
		t.Fatalf("bytes after expiry = %d, want 60", s.Bytes())
	}

	s.Release(a)
	s.Release(a) // twice is fine
	s.Release("unknown")
	if _, _, err := s.Kept(a); !errors.Is(err, ErrNotKept) || !da.dropped.Load() {
		t.Fatalf("released: %v (dropped %v), want ErrNotKept", err, da.dropped.Load())
	}
	if s.Bytes() != 0 {
		t.Fatalf("bytes after release = %d", s.Bytes())
	}
}

// TestKeptContentOverGRPC runs a real Go guest over gRPC on content kept by KeepContent: every
// call sees exactly the kept bytes, concurrent calls share them, and every misuse gets its
// documented code while the runtime keeps serving.
func TestKeptContentOverGRPC(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), func(c *Config) { c.KeptBytes = 1 << 20 })
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(4 << 20))
	wasmruntimev1.RegisterWasmRuntimeServiceServer(srv, NewServer(r))
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(4<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := wasmruntimev1.NewWasmRuntimeServiceClient(conn)
	ctx := context.Background()

	content := make([]byte, 700<<10)
	for i := range content {
		content[i] = byte(i * 7 / 3)
	}
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	kept, err := client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content})
	if err != nil {
		t.Fatal(err)
	}
	digest := &modulev1.AnalyzeRequest{Options: map[string]string{"mode": "digest"}}

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			resp, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", Request: digest, ContentHandle: kept.GetHandle()})
			if err != nil {
				errs <- err
				return
			}
			if got := resp.GetResponse().GetNotes(); len(got) != 1 || got[0] != want {
				errs <- errors.New("guest saw other content: " + got[0])
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	misuse := []struct {
		name string
		call func() error
		code codes.Code
	}{
		{"content and handle", func() error {
			_, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: kept.GetHandle(),
				Request: &modulev1.AnalyzeRequest{Content: []byte("x")}})
			return err
		}, codes.InvalidArgument},
		{"unknown handle", func() error {
			_, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: "feed", Request: digest})
			return err
		}, codes.FailedPrecondition},
		{"over the limit", func() error {
			_, err := client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content})
			return err
		}, codes.ResourceExhausted},
		{"handle without request", func() error {
			_, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: kept.GetHandle()})
			return err
		}, codes.OK},
	}
	for _, m := range misuse {
		if got := status.Code(m.call()); got != m.code {
			t.Errorf("%s: code %v, want %v", m.name, got, m.code)
		}
	}

	if _, err := client.ReleaseContent(ctx, &wasmruntimev1.ReleaseContentRequest{Handle: kept.GetHandle()}); err != nil {
		t.Fatal(err)
	}
	if r.kept.Bytes() != 0 {
		t.Fatalf("kept bytes after release = %d", r.kept.Bytes())
	}
	if _, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", Request: digest, ContentHandle: kept.GetHandle()}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("released handle: %v, want FailedPrecondition", err)
	}
	// Room again: the same content can be kept anew.
	if _, err := client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content}); status.Code(err) != codes.Unavailable {
		t.Fatalf("KeepContent after Close: %v, want Unavailable", err)
	}
}

// TestKeptDigests: the digests a module declares are computed once, ahead of its call, for
// content kept for it; its athena.digest calls over exactly that content are answered from
// them, and over anything else (here the guest's copy with a byte changed) computed afresh.
func TestKeptDigests(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), nil)
	srv := NewServer(r)
	ctx := context.Background()
	counted := func(source string) float64 { return testutil.ToFloat64(r.metrics.keptDigests.WithLabelValues(source)) }
	content := make([]byte, 200<<10)
	for i := range content {
		content[i] = byte(i*i>>7 ^ i>>3)
	}
	want := func(b []byte) []string {
		var out []string
		for _, alg := range []uint32{hostabi.DigestSHA512, hostabi.DigestSSDeep, hostabi.DigestTLSH, hostabi.DigestCounts, hostabi.DigestMD5} {
			out = append(out, hex.EncodeToString(hostabi.Sum(alg, b)))
		}
		return out
	}
	digests := func(handle string, opts map[string]string) []string {
		t.Helper()
		resp, err := srv.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: handle,
			Request: &modulev1.AnalyzeRequest{Options: opts}})
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
		return resp.GetResponse().GetNotes()
	}

	kept, err := srv.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: bytes.Clone(content), Modules: []string{"unknown", "probe"}})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); counted("prefetch") < 3; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("prefetched %v digests, want the 3 probe declares", counted("prefetch"))
		}
	}
	if got := digests(kept.Handle, map[string]string{"mode": "host-digests"}); !slices.Equal(got, want(content)) {
		t.Errorf("digests of kept content:\n got %q\nwant %q", got, want(content))
	}
	// SHA-512, ssdeep and TLSH were ready; MD5 was computed by the call, the byte counts came
	// from the content's prefix counts.
	if p, c, m, r := counted("prefetch"), counted("call"), counted("memo"), counted("range"); p != 3 || c != 1 || m != 3 || r != 1 {
		t.Errorf("prefetch %v, call %v, memo %v, range %v; want 3, 1, 3, 1", p, c, m, r)
	}
	changed := bytes.Clone(content)
	changed[0] ^= 0xff
	if got := digests(kept.Handle, map[string]string{"mode": "host-digests", "flip": "1"}); !slices.Equal(got, want(changed)) {
		t.Errorf("digests of the guest's changed copy:\n got %q\nwant %q", got, want(changed))
	}
	if p, c, m, r := counted("prefetch"), counted("call"), counted("memo"), counted("range"); p != 3 || c != 1 || m != 3 || r != 1 {
		t.Errorf("after the changed copy: prefetch %v, call %v, memo %v, range %v; want 3, 1, 3, 1 (no memo use)", p, c, m, r)
	}

	// No prefetch without a slot: the calls compute what they need, once.
	for range cap(r.prefetching) {
		r.prefetching <- struct{}{}
	}
	kept2, err := srv.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: bytes.Clone(content), Modules: []string{"probe"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := digests(kept2.Handle, map[string]string{"mode": "host-digests"}); !slices.Equal(got, want(content)) {
		t.Errorf("digests without prefetch:\n got %q\nwant %q", got, want(content))
	}
	if p, c, r := counted("prefetch"), counted("call"), counted("range"); p != 3 || c != 5 || r != 2 {
		t.Errorf("without a prefetch slot: prefetch %v, call %v, range %v; want 3, 5, 2", p, c, r)
	}

	// Content dropped before its prefetch ran is not digested.
	d := &contentMemo{content: content}
	d.dropped.Store(true)
	d.prefetch([]uint32{hostabi.DigestSHA512})
	if d.algs[hostabi.DigestSHA512].sum != nil {
		t.Error("prefetch digested released content")
	}

	// Declared byte counts are prefetched as the prefix counts that calls read.
	d = &contentMemo{content: content}
	d.prefetch([]uint32{hostabi.DigestCounts})
	if d.prefix == nil || d.algs[hostabi.DigestCounts].sum != nil {
		t.Errorf("prefetched byte counts: prefix %v, whole-content sum %v; want only the prefix", d.prefix != nil, d.algs[hostabi.DigestCounts].sum != nil)
	}

	// A digest a call asks for is marked awaited, so that a prefetch computing it stops giving
	// way; one only the prefetch computed is not.
	d = &contentMemo{content: content}
	d.prefetch([]uint32{hostabi.DigestMD5})
	if _, ok := d.Sum(hostabi.DigestSHA1, content); !ok {
		t.Fatal("no SHA-1 of the kept content")
	}
	if d.algs[hostabi.DigestMD5].awaited.Load() || !d.algs[hostabi.DigestSHA1].awaited.Load() {
		t.Errorf("awaited: MD5 (prefetched) %v, SHA-1 (asked) %v; want false, true",
			d.algs[hostabi.DigestMD5].awaited.Load(), d.algs[hostabi.DigestSHA1].awaited.Load())
	}
}

// TestKeptRangeCounts: a module's byte counts of a part of its kept content (a section, a
// window) are answered from the content's prefix counts when the range spans two of its
// blocks, and give what counting the guest's bytes gives; a changed copy, a short range and
// content sent with the call are counted.
func TestKeptRangeCounts(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), nil)
	srv := NewServer(r)
	ctx := context.Background()
	ranged := func() float64 { return testutil.ToFloat64(r.metrics.keptDigests.WithLabelValues("range")) }
	content := make([]byte, 200<<10)
	for i := range content {
		content[i] = byte(i*i>>7 ^ i>>3)
	}
	kept, err := srv.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: bytes.Clone(content)})
	if err != nil {
		t.Fatal(err)
	}
	block := bytecount.PrefixBlock(len(content))
	for _, c := range []struct {
		from, to int
		flip     bool
		inline   bool // the content sent with the call, not kept
		fromMemo bool
	}{
		{from: 100, to: 50000, fromMemo: true},
		{from: 2 * block, to: 4 * block, fromMemo: true},
		{from: 0, to: len(content) - 1, fromMemo: true},
		{from: 1, to: len(content), fromMemo: true},
		{from: 10, to: 10 + 2*block - 1},
		{from: 5000, to: 90000, flip: true},
		{from: 100, to: 50000, inline: true},
	} {
		opts := map[string]string{"mode": "range-counts", "from": fmt.Sprint(c.from), "to": fmt.Sprint(c.to)}
		want := bytes.Clone(content[c.from:c.to])
		if c.flip {
			opts["flip"] = "1"
			want[0] ^= 0xff
		}
		req := &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: kept.Handle, Request: &modulev1.AnalyzeRequest{Options: opts}}
		if c.inline {
			req.ContentHandle, req.Request.Content = "", bytes.Clone(content)
		}
		before := ranged()
		resp, err := srv.Invoke(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
		if got, want := resp.GetResponse().GetNotes()[0], hex.EncodeToString(hostabi.Sum(hostabi.DigestCounts, want)); got != want {
			t.Errorf("[%d, %d) flip %v inline %v: the guest got other counts than its bytes'", c.from, c.to, c.flip, c.inline)
		}
		if got := ranged() - before; got != map[bool]float64{true: 1}[c.fromMemo] {
			t.Errorf("[%d, %d) flip %v inline %v: %v answers from the prefix counts, want fromMemo %v", c.from, c.to, c.flip, c.inline, got, c.fromMemo)
		}
	}

	// locate finds the content field in a request as written, and only one of the kept length.
	d := &contentMemo{content: content}
	enc, err := proto.Marshal(&modulev1.AnalyzeRequest{Filename: "x.bin", Content: content, Options: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	c := &callMemo{contentMemo: d}
	c.locate(4096, enc)
	if off := int(c.at) - 4096; !c.located || off < 0 || off+len(content) > len(enc) || !bytes.Equal(enc[off:off+len(content)], content) {
		t.Fatalf("located %v at %d: not the content's place in the request", c.located, c.at)
	}
	if _, ok := c.Sum(hostabi.DigestCounts, c.at-1, content[:2*block], nil); ok {
		t.Error("answered a range that starts before the content")
	}
	short, _ := proto.Marshal(&modulev1.AnalyzeRequest{Content: content[:100]})
	if c.locate(4096, short); c.located {
		t.Error("located content of another length")
	}
}

// TestKeptTextRuns: a module's athena.text_runs calls over kept content are answered from the
// runs the first call of each kind found, resumed scans included, and give what a scan of the
// guest's bytes gives; bytes that are not the kept content's (the guest's changed copy), and
// shorter runs than the memo holds, are scanned.
func TestKeptTextRuns(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), nil)
	srv := NewServer(r)
	ctx := context.Background()
	var content []byte // 30,000 ASCII runs and 10,000 UTF-16LE ones at even offsets: scans resume
	for i := range 30000 {
		content = fmt.Appendf(content, "word %d\x00\x01", i*i)
		for _, c := range fmt.Sprint(i) + "wide" {
			content = append(content, byte(c), 0)
		}
		content = append(content, 1, 1, 1)
	}
	kept, err := srv.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: bytes.Clone(content)})
	if err != nil {
		t.Fatal(err)
	}
	runs := func(kind textruns.Kind, minLen int, flip bool) string {
		t.Helper()
		opts := map[string]string{"mode": "text-runs", "kind": fmt.Sprint(kind), "min": fmt.Sprint(minLen)}
		if flip {
			opts["flip"] = "1"
		}
		resp, err := srv.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: kept.Handle,
			Request: &modulev1.AnalyzeRequest{Options: opts}})
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
		return resp.GetResponse().GetNotes()[0]
	}
	// want is what the guest must report, and how many host calls its scan takes: the guest
	// asks for 8,192 runs at a time (guest/text_wasip1.go) and stops at a shorter answer.
	want := func(kind textruns.Kind, minLen int, b []byte) (string, int) {
		h, n := sha256.New(), 0
		textruns.Scan(kind, minLen, b, func(start, end int) bool {
			fmt.Fprintf(h, "%d-%d,", start, end)
			n++
			return true
		})
		if n <= 8192 {
			t.Fatalf("%d runs of kind %d: the test needs a scan that resumes", n, kind)
		}
		return fmt.Sprintf("runs=%d sha256=%x", n, h.Sum(nil)), n/8192 + 1
	}
	counted := func() map[string]float64 {
		out := map[string]float64{}
		for _, source := range []string{"index", "memo", "scan"} {
			out[source] = testutil.ToFloat64(r.metrics.keptRuns.WithLabelValues(source))
		}
		return out
	}
	changed := bytes.Clone(content)
	changed[0] ^= 0xff
	expect := map[string]float64{"index": 0, "memo": 0, "scan": 0}
	for _, c := range []struct {
		kind        textruns.Kind
		minLen      int
		flip        bool
		first, rest string // how the scan's first call and its resumes are answered
	}{
		{textruns.ASCII, 5, false, "index", "memo"},
		{textruns.ASCII, 6, false, "memo", "memo"},
		{textruns.UTF16LEEven, 4, false, "index", "memo"}, // another kind
		{textruns.ASCII, 3, false, "scan", "scan"},        // shorter than the memo holds
		// The guest changed its copy's first byte: its first call is scanned; the resumes,
		// past that byte, are over the kept bytes.
		{textruns.ASCII, 5, true, "scan", "memo"},
	} {
		b := content
		if c.flip {
			b = changed
		}
		w, calls := want(c.kind, c.minLen, b)
		if got := runs(c.kind, c.minLen, c.flip); got != w {
			t.Errorf("kind %d, min %d, flip %v: %s, want %s", c.kind, c.minLen, c.flip, got, w)
		}
		expect[c.first]++
		expect[c.rest] += float64(calls - 1)
		if got := counted(); !maps.Equal(got, expect) {
			t.Errorf("kind %d, min %d, flip %v: calls answered %v, want %v", c.kind, c.minLen, c.flip, got, expect)
		}
	}
}

// TestContentMemoRuns: the memo answers text_runs for the kept bytes and any suffix of them
// exactly as a scan of those bytes would, or declines; it never answers for other bytes.
func TestContentMemoRuns(t *testing.T) {
	content := []byte("MZ\x00\x00kernel32.dll\x00\x00V\x00i\x00r\x00t\x00u\x00a\x00l\x00A\x00l\x00l\x00o\x00c\x00\x00\x00GetProcAddress\x01")
	for i := range 300 {
		content = append(content, byte(i*i>>3))
	}
	d := &contentMemo{content: content}
	answered := 0
	for _, kind := range []textruns.Kind{textruns.ASCII, textruns.UTF16LEEven, textruns.UTF16LEOdd} {
		for _, minLen := range []int{textruns.IndexFloor - 1, textruns.IndexFloor, 6} {
			for off := 0; off <= len(content); off++ {
				in := content[off:]
				want := make([]byte, 4*textruns.PairSize)
				wn := textruns.Encode(kind, minLen, in, want, nil)
				got := make([]byte, len(want))
				gn, ok := d.Runs(kind, minLen, in, got)
				if !ok {
					continue
				}
				answered++
				if gn != wn || !bytes.Equal(got[:gn*textruns.PairSize], want[:wn*textruns.PairSize]) {
					t.Fatalf("kind %d, min %d, suffix at %d: memo %d runs %v, scan %d %v", kind, minLen, off, gn, got, wn, want)
				}
			}
		}
	}
	if answered == 0 {
		t.Fatal("the memo answered nothing")
	}
	other := bytes.Clone(content)
	other[len(other)-1] ^= 1
	for _, in := range [][]byte{other, other[10:], append(bytes.Clone(content), 'x'), content[:len(content)-1]} {
		if _, ok := d.Runs(textruns.ASCII, 4, in, make([]byte, 64)); ok {
			t.Errorf("the memo answered for %d bytes that are not a suffix of the kept ones", len(in))
		}
	}
}

// TestContentMemoRunsUTF16Once: the first call for either UTF-16LE kind finds the runs of
// both (one scan), and the other kind's calls are answered from them.
func TestContentMemoRunsUTF16Once(t *testing.T) {
	content := []byte("\x01V\x00i\x00r\x00t\x00u\x00a\x00l\x00\x00\x00\x00W\x00i\x00d\x00e\x00\x01") // odd, then even
	d := &contentMemo{content: content}
	out := make([]byte, 4*textruns.PairSize)
	if n, ok := d.Runs(textruns.UTF16LEEven, textruns.IndexFloor, content, out); !ok || n != 1 {
		t.Fatalf("even runs: %d, answered %v; want 1 from the memo", n, ok)
	}
	if d.runs[textruns.UTF16LEOdd] == nil {
		t.Fatal("the odd runs were not found with the even ones")
	}
	want := make([]byte, len(out))
	wn := textruns.Encode(textruns.UTF16LEOdd, textruns.IndexFloor, content, want, nil)
	if n, ok := d.Runs(textruns.UTF16LEOdd, textruns.IndexFloor, content, out); !ok || n != wn || n != 1 || !bytes.Equal(out, want) {
		t.Errorf("odd runs: %d %v, answered %v; want %d %v", n, out, ok, wn, want)
	}
}

// TestContentMemoRunsBounded: content with more runs than the memo holds is scanned by each
// call instead, and the memo keeps no index of it.
func TestContentMemoRunsBounded(t *testing.T) {
	content := bytes.Repeat([]byte("abcd\x00"), maxMemoRuns+1)
	d := &contentMemo{content: content}
	for range 2 {
		if _, ok := d.Runs(textruns.ASCII, textruns.IndexFloor, content, make([]byte, 64)); ok {
			t.Fatal("the memo answered for content with more runs than it holds")
		}
	}
	if d.runs[textruns.ASCII] != nil {
		t.Error("the memo kept an index past its bound")
	}
	if n, ok := d.Runs(textruns.ASCII, textruns.IndexFloor, content[:0], make([]byte, 64)); ok || n != 0 {
		t.Errorf("the empty suffix: %d runs, answered %v; want a scan", n, ok)
	}
}

// TestKeptFullFreesPrefetch: content refused by a full store gives back the prefetch slot it
// had taken, so later content is still prefetched.
func TestKeptFullFreesPrefetch(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), func(c *Config) { c.KeptBytes = 4 << 10 })
	if _, err := r.KeepContent(make([]byte, 8<<10), "probe"); !errors.Is(err, ErrKeptFull) {
		t.Fatalf("over the limit: %v, want ErrKeptFull", err)
	}
	if len(r.prefetching) != 0 {
		t.Fatalf("%d prefetch slots held after a refused KeepContent", len(r.prefetching))
	}
	if _, err := r.KeepContent(bytes.Repeat([]byte("athena "), 400), "probe"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); testutil.ToFloat64(r.metrics.keptDigests.WithLabelValues("prefetch")) < 3; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the content kept after a refusal was not prefetched")
		}
	}
}

func TestSampleDigestsSanitized(t *testing.T) {
	declared := []uint32{hostabi.DigestTLSH, 0, 99, hostabi.DigestMD5, hostabi.DigestTLSH, 1 << 31, hostabi.DigestSSDeep}
	if got, want := sampleDigests(declared), []uint32{hostabi.DigestTLSH, hostabi.DigestMD5, hostabi.DigestSSDeep}; !slices.Equal(got, want) {
		t.Errorf("sampleDigests(%v) = %v, want %v", declared, got, want)
	}
	if got := sampleDigests(nil); got != nil {
		t.Errorf("sampleDigests(nil) = %v", got)
	}
}

// TestRunnableGoroutinesReported: the digest prefetch gives way only when the runtime reports
// goroutines waiting to run; a Go that stopped reporting them would turn that off silently.
func TestRunnableGoroutinesReported(t *testing.T) {
	if _, ok := runnableGoroutines(); !ok {
		t.Fatal("runtime/metrics does not report /sched/goroutines/runnable:goroutines")
	}
	prefetchYield() // returns, whatever the count
}
