package sandbox

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"time"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/dop251/goja"
)

// stopReason says why the interpreter was interrupted.
type stopReason string

const (
	stopQuit       stopReason = "quit"
	stopTime       stopReason = "time budget"
	stopSteps      stopReason = "step budget"
	stopBehaviours stopReason = "behaviour cap"
)

// session is one analysis: a fresh goja runtime and its recorder, dropped when Analyze returns.
type session struct {
	a          *Analyzer
	req        *modulev1.AnalyzeRequest
	rt         *goja.Runtime
	rec        *recorder
	rng        *rand.Rand
	httpStatus int
	httpBody   string
	scriptName string

	steps     int64
	start     time.Time
	budgetEnd time.Time
	lastEmit  time.Time
	stopped   stopReason
	// sleep is the fast-forwarded time, added to the script's clock so timing checks around
	// WScript.Sleep see the time pass.
	sleep time.Duration
}

func newSession(a *Analyzer, req *modulev1.AnalyzeRequest, status int) *session {
	now := time.Now()
	end := now.Add(a.limits.DefaultBudget)
	if d := req.GetDeadlineUnixMs(); d > 0 {
		// The margin shrinks with a short deadline so a tight budget still runs the script.
		deadline := time.UnixMilli(d)
		margin := min(a.limits.DeadlineMargin, deadline.Sub(now)/10)
		end = deadline.Add(-max(margin, 0))
	}
	name := path.Base(strings.ReplaceAll(req.GetFilename(), `\`, "/"))
	if name == "" || name == "." || name == "/" {
		name = "sample.js"
	}
	body := req.GetOptions()["http_body"]
	if body == "" {
		if status >= 200 && status < 300 {
			body = "ATHENA-SANDBOX-FAKE-RESPONSE"
		} else {
			body = fmt.Sprintf("<html><body><h1>%d</h1></body></html>", status)
		}
	}
	return &session{
		a: a, req: req, httpStatus: status, httpBody: body, scriptName: name,
		start: now, budgetEnd: end, lastEmit: now,
		rec: newRecorder(a.limits, scriptLanguage(req.GetFileType())),
	}
}

// tick is called by instrumented code on every loop iteration and function entry.
func (s *session) tick() {
	s.steps++
	if s.steps > s.a.limits.MaxSteps {
		s.stop(stopSteps)
		return
	}
	if s.steps&1023 == 0 {
		s.check()
	}
}

// check compares the clock with the budget and streams pending results. It runs every 1024
// ticks and in every emulated API call: time.Now is a host call inside WASM, cheap but not free.
func (s *session) check() {
	now := time.Now()
	if now.After(s.budgetEnd) {
		s.stop(stopTime)
		return
	}
	if s.a.emitter != nil && s.rec.hasPending() && now.Sub(s.lastEmit) > 50*time.Millisecond {
		s.emit(now)
	}
}

func (s *session) emit(now time.Time) {
	if s.a.emitter == nil || !s.rec.hasPending() {
		return
	}
	s.lastEmit = now
	s.a.emitter.Emit(s.rec.flush())
}

// stop interrupts the interpreter; it stops before its next instruction.
func (s *session) stop(r stopReason) {
	if s.stopped == "" {
		s.stopped = r
	}
	s.rt.Interrupt(r)
}

// important is called after a behaviour an analyst would hate to lose: it is emitted at once.
func (s *session) important() {
	if s.rec.behaviours > s.a.limits.MaxBehaviours {
		s.rec.truncated = true
		s.stop(stopBehaviours)
		return
	}
	s.emit(time.Now())
	s.check()
}

func (s *session) run() {
	scripts := extractScripts(s.req.GetFileType(), s.req.GetContent())
	for _, n := range scripts.notes {
		s.rec.note(n)
	}
	for _, u := range scripts.srcURLs {
		s.rec.request("script src", "GET", u, nil, 0)
	}
	if len(scripts.code) == 0 {
		s.rec.note("no script to run")
		return
	}
	s.rt = goja.New()
	s.rt.SetMaxCallStackSize(s.a.limits.MaxCallStack)
	seed := sha256.Sum256(s.req.GetContent())
	s.rng = rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:16])))
	// A deterministic random source and clock make runs reproducible, so a cached report and a
	// re-run agree.
	s.rt.SetRandSource(s.rng.Float64)
	base := s.start
	s.rt.SetTimeSource(func() time.Time { return base.Add(s.sleep) })
	// The hooks take goja.FunctionCall directly: the tick runs on every loop iteration, and
	// goja's reflection wrapper for plain Go functions would cost more than the check itself.
	tick := func(goja.FunctionCall) goja.Value { s.tick(); return goja.Undefined() }
	evalSite := func(c goja.FunctionCall) goja.Value { return s.evalSite(c.Argument(0), int(c.Argument(1).ToInteger())) }
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{tickHook: tick, layerHook: evalSite} {
		v := s.rt.ToValue(fn)
		if err := s.rt.GlobalObject().DefineDataProperty(name, v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
			s.rec.note("define hook: " + err.Error())
			return
		}
	}
	envFn, err := s.rt.RunProgram(s.a.env)
	if err != nil {
		s.rec.note("run environment: " + err.Error())
		return
	}
	setup, ok := goja.AssertFunction(envFn)
	if !ok {
		s.rec.note("environment is not a function")
		return
	}
	timersVal, err := setup(goja.Undefined(), s.hooks())
	if err != nil {
		s.rec.note("set up environment: " + err.Error())
		return
	}
	runTimers, _ := goja.AssertFunction(timersVal)

	for i, code := range scripts.code {
		if s.stopped != "" {
			break
		}
		src, ok := instrument(code, 0)
		if !ok {
			s.rec.note(fmt.Sprintf("script %d was not instrumented (does not parse or rewrite failed): it runs unbounded inside the host deadline", i))
		}
		_, err := s.rt.RunScript(s.scriptName, src)
		s.handle(err)
	}
	if s.stopped == "" && runTimers != nil {
		_, err := runTimers(goja.Undefined(), s.rt.ToValue(s.a.limits.MaxTimers))
		s.handle(err)
	}
	s.finish()
}

// handle records how a script run ended.
func (s *session) handle(err error) {
	if err == nil {
		return
	}
	var intr *goja.InterruptedError
	if errors.As(err, &intr) {
		return // s.stopped says why
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		s.rec.exception(ex.Value().String())
		return
	}
	s.rec.exception(err.Error())
}

func (s *session) finish() {
	switch s.stopped {
	case stopTime, stopSteps:
		s.rec.timeout(string(s.stopped), s.steps)
	case stopBehaviours:
		s.rec.note(fmt.Sprintf("stopped after %d behaviours", s.a.limits.MaxBehaviours))
	}
	s.rec.sleepMS = s.sleep.Milliseconds()
	s.rec.finalize()
}

// evalSite is the hook that rewritten eval call sites pass their argument through.
func (s *session) evalSite(v goja.Value, depth int) goja.Value {
	str, isString := v.Export().(string)
	if !isString {
		return v
	}
	return s.rt.ToValue(s.layer("eval", str, depth))
}

// layer records a dynamically built code layer and returns it instrumented.
func (s *session) layer(kind, code string, depth int) string {
	s.check()
	if depth > s.a.limits.MaxEvalDepth {
		s.rec.limit(kind+" depth", int64(depth))
		panic(s.rt.NewGoError(fmt.Errorf("eval depth %d exceeds %d", depth, s.a.limits.MaxEvalDepth)))
	}
	s.rec.layer(kind, code, depth)
	out, ok := instrument(code, depth)
	if !ok {
		s.rec.note(kind + " layer was not instrumented (does not parse)")
	}
	return out
}

// hooks builds the object env.js receives. Each hook records into the recorder; the ones that
// a script can call in a tight loop also check the budget.
func (s *session) hooks() *goja.Object {
	h := s.rt.NewObject()
	set := func(name string, fn any) {
		if err := h.Set(name, fn); err != nil {
			s.rec.note("hook " + name + ": " + err.Error())
		}
	}
	set("scriptName", s.scriptName)
	set("maxString", s.a.limits.MaxStringBytes)
	set("log", func(kind, object, detail string) {
		if kind == "unknown_member" && !s.rec.firstUnknown(object, detail) {
			return // a loop over an unemulated member must not use up the behaviour cap
		}
		s.rec.event(kind, object, detail)
		s.important()
	})
	set("create", func(progID string) {
		s.rec.object(progID)
		s.important()
	})
	set("http", func(object, method, url string, headers map[string]any) map[string]any {
		h := map[string]string{}
		for k, v := range headers {
			h[k] = fmt.Sprint(v)
		}
		s.rec.request(object, method, url, h, s.httpStatus)
		s.important()
		return map[string]any{"status": s.httpStatus, "statusText": statusText(s.httpStatus), "body": s.httpBody}
	})
	set("drop", func(object, path, data string, binary bool) {
		s.rec.drop(object, path, jsBytes(data), binary)
		s.important()
	})
	set("run", func(object, cmd string, _ bool) {
		s.rec.command(object, cmd)
		s.important()
	})
	set("reg", func(object, key, value string) {
		s.rec.registry(object, key, value)
		s.important()
	})
	set("del", func(object, path string) {
		s.rec.deleteFile(object, path, s.scriptName)
		s.important()
	})
	set("sleep", func(ms float64) {
		if ms > 0 && ms < 1e12 {
			s.sleep += time.Duration(ms) * time.Millisecond
		}
		s.rec.sleepEvent(int64(ms))
		s.important()
	})
	set("quit", func() { s.stop(stopQuit) })
	set("random", s.rng.Float64)
	set("exception", func(msg string) { s.rec.exception(msg) })
	set("limit", func(what string, size float64) {
		s.rec.limit(what, int64(size))
		s.important()
	})
	set("layer", func(kind, code string, depth int) string { return s.layer(kind, code, depth) })
	set("documentWrite", func(html string) []string {
		s.rec.event("document_write", "document", html)
		scripts := extractScripts("html", []byte(html))
		for _, u := range scripts.srcURLs {
			s.rec.request("document", "GET", u, nil, s.httpStatus)
		}
		out := make([]string, 0, len(scripts.code))
		for _, c := range scripts.code {
			out = append(out, s.layer("document.write", c, 1))
		}
		s.important()
		return out
	})
	return h
}

// jsBytes turns a JavaScript string into file bytes: binary data travels through ADODB as
// one byte per UTF-16 code unit, text is stored as UTF-8.
func jsBytes(s string) []byte {
	latin := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return []byte(s)
		}
		latin = append(latin, byte(r))
	}
	return latin
}

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 404:
		return "Not Found"
	case 403:
		return "Forbidden"
	case 500:
		return "Internal Server Error"
	}
	return ""
}
