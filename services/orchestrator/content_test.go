package orchestrator

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// keepingFake is a fakeInvoker that can keep content like the wasm runtime. forgetAfter > 0
// makes it lose kept content after that many kept calls (an expiry or a runtime restart
// mid-analysis); keepErr makes KeepContent fail.
type keepingFake struct {
	*fakeInvoker
	forgetAfter int
	keepErr     error
	entered     chan struct{} // when set, an identify=only call signals here, then waits for gate
	gate        chan struct{}

	mu         sync.Mutex
	kept       map[string][]byte
	keeps      int
	keptCalls  int
	inline     int
	released   []string
	keptFor    [][]string     // the modules named by each KeepContent
	seenLength map[string]int // module → content length it received
}

func newKeepingFake() *keepingFake {
	k := &keepingFake{kept: map[string][]byte{}, seenLength: map[string]int{}}
	k.fakeInvoker = newFake(func(_ context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		k.mu.Lock()
		k.seenLength[module] = len(req.Content)
		k.mu.Unlock()
		if module == IdentifyModule && req.GetOptions()["identify"] == "only" && k.gate != nil {
			k.entered <- struct{}{}
			<-k.gate
		}
		if module == IdentifyModule {
			return ok(&modulev1.AnalyzeResponse{Identification: &modulev1.Identification{FileType: "pe", Flavors: []string{"executable", "pe"}}}), nil
		}
		return nil, nil
	})
	return k
}

func (k *keepingFake) Invoke(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	k.mu.Lock()
	k.inline++
	k.mu.Unlock()
	return k.fakeInvoker.Invoke(ctx, module, req)
}

func (k *keepingFake) KeepContent(_ context.Context, content []byte, modules []string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keepErr != nil {
		return "", k.keepErr
	}
	k.keeps++
	k.keptFor = append(k.keptFor, modules)
	h := strings.Repeat("h", k.keeps)
	k.kept[h] = bytes.Clone(content)
	return h, nil
}

func (k *keepingFake) InvokeKept(ctx context.Context, module, handle string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	if len(req.Content) > 0 {
		return nil, status.Error(codes.InvalidArgument, "content and handle")
	}
	k.mu.Lock()
	if k.forgetAfter > 0 && k.keptCalls >= k.forgetAfter {
		clear(k.kept)
	}
	content, found := k.kept[handle]
	if found {
		k.keptCalls++
	}
	k.mu.Unlock()
	if !found {
		return nil, status.Error(codes.FailedPrecondition, "not kept")
	}
	full := shallowCopy(req)
	full.Content = content
	return k.fakeInvoker.Invoke(ctx, module, full)
}

func (k *keepingFake) ReleaseContent(_ context.Context, handle string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.released = append(k.released, handle)
	delete(k.kept, handle)
	return nil
}

// released waits for the asynchronous ReleaseContent calls.
func (k *keepingFake) waitReleased(t *testing.T, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		k.mu.Lock()
		got := append([]string(nil), k.released...)
		k.mu.Unlock()
		if len(got) >= n {
			return got
		}
	}
	t.Fatalf("ReleaseContent called fewer than %d times", n)
	return nil
}

func bigSample() *analysisv1.SampleInput {
	return &analysisv1.SampleInput{Content: bytes.Repeat([]byte("MZ athena "), keepMinBytes/5), Filename: "big.exe"}
}

func TestContentKeptOncePerSample(t *testing.T) {
	k := newKeepingFake()
	o := newOrch(t, Config{Invoker: k})
	in := bigSample()
	r, err := o.Analyze(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Modules) < 4 {
		t.Fatalf("modules run: %v", r.Modules)
	}
	// Every module's call, and the identification's before them (the sample is large enough
	// to be identified on its own).
	if k.keeps != 1 || k.inline != 0 || k.keptCalls != len(r.Modules)+1 {
		t.Errorf("keeps %d, kept calls %d, inline calls %d; want 1, %d, 0", k.keeps, k.keptCalls, k.inline, len(r.Modules)+1)
	}
	for _, m := range r.Modules {
		if got := k.seenLength[m.Name]; got != len(in.Content) {
			t.Errorf("%s received %d bytes, want %d", m.Name, got, len(in.Content))
		}
	}
	if got := k.waitReleased(t, 1); len(got) != 1 || got[0] != "h" {
		t.Errorf("released %v, want [h]", got)
	}
	// The runtime hears of the modules routed whatever the identification says.
	if want := [][]string{{"crypto", "pattern-matcher"}}; !reflect.DeepEqual(k.keptFor, want) {
		t.Errorf("KeepContent named modules %v, want %v", k.keptFor, want)
	}
	k2 := newKeepingFake()
	o2 := newOrch(t, Config{Invoker: k2})
	if _, err := o2.Analyze(context.Background(), bigSample(), &analysisv1.AnalysisOptions{Modules: []string{"network", "pattern-matcher"}}); err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"pattern-matcher"}}; !reflect.DeepEqual(k2.keptFor, want) {
		t.Errorf("with options.modules: KeepContent named modules %v, want %v", k2.keptFor, want)
	}
}

// TestBypassKeepsWhileHashing: with bypassCache the sample goes to the runtime while it is
// hashed, once, and is released after its modules; an analysis that joins an identical one
// already running releases the content it sent.
func TestBypassKeepsWhileHashing(t *testing.T) {
	k := newKeepingFake()
	o := newOrch(t, Config{Invoker: k})
	bypass := &analysisv1.AnalysisOptions{BypassCache: true}
	r, err := o.Analyze(context.Background(), bigSample(), bypass)
	if err != nil {
		t.Fatal(err)
	}
	if k.keeps != 1 || k.inline != 0 || k.keptCalls != len(r.Modules)+1 {
		t.Errorf("keeps %d, kept calls %d, inline calls %d; want 1, %d, 0", k.keeps, k.keptCalls, k.inline, len(r.Modules)+1)
	}
	if got := k.waitReleased(t, 1); len(got) != 1 {
		t.Errorf("released %v, want one handle", got)
	}

	// Two identical analyses at once: the second joins the first (or, if it comes too late
	// to, runs after it: then the round is repeated); either way every handle sent is
	// released.
	for round := 0; ; round++ {
		k = newKeepingFake()
		k.entered, k.gate = make(chan struct{}, 2), make(chan struct{})
		o = newOrch(t, Config{Invoker: k})
		errs := make(chan error, 2)
		analyze := func() {
			_, err := o.Analyze(context.Background(), bigSample(), bypass)
			errs <- err
		}
		go analyze()
		<-k.entered // the first is identifying
		go analyze()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			k.mu.Lock()
			keeps := k.keeps
			k.mu.Unlock()
			if keeps == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the second analysis did not send its content")
			}
		}
		time.Sleep(20 * time.Millisecond) // let it reach the first one's flight
		close(k.gate)
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if got := k.waitReleased(t, 2); len(got) != 2 || got[0] == got[1] {
			t.Errorf("released %v, want both handles", got)
		}
		if joined := len(k.entered) == 0; joined {
			break // the second never identified: it took the first one's report
		}
		if round == 5 {
			t.Fatal("the second analysis never joined the first")
		}
	}
}

// TestContentResentWhenNoLongerKept: a runtime that loses the kept content mid-analysis (an
// expiry, a restart, another replica) costs a resend, never a module.
func TestContentResentWhenNoLongerKept(t *testing.T) {
	k := newKeepingFake()
	k.forgetAfter = 1 // only the identification gets the kept content
	o := newOrch(t, Config{Invoker: k})
	in := bigSample()
	r, err := o.Analyze(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Modules {
		if m.Status != analysisv1.ModuleStatus_MODULE_STATUS_OK {
			t.Errorf("%s: %s %s", m.Name, m.Status, m.Error)
		}
		if got := k.seenLength[m.Name]; got != len(in.Content) {
			t.Errorf("%s received %d bytes, want %d", m.Name, got, len(in.Content))
		}
	}
	if k.keptCalls != 1 || k.inline != len(r.Modules) {
		t.Errorf("kept calls %d, inline %d; want 1 and %d", k.keptCalls, k.inline, len(r.Modules))
	}
}

func TestContentSentInlineWhenNotKept(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      *analysisv1.SampleInput
		keepErr error
	}{
		{"small sample", sample("small"), nil},
		{"runtime full", bigSample(), status.Error(codes.ResourceExhausted, "full")},
		{"runtime without KeepContent", bigSample(), status.Error(codes.Unimplemented, "unknown method")},
		{"any other failure", bigSample(), errors.New("connection reset")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKeepingFake()
			k.keepErr = tc.keepErr
			o := newOrch(t, Config{Invoker: k})
			r, err := o.Analyze(context.Background(), tc.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			calls := len(r.Modules) // and a large sample's identification before them
			if len(tc.in.Content) >= splitIdentifyBytes {
				calls++
			}
			if k.keeps != 0 || k.keptCalls != 0 || k.inline != calls {
				t.Errorf("keeps %d, kept calls %d, inline %d; want 0, 0, %d", k.keeps, k.keptCalls, k.inline, calls)
			}
			for _, m := range r.Modules {
				if got := k.seenLength[m.Name]; got != len(tc.in.Content) {
					t.Errorf("%s received %d bytes, want %d", m.Name, got, len(tc.in.Content))
				}
			}
		})
	}
}

func TestShallowCopyKeepsEveryField(t *testing.T) {
	req := &modulev1.AnalyzeRequest{
		Content: []byte("c"), Filename: "f", FileType: "t", Flavors: []string{"a"}, Options: map[string]string{"k": "v"},
		Depth: 2, DeadlineUnixMs: 9, Resources: []*modulev1.Resource{{Name: "r"}}, Batch: [][]byte{[]byte("b")},
	}
	cp := shallowCopy(req)
	fields := req.ProtoReflect().Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !req.ProtoReflect().Has(fd) {
			t.Fatalf("test request leaves %s unset: set every field so this test covers it", fd.Name())
		}
		if !cp.ProtoReflect().Get(fd).Equal(req.ProtoReflect().Get(fd)) {
			t.Errorf("field %s not copied", fd.Name())
		}
	}
}
