package wasmruntime

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"runtime"
	rtmetrics "runtime/metrics"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/internal/hostabi"
	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/internal/yield"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/encoding/protowire"
)

// Defaults of the kept-content store (KeepContent).
const (
	DefaultKeptBytes = 256 << 20
	DefaultKeepTime  = 2 * time.Minute
)

// ErrKeptFull is returned by Keep when the store cannot take the content without going over its
// byte limit.
var ErrKeptFull = errors.New("kept content limit reached")

// ErrContentTwice is returned by InvokeKept for a request that carries content besides a handle.
var ErrContentTwice = errors.New("request has content and a content handle")

// ErrNotKept is returned by Kept for a handle that is unknown, released or expired.
var ErrNotKept = errors.New("content handle unknown, released or expired")

// keptStore holds samples between the module calls of one analysis, under random handles. It
// is bounded in bytes; an entry not used for keepTime is dropped, so a caller that dies
// without releasing costs memory only for that long. Entries are never evicted early to make
// room: a full store refuses, and the caller sends the content with each call instead.
type keptStore struct {
	limit    int64
	keepTime time.Duration
	now      func() time.Time

	mu      sync.Mutex
	entries map[string]*keptEntry
	bytes   int64

	// counted and countedRuns receive the digests' sources (athena_wasm_kept_digests_total)
	// and the text runs' (athena_wasm_kept_text_runs_total); set once, before the store is used.
	counted, countedRuns *prometheus.CounterVec
}

type keptEntry struct {
	content  []byte
	lastUsed time.Time
	memo     *contentMemo
}

func newKeptStore(limit int64, keepTime time.Duration) *keptStore {
	if limit <= 0 {
		limit = DefaultKeptBytes
	}
	if keepTime <= 0 {
		keepTime = DefaultKeepTime
	}
	return &keptStore{limit: limit, keepTime: keepTime, now: time.Now, entries: map[string]*keptEntry{}}
}

// Keep stores content (which the store now owns and never modifies) and returns its handle
// and its memo.
func (s *keptStore) Keep(content []byte) (string, *contentMemo, error) {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	handle := hex.EncodeToString(id[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	if s.bytes+int64(len(content)) > s.limit {
		return "", nil, ErrKeptFull
	}
	e := &keptEntry{content: content, lastUsed: s.now(), memo: &contentMemo{content: content, counted: s.counted, countedRuns: s.countedRuns}}
	s.entries[handle] = e
	s.bytes += int64(len(content))
	return handle, e.memo, nil
}

// Kept returns the content kept under handle, with its memo, and renews its
// keep time. Callers must not modify the content: concurrent calls share it.
func (s *keptStore) Kept(handle string) ([]byte, *contentMemo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	e, ok := s.entries[handle]
	if !ok {
		return nil, nil, ErrNotKept
	}
	e.lastUsed = s.now()
	return e.content, e.memo, nil
}

// Release drops the content kept under handle, if any.
func (s *keptStore) Release(handle string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[handle]; ok {
		delete(s.entries, handle)
		s.bytes -= int64(len(e.content))
		e.memo.dropped.Store(true)
	}
}

// Bytes is the size of everything kept.
func (s *keptStore) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	return s.bytes
}

// expireLocked drops entries unused for keepTime. The store holds few entries (one per
// analysis in flight), so a scan per operation is cheap.
func (s *keptStore) expireLocked() {
	cutoff := s.now().Add(-s.keepTime)
	for h, e := range s.entries {
		if e.lastUsed.Before(cutoff) {
			delete(s.entries, h)
			s.bytes -= int64(len(e.content))
			e.memo.dropped.Store(true)
		}
	}
}

// contentMemo memoizes, for the module calls that read one kept content (hostabi.Known), its
// whole-content digests and its text runs. Each digest is computed once, by the first call
// that asks for it or beforehand by prefetch, whichever comes first; the runs of each kind are
// found once, by the first call that asks for them; the others wait for it.
type contentMemo struct {
	content []byte
	algs    [hostabi.DigestCounts + 1]struct {
		once sync.Once
		sum  []byte
		// awaited is set by a call that asks for the digest: if the prefetch is computing it,
		// it stops giving way, since a guest holding a slot now waits for it.
		awaited atomic.Bool
	}
	// runs are the content's runs by kind (nil: too many to hold), found by the first call to
	// ask for ASCII runs and by the first to ask for either UTF-16LE kind (one scan finds both).
	runs                 [textruns.UTF16LEOdd + 1]*textruns.Index
	asciiOnce, utf16Once sync.Once
	prefixOnce           sync.Once
	prefix               *bytecount.Prefix // built by the first range's byte counts
	dropped              atomic.Bool       // the content was released or expired: prefetch stops
	counted, countedRuns *prometheus.CounterVec
}

// maxMemoRuns bounds each kind's runs the memo holds (8 bytes each): content with more is
// scanned by each call that asks. A 1 MB executable has ten to twenty thousand.
const maxMemoRuns = 1 << 18

// Sum is alg's digest of in when in holds exactly the kept bytes. A guest gets its own copy of
// the content, which it may have changed: the bytes are compared (a memcmp, far cheaper than
// any digest) rather than trusted.
func (d *contentMemo) Sum(alg uint32, in []byte) ([]byte, bool) {
	if alg >= uint32(len(d.algs)) || hostabi.DigestRoom(alg) == 0 ||
		len(in) != len(d.content) || !bytes.Equal(in, d.content) {
		return nil, false
	}
	return d.sum(alg, "call"), true
}

// rangeCounts appends athena.digest's byte counts of in, which the guest holds at off in its
// copy of the content, to out, from the content's prefix counts (bytecount.Prefix), after
// comparing the bytes as Sum does. The content is counted once, by the first range to ask
// (yielding as a digest does) or by the prefetch. ok is false for bytes that differ and for a
// range under two of the prefix's blocks (counting it costs about as much).
func (d *contentMemo) rangeCounts(off int, in, out []byte) ([]byte, bool) {
	if off < 0 || off+len(in) > len(d.content) || len(in) < 2*bytecount.PrefixBlock(len(d.content)) ||
		!bytes.Equal(in, d.content[off:off+len(in)]) {
		return nil, false
	}
	var counts [256]uint64
	d.prefixed(yield.New(runtime.Gosched)).Add(&counts, off, off+len(in))
	if d.counted != nil {
		d.counted.WithLabelValues("range").Inc()
	}
	return bytecount.AppendCounts(out, &counts), true
}

// prefixed returns the content's prefix counts, counting them first if nobody has, telling y
// how far it got.
func (d *contentMemo) prefixed(y *yield.Point) *bytecount.Prefix {
	d.prefixOnce.Do(func() { d.prefix = bytecount.NewPrefix(d.content, y) })
	return d.prefix
}

// callMemo is one call's view of the memo of its content: where the guest's copy of the
// content lies in the guest's memory once the request is written there (locate), so that
// athena.digest's byte counts of a part of it — a section, a window — come from the memo.
type callMemo struct {
	*contentMemo
	at      uint32 // the guest address of the content's first byte, when located
	located bool
}

// Sum answers athena.digest over the whole content from the memo (contentMemo.Sum), and the
// byte counts of the content or of a range inside the guest's copy of it from the prefix
// counts, which the ranges build anyway.
func (c *callMemo) Sum(alg, ptr uint32, in, out []byte) ([]byte, bool) {
	switch {
	case alg == hostabi.DigestCounts && len(in) == len(c.content):
		return c.rangeCounts(0, in, out)
	case alg == hostabi.DigestCounts && c.located && ptr >= c.at:
		return c.rangeCounts(int(ptr-c.at), in, out)
	case len(in) == len(c.content):
		return c.contentMemo.Sum(alg, in)
	}
	return nil, false
}

// locate finds the content in req, the request as written at ptr in the guest's memory: the
// guest reads its content in place (wasm-modules/guest), so its slices of it point there. A
// request whose content field is not the kept content's length leaves the call unlocated.
func (c *callMemo) locate(ptr uint32, req []byte) {
	c.located = false
	for b := req; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return
		}
		if num == requestContentField && typ == protowire.BytesType {
			v, k := protowire.ConsumeBytes(b[n:])
			if k < 0 || len(v) != len(c.content) {
				return
			}
			c.at, c.located = ptr+uint32(len(req)-len(b)+n+k-len(v)), true
		}
		b = b[n+m:]
	}
}

// requestContentField is AnalyzeRequest.content's field number.
var requestContentField = (&modulev1.AnalyzeRequest{}).ProtoReflect().Descriptor().Fields().ByName("content").Number()

// Runs answers athena.text_runs over in from the runs of the content when in holds exactly
// the kept bytes or a suffix of them — where a guest resumes a scan — compared, like Sum's
// input, rather than trusted. The first call to ask for a kind finds all its runs, of at least
// textruns.IndexFloor characters (those of both UTF-16LE kinds at once), yielding as a scan
// does. ok is false when the memo cannot answer: the bytes differ, minLen is below the floor,
// in cuts a run in two, or the content has too many runs to hold.
func (d *contentMemo) Runs(kind textruns.Kind, minLen int, in, out []byte) (int, bool) {
	off := len(d.content) - len(in)
	if !kind.Valid() || minLen < textruns.IndexFloor || off < 0 || !bytes.Equal(in, d.content[off:]) {
		d.countRuns("scan")
		return 0, false
	}
	source := "memo"
	if k := kind.At(off); k == textruns.ASCII {
		d.asciiOnce.Do(func() {
			d.runs[k], _ = textruns.NewIndex(k, d.content, maxMemoRuns, yield.New(runtime.Gosched))
			source = "index"
		})
	} else {
		d.utf16Once.Do(func() {
			d.runs[textruns.UTF16LEEven], d.runs[textruns.UTF16LEOdd] = textruns.NewUTF16Indexes(d.content, maxMemoRuns, yield.New(runtime.Gosched))
			source = "index"
		})
	}
	n, ok := 0, false
	if ix := d.runs[kind.At(off)]; ix != nil {
		n, ok = ix.Encode(kind, minLen, off, out)
	}
	if !ok {
		source = "scan"
	}
	d.countRuns(source)
	return n, ok
}

// countRuns counts how a text_runs call over the kept content was answered
// (athena_wasm_kept_text_runs_total).
func (d *contentMemo) countRuns(source string) {
	if d.countedRuns != nil {
		d.countedRuns.WithLabelValues(source).Inc()
	}
}

// sum returns alg's digest of the content, computing it if nobody has, a core's turn at a
// time (package yield); source labels who computed it in athena_wasm_kept_digests_total.
func (d *contentMemo) sum(alg uint32, source string) []byte {
	a := &d.algs[alg]
	if source == "call" {
		a.awaited.Store(true)
	}
	computed := false
	a.once.Do(func() {
		y := runtime.Gosched // a module call's host function: its guest holds a slot anyway
		if source == "prefetch" {
			y = func() {
				if !a.awaited.Load() {
					prefetchYield()
				}
			}
		}
		a.sum = hostabi.SumYielding(alg, d.content, yield.New(y))
		computed = true
	})
	if !computed {
		source = "memo"
	}
	if d.counted != nil {
		d.counted.WithLabelValues(source).Inc()
	}
	return a.sum
}

// prefetch computes algs, which are in the order the calls ask for them, from the last: a call
// that starts before the prefetch is done computes the first ones itself meanwhile, and the
// two meet without either waiting for the other. Byte counts are prepared as the calls read
// them, as prefix counts (rangeCounts). It stops early once the content is dropped.
func (d *contentMemo) prefetch(algs []uint32) {
	for i := len(algs) - 1; i >= 0; i-- {
		if d.dropped.Load() {
			return
		}
		if algs[i] == hostabi.DigestCounts {
			d.prefixed(yield.New(prefetchYield))
			continue
		}
		d.sum(algs[i], "prefetch")
	}
}

// prefetchYield is the digest prefetch's yield: while goroutines wait to run, it sleeps for
// prefetchPause. runtime.Gosched would not do: it puts the prefetch on the global run queue,
// from which its own core takes it again before it steals a goroutine queued on the other core
// behind a guest — the next module call's handler, execution traces showed, for up to 7 ms.
// Asleep, the prefetch lets its core go looking for them. With nothing waiting it runs on.
func prefetchYield() {
	if n, ok := runnableGoroutines(); ok && n > 0 {
		time.Sleep(prefetchPause)
	}
}

// runnableGoroutines is the runtime's approximate count of goroutines ready to run but not
// running; ok is false when this Go does not report it.
func runnableGoroutines() (n uint64, ok bool) {
	s := [1]rtmetrics.Sample{{Name: "/sched/goroutines/runnable:goroutines"}}
	rtmetrics.Read(s[:])
	if s[0].Value.Kind() != rtmetrics.KindUint64 {
		return 0, false
	}
	return s[0].Value.Uint64(), true
}

// prefetchPause is how long the prefetch gives way: the timer fires at the first scheduling
// point after it, which on busy cores is soon (the whole process idle would round it to a
// millisecond, but then nothing waited).
const prefetchPause = 20 * time.Microsecond

type knownKey struct{}

// withKnown gives the host functions of a call the memo of the content it runs on.
func withKnown(ctx context.Context, d *contentMemo) context.Context {
	return context.WithValue(ctx, knownKey{}, &callMemo{contentMemo: d})
}

// knownMemo is the call's memo for athena.digest and athena.text_runs, or nil.
func knownMemo(ctx context.Context) hostabi.Known {
	if c := callMemoOf(ctx); c != nil {
		return c
	}
	return nil
}

func callMemoOf(ctx context.Context) *callMemo {
	c, _ := ctx.Value(knownKey{}).(*callMemo)
	return c
}

// KeepContent holds content for InvokeKept calls and returns its handle (ErrKeptFull when the
// store is full, ErrClosed after Close). The runtime owns content from then on. The digests
// that modules (the loaded ones among those named) declare in ModuleInfo.sample_digests are
// computed in the background, while the caller's next steps run, when no other prefetch is
// running; otherwise the first call that asks computes them.
func (r *Runtime) KeepContent(content []byte, modules ...string) (string, error) {
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return "", ErrClosed
	}
	var algs []uint32
	for _, name := range modules {
		if m, ok := r.modules[name]; ok {
			for _, alg := range m.info.GetSampleDigests() {
				if !slices.Contains(algs, alg) {
					algs = append(algs, alg)
				}
			}
		}
	}
	// The prefetch is counted in r.wg (Close waits for it) while Close cannot have started.
	prefetch := false
	if len(algs) > 0 {
		select {
		case r.prefetching <- struct{}{}:
			prefetch = true
			r.wg.Add(1)
		default: // the cores are busy with other prefetches: the calls compute what they need
		}
	}
	r.mu.RUnlock()
	done := func() {
		<-r.prefetching
		r.wg.Done()
	}
	h, d, err := r.kept.Keep(content)
	if err != nil {
		if prefetch {
			done()
		}
		return "", err
	}
	if prefetch {
		go func() {
			defer done()
			// Labelled like the module calls (Invoke), so that profiles show it.
			pprof.Do(context.Background(), pprof.Labels("module", "(digest prefetch)"), func(context.Context) { d.prefetch(algs) })
		}()
	}
	return h, nil
}

// sampleDigests is what a module declared in ModuleInfo.sample_digests, kept as the runtime
// uses it: the algorithms athena.digest knows, each once, in the declared order. A module's
// description is not trusted to be short or sensible.
func sampleDigests(declared []uint32) []uint32 {
	var out []uint32
	for _, alg := range declared {
		if hostabi.DigestRoom(alg) > 0 && !slices.Contains(out, alg) {
			out = append(out, alg)
		}
	}
	return out
}

// prefetchSlots bounds the background digest computations: one per two cores, so that they
// take a core the analyses' serial steps leave idle rather than one those steps need.
func prefetchSlots() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// ReleaseContent drops the content kept under handle, if any.
func (r *Runtime) ReleaseContent(handle string) {
	r.kept.Release(handle)
}

// InvokeKept is Invoke with the content kept under handle as req's content, which must be
// empty. An unknown or expired handle is ErrNotKept. The module's athena.digest calls over the
// whole content are answered from the content's memo.
func (r *Runtime) InvokeKept(ctx context.Context, name, handle string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	if len(req.GetContent()) > 0 {
		return nil, ErrContentTwice
	}
	content, d, err := r.kept.Kept(handle)
	if err != nil {
		return nil, err
	}
	req.Content = content
	return r.Invoke(withKnown(ctx, d), name, req)
}
