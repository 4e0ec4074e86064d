// Package sandbox is the sandbox analyzer: it runs JavaScript / JScript samples (and the script
// blocks of HTML, HTA and WSF files) in the goja interpreter inside the WASM module, with an
// emulated Windows Script Host, ActiveX and browser environment in the spirit of box-js, and
// reports what the script did: URLs requested, files dropped, commands run, registry writes,
// dynamically built code layers.
//
// Work is bounded inside the interpreter, not by a timer: a wasip1 guest has no preemption, so
// a watchdog goroutine would never run while the VM spins. Instead the source (and every eval
// layer) is instrumented so each loop iteration and function call ticks a Go hook that counts
// steps and checks the clock against the request's deadline (see instrument.go).
package sandbox

import (
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/athena-mesh/athena/wasm-modules/guest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/dop251/goja"
)

// Name is the module name.
const Name = "sandbox"

// Version is the module version; it changes whenever behaviour or findings change.
const Version = "1.0.0"

//go:embed env.js
var envSource string

// Limits bound the work of one analysis.
type Limits struct {
	// MaxSteps is the number of loop iterations and function calls a script may make.
	MaxSteps int64
	// DefaultBudget is the script time when the request carries no deadline.
	DefaultBudget time.Duration
	// DeadlineMargin is kept free before the host's deadline to encode and return the result.
	DeadlineMargin time.Duration
	// MaxEvalDepth is how deeply eval / Function layers may nest.
	MaxEvalDepth int
	// MaxLayerArtifacts is how many distinct code layers become artifacts.
	MaxLayerArtifacts int
	// MaxBehaviours is how many behaviour events are recorded before the script is stopped.
	MaxBehaviours int
	// MaxDroppedBytes is the total size of dropped files kept as artifacts.
	MaxDroppedBytes int64
	// MaxStringBytes is the largest string repeat / padStart / padEnd may build.
	MaxStringBytes int
	// MaxTimers is how many queued setTimeout / setInterval callbacks run after the script.
	MaxTimers int
	// MaxCallStack is the interpreter's call stack depth.
	MaxCallStack int
}

// DefaultLimits are the limits used by New.
func DefaultLimits() Limits {
	return Limits{
		MaxSteps:          50_000_000,
		DefaultBudget:     10 * time.Second,
		DeadlineMargin:    250 * time.Millisecond,
		MaxEvalDepth:      32,
		MaxLayerArtifacts: 64,
		MaxBehaviours:     2000,
		MaxDroppedBytes:   32 << 20,
		MaxStringBytes:    16 << 20,
		MaxTimers:         256,
		MaxCallStack:      1024,
	}
}

// Analyzer is the sandbox module. It holds only configuration and the compiled environment,
// never per-sample state, because the host reuses pooled instances across samples.
type Analyzer struct {
	limits  Limits
	emitter guest.Emitter
	env     *goja.Program
	envErr  error
}

// Option configures an Analyzer.
type Option func(*Analyzer)

// WithEmitter streams partial results (the behaviour recorded so far) through e while a script
// runs, so a host that kills the instance at its deadline still has them. The final response
// then holds only what was not emitted: fragments plus final response are the whole result.
func WithEmitter(e guest.Emitter) Option { return func(a *Analyzer) { a.emitter = e } }

// WithLimits replaces the default limits.
func WithLimits(l Limits) Option { return func(a *Analyzer) { a.limits = l } }

// New returns the sandbox analyzer.
func New(opts ...Option) *Analyzer {
	a := &Analyzer{limits: DefaultLimits()}
	for _, o := range opts {
		o(a)
	}
	// The environment is compiled once; a goja Program is immutable and shared by runtimes.
	a.env, a.envErr = goja.Compile("env.js", envSource, false)
	return a
}

// Info describes the module.
func (a *Analyzer) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{
		Name:          Name,
		Version:       Version,
		Description:   "runs JavaScript / JScript (and HTML, HTA, WSF script blocks) in an emulated Windows Script Host, ActiveX and browser environment and records their behaviour",
		FileTypes:     []string{"javascript", "jscript", "html", "hta", "wsf"},
		MaxInputBytes: 8 << 20,
	}
}

// Analyze runs one sample. Options: http_status (the fake HTTP status answered, default 404,
// which makes droppers reveal their fallback URLs), http_body (the fake response body).
func (a *Analyzer) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	if a.envErr != nil {
		return nil, fmt.Errorf("compile environment: %w", a.envErr)
	}
	status := 404
	if v, ok := req.GetOptions()["http_status"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			return nil, fmt.Errorf("option http_status %q: want an HTTP status 100-599", v)
		}
		status = n
	}
	s := newSession(a, req, status)
	s.run()
	return s.rec.flush(), nil
}
