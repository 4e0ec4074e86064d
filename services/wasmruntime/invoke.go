package wasmruntime

import (
	"context"
	"errors"
	"fmt"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
)

// Outcomes label metrics and spans.
const (
	outcomeOK          = "ok"
	outcomeModuleError = "module_error"
	outcomeDeadline    = "deadline"
	outcomeMemory      = "memory"
	outcomeOutput      = "output"
	outcomePool        = "pool"
	outcomeTrap        = "trap"
	outcomeABI         = "abi"
	outcomeRefused     = "refused"
	outcomeCancelled   = "cancelled"
	pageSize           = 64 << 10
	stderrTail         = 512
)

// Invoke runs athena_analyze of the named module on req. Module-level outcomes (deadline,
// memory, output or pool limit, trap, ABI violation, module error) are not Go errors: they are
// the response's Status and Error, with whatever the guest emitted before merged into Response.
// Go errors are only ErrModuleNotFound and ErrClosed. The guest is stopped a little before ctx's
// deadline so the partial response can still reach a remote caller.
func (r *Runtime) Invoke(ctx context.Context, name string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	start := time.Now()
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return nil, ErrClosed
	}
	m, ok := r.modules[name]
	if !ok {
		r.mu.RUnlock()
		return nil, fmt.Errorf("invoke %q: %w", name, ErrModuleNotFound)
	}
	m.inflight.Add(1)
	r.mu.RUnlock()
	defer m.inflight.Done()

	ctx, span := r.tracer.Start(ctx, "wasmruntime.invoke", trace.WithAttributes(
		attribute.String("athena.module", m.name),
		attribute.String("athena.module.version", m.info.GetVersion()),
		attribute.String("athena.module.sha256", m.sha256),
		attribute.String("athena.engine", r.eng.name()),
	))
	defer span.End()

	out := &wasmruntimev1.InvokeResponse{Version: m.info.GetVersion()}
	// The label puts the guest's CPU (runtime._ExternalCode in a profile) and the host calls
	// it makes under its module: go tool pprof -tags, or -tagfocus module=crypto.
	var c callResult
	pprof.Do(ctx, pprof.Labels("module", m.name), func(ctx context.Context) { c = r.invoke(ctx, m, req, out, span) })
	if out.Response == nil {
		out.Response = &modulev1.AnalyzeResponse{}
	}

	r.metrics.invocations.WithLabelValues(m.name, c.outcome).Inc()
	r.metrics.duration.WithLabelValues(m.name).Observe(time.Since(start).Seconds())
	if out.MemoryPages > 0 {
		r.metrics.memoryPages.WithLabelValues(m.name).Set(float64(out.MemoryPages))
	}
	span.SetAttributes(
		attribute.Int("athena.input_bytes", c.inputBytes),
		attribute.Int("athena.output_bytes", proto.Size(out.Response)),
		attribute.Bool("athena.instance_reused", out.InstanceReused),
		attribute.String("athena.instance", map[bool]string{true: "reused", false: "fresh"}[out.InstanceReused]),
		attribute.String("athena.outcome", c.outcome),
		attribute.Int64("athena.memory_pages", int64(out.MemoryPages)),
	)
	if out.Status != analysisv1.ModuleStatus_MODULE_STATUS_OK {
		span.SetStatus(codes.Error, out.Error)
	}
	return out, nil
}

// callResult is what one call's classification decided.
type callResult struct {
	outcome    string
	inputBytes int
}

func (r *Runtime) invoke(ctx context.Context, m *module, req *modulev1.AnalyzeRequest, out *wasmruntimev1.InvokeResponse, span trace.Span) callResult {
	fail := func(status analysisv1.ModuleStatus, outcome, msg string) callResult {
		out.Status, out.Error = status, msg
		return callResult{outcome: outcome}
	}
	if !r.eng.deadlineEnforced() && !r.cfg.AllowUntrustedOnUnenforcedEngine {
		return fail(analysisv1.ModuleStatus_MODULE_STATUS_ERROR, outcomeRefused,
			fmt.Sprintf("engine %s cannot stop a running guest: refusing sample input (set AllowUntrustedOnUnenforcedEngine to allow)", r.eng.name()))
	}
	lim := m.limits
	deadline := guestDeadline(ctx, lim.Timeout)
	callCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	if err := checkRequestStrings(req); err != nil {
		return fail(analysisv1.ModuleStatus_MODULE_STATUS_ERROR, outcomeABI, err.Error())
	}
	res := callResult{inputBytes: len(req.GetContent())}
	if callCtx.Err() != nil {
		res.outcome = outcomeDeadline
		out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "deadline exceeded before the call started"
		return res
	}

	pi, err := m.pool.acquire(callCtx)
	if err != nil {
		switch {
		case errors.Is(err, errPoolBusy):
			res.outcome = outcomePool
			out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, err.Error()
		case errors.Is(err, errDeadline) || callCtx.Err() != nil:
			res.outcome = outcomeDeadline
			out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, fmt.Sprintf("instantiate %s: %v", m.name, err)
		default:
			res.outcome = outcomeTrap
			out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_ERROR, fmt.Sprintf("instantiate %s: %v", m.name, err)
		}
		return res
	}
	out.InstanceReused = pi.uses > 0
	// The guest waits for a core: a guest is not preempted, so one beyond the cores would
	// only slow the running ones down.
	waitStart := time.Now()
	select {
	case r.guests <- struct{}{}:
	case <-callCtx.Done():
		m.pool.put(pi, true)
		res.outcome = stopped(ctx, out, fmt.Sprintf("deadline reached waiting for one of the runtime's %d guest slots", cap(r.guests)))
		return res
	}
	span.SetAttributes(attribute.Float64("athena.slot_wait_ms", float64(time.Since(waitStart).Microseconds())/1000))
	pi.stdout.take()
	pi.stderr.take()

	col := &collector{limit: lim.OutputBytes}
	callStart := time.Now()
	resp, abandoned, callErr := r.run(withCollector(callCtx, col), m, pi, req, deadline.UnixMilli(), lim.OutputBytes)
	out.DurationMs = time.Since(callStart).Milliseconds()
	frags, emitErr := col.finish()

	merged := frags
	if merged == nil {
		merged = &modulev1.AnalyzeResponse{}
	}
	if resp != nil {
		proto.Merge(merged, resp)
	}
	out.Response = merged
	if !abandoned {
		out.MemoryPages = uint32(pi.inst.memory().size() / pageSize)
	}
	stdout, outDropped := pi.stdout.take()
	stderr, errDropped := pi.stderr.take()
	if stdout != "" || stderr != "" {
		span.AddEvent("guest output", trace.WithAttributes(
			attribute.String("stdout", stdout), attribute.String("stderr", stderr),
			attribute.Int64("stdout_dropped_bytes", outDropped), attribute.Int64("stderr_dropped_bytes", errDropped),
		))
	}

	healthy := false
	switch {
	case callErr == nil && emitErr == nil && !r.eng.memoryEnforced() && out.MemoryPages > lim.MemoryPages:
		res.outcome = outcomeMemory
		out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED,
			fmt.Sprintf("memory limit exceeded: %d pages, limit %d (checked after the call)", out.MemoryPages, lim.MemoryPages)
	case callErr == nil && emitErr == nil:
		healthy = true
		if total := col.bytes + int64(proto.Size(resp)); total > lim.OutputBytes {
			healthy = false
			res.outcome = outcomeOutput
			out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED,
				fmt.Sprintf("%v: %d bytes emitted and returned, limit %d", errOutputLimit, total, lim.OutputBytes)
		} else if resp.GetError() != "" {
			res.outcome = outcomeModuleError
			out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_ERROR, resp.GetError()
		} else {
			res.outcome = outcomeOK
			out.Status = analysisv1.ModuleStatus_MODULE_STATUS_OK
		}
	case abandoned || errors.Is(callErr, errDeadline) || (callErr != nil && callCtx.Err() != nil):
		res.outcome = stopped(ctx, out, fmt.Sprintf("deadline exceeded: guest stopped after %s (module limit %s)", time.Since(callStart).Round(time.Millisecond), lim.Timeout))
	case errors.Is(callErr, errOutputLimit) || errors.Is(emitErr, errOutputLimit):
		res.outcome = outcomeOutput
		out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, firstErr(emitErr, callErr).Error()
	case errors.Is(callErr, errABI) || errors.Is(emitErr, errABI):
		res.outcome = outcomeABI
		out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_ERROR, firstErr(emitErr, callErr).Error()
	case out.MemoryPages+memorySlack(lim.MemoryPages) >= lim.MemoryPages || strings.Contains(stderr, "out of memory"):
		res.outcome = outcomeMemory
		out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED,
			fmt.Sprintf("memory limit reached: %d of %d pages (%d MiB): %v", out.MemoryPages, lim.MemoryPages, uint64(lim.MemoryPages)*pageSize>>20, callErr)
	default:
		res.outcome = outcomeTrap
		out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_ERROR, fmt.Sprintf("trap: %v", callErr)
	}
	if !healthy && stderr != "" && res.outcome != outcomeModuleError {
		out.Error += "; stderr: " + tail(stderr, stderrTail)
	}
	if !abandoned {
		m.pool.put(pi, healthy)
	}
	return res
}

// stopped records a call cut short: cancelled by the caller, or past its deadline (explained
// by deadlineMsg). It returns the outcome.
func stopped(ctx context.Context, out *wasmruntimev1.InvokeResponse, deadlineMsg string) string {
	if ctx.Err() == context.Canceled {
		out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "call cancelled by the caller"
		return outcomeCancelled
	}
	out.Status, out.Error = analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, deadlineMsg
	return outcomeDeadline
}

// run calls the guest, which holds one of r.guests, and frees that slot when the guest
// returns. On an engine that cannot interrupt a guest the call runs on its own goroutine and is
// abandoned at the deadline; the goroutine closes the instance when the guest finally returns
// (Close waits for it). An abandoned guest frees its slot at once: it may never return, and a
// slot held forever would stop the runtime.
func (r *Runtime) run(ctx context.Context, m *module, pi *pooled, req *modulev1.AnalyzeRequest, deadlineMs, maxOutput int64) (*modulev1.AnalyzeResponse, bool, error) {
	if r.eng.deadlineEnforced() {
		defer func() { <-r.guests }()
		resp, err := callAnalyzeRequest(ctx, pi.inst, req, deadlineMs, maxOutput)
		return resp, false, err
	}
	var freed sync.Once
	free := func() { freed.Do(func() { <-r.guests }) }
	type result struct {
		resp *modulev1.AnalyzeResponse
		err  error
	}
	done := make(chan result)
	gone := make(chan struct{})
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer free()
		resp, err := callAnalyzeRequest(ctx, pi.inst, req, deadlineMs, maxOutput)
		select {
		case done <- result{resp, err}:
		case <-gone:
			_ = pi.inst.close(context.Background())
		}
	}()
	select {
	case res := <-done:
		return res.resp, false, res.err
	case <-ctx.Done():
		close(gone)
		free()
		m.pool.abandon()
		return nil, true, errDeadline
	}
}

// memorySlack is how close to the cap a failed instance's memory must be for the failure to
// count as running out of memory: wasm has no event for a refused memory.grow, so the host
// infers it. A sixteenth of the cap, at least 16 pages, covers the Go runtime's 4 MiB heap
// arenas (64 pages) at the default cap of 4096 pages.
func memorySlack(limit uint32) uint32 {
	return max(limit/16, 16)
}

// guestDeadline is the earlier of now+timeout and the caller's deadline minus a margin, so the
// guest stops in time for its partial result to travel back.
func guestDeadline(ctx context.Context, timeout time.Duration) time.Time {
	d := time.Now().Add(timeout)
	if cd, ok := ctx.Deadline(); ok {
		margin := time.Until(cd) / 10
		if margin > maxDeadlineMargin {
			margin = maxDeadlineMargin
		}
		if margin < 0 {
			margin = 0
		}
		if c := cd.Add(-margin); c.Before(d) {
			d = c
		}
	}
	return d
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
