package orchestrator

import (
	"context"
	"sync"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// keepMinBytes is the smallest sample whose content is kept in the runtime for its module
// calls: below it, sending the content with each call costs less than the extra KeepContent
// and ReleaseContent round trips.
const keepMinBytes = 64 << 10

// releaseTimeout bounds the ReleaseContent call made after a sample's modules have run.
const releaseTimeout = 5 * time.Second

// sampleSource gives one sample's content to its module calls: by a handle to content the
// runtime keeps when the Invoker can keep it, else in each request.
type sampleSource struct {
	inv     Invoker
	keeper  ContentKeeper // nil: content goes in each request
	content []byte

	mu     sync.Mutex
	handle string // "" once the runtime no longer holds the content
}

// source prepares content for the module calls of one sample. Keeping it is an optimization:
// any failure (the runtime is full, or older and without KeepContent) means sending it each
// time. The runtime is told the modules the sample goes to whatever the identification finds,
// so it can prepare their digests of the sample while the identification runs.
func (p *pass) source(ctx context.Context, content []byte) *sampleSource {
	if p.early != nil {
		// The submitted sample, sent to the runtime while it was hashed (analyze).
		s := <-p.early
		p.early = nil
		return s
	}
	return p.o.source(ctx, content, p.mods, p.opts)
}

func (o *Orchestrator) source(ctx context.Context, content []byte, mods *moduleSet, opts *analysisv1.AnalysisOptions) *sampleSource {
	s := &sampleSource{inv: o.cfg.Invoker, content: content}
	keeper, ok := o.cfg.Invoker.(ContentKeeper)
	if !ok || len(content) < keepMinBytes {
		return s
	}
	h, err := keeper.KeepContent(ctx, content, o.cfg.Routes.Always(mods.names, opts.Modules))
	if err != nil {
		return s
	}
	s.keeper, s.handle = keeper, h
	return s
}

// invoke runs module on the sample with req, whose content must be empty.
func (s *sampleSource) invoke(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	s.mu.Lock()
	h := s.handle
	s.mu.Unlock()
	if h != "" {
		resp, err := s.keeper.InvokeKept(ctx, module, h, req)
		if status.Code(err) != codes.FailedPrecondition {
			return resp, err
		}
		// The runtime no longer holds the content (it expired, the runtime restarted, or the
		// call reached another replica): send it from now on.
		s.mu.Lock()
		s.handle = ""
		s.mu.Unlock()
	}
	full := shallowCopy(req)
	full.Content = s.content
	return s.inv.Invoke(ctx, module, full)
}

// release lets the runtime drop the kept content, without making the caller wait for it.
func (s *sampleSource) release(ctx context.Context) {
	s.mu.Lock()
	h := s.handle
	s.handle = ""
	s.mu.Unlock()
	if h == "" {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		_ = s.keeper.ReleaseContent(ctx, h) // on failure the runtime drops it after its keep time
	}()
}

// shallowCopy returns a request with req's fields, sharing their memory (content, options,
// resources): for a call that differs in a field or two, without copying megabytes.
func shallowCopy(req *modulev1.AnalyzeRequest) *modulev1.AnalyzeRequest {
	out := &modulev1.AnalyzeRequest{}
	dst := out.ProtoReflect()
	req.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	return out
}
