package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// maxDetail bounds the text kept per behaviour event.
const maxDetail = 1024

// recorder accumulates the behaviour log and turns it into findings, IOCs and artifacts as
// behaviours happen. Everything not yet handed out sits in pending; flush hands it out, so a
// series of emitted fragments followed by the final response adds up to the whole result.
type recorder struct {
	limits   Limits
	language string

	pending *modulev1.AnalyzeResponse
	det     *analysisv1.SandboxDetails

	findings map[string]bool
	iocs     map[string]bool
	layers   map[[32]byte]bool
	objects  map[string]bool
	dropped  map[string]bool // lower-case paths written
	unknown  map[string]bool // object + member already logged as unknown

	behaviours   int // significant events
	noise        int // other events
	droppedBytes int64
	evalLayers   int32
	layerCount   int
	sleepMS      int64
	timedOut     bool
	truncated    bool
	downloaded   bool
	wroteFile    bool
	ran          bool
}

func newRecorder(l Limits, language string) *recorder {
	r := &recorder{
		limits: l, language: language,
		findings: map[string]bool{}, iocs: map[string]bool{}, layers: map[[32]byte]bool{},
		objects: map[string]bool{}, dropped: map[string]bool{}, unknown: map[string]bool{},
	}
	r.reset()
	return r
}

func (r *recorder) reset() {
	r.pending = &modulev1.AnalyzeResponse{}
	r.det = &analysisv1.SandboxDetails{}
}

func (r *recorder) hasPending() bool {
	p := r.pending
	return len(p.Findings)+len(p.Iocs)+len(p.Artifacts)+len(p.Notes)+len(r.det.Events) > 0
}

// flush returns everything recorded since the last flush. The details' scalar fields carry
// running totals, so merging fragments in order (proto.Merge) yields the final values.
func (r *recorder) flush() *modulev1.AnalyzeResponse {
	out := r.pending
	d := r.det
	d.Language = r.language
	d.EvalLayers = r.evalLayers
	d.SleepMs = r.sleepMS
	d.TimedOut = r.timedOut
	d.Truncated = r.truncated
	out.Details = &analysisv1.Details{Sandbox: d}
	r.reset()
	return out
}

func clip(s string) string {
	if len(s) <= maxDetail {
		return s
	}
	return s[:maxDetail] + "…"
}

// significant are the behaviour kinds that make up what a script did to the machine. Other
// events (echo, sleep, eval, reads, unknown members) are noise a script can generate at will:
// past the cap they are dropped while the script runs on, so a loop of WScript.Sleep cannot
// push the payload out of the log. Past the cap of significant events the script is stopped.
var significant = map[string]bool{
	"http_request": true, "file_write": true, "run": true, "reg_write": true, "object_create": true, "file_delete": true,
}

// event appends a behaviour; it returns false once the cap for its kind is reached.
func (r *recorder) event(kind, object, detail string) bool {
	n := &r.noise
	if significant[kind] {
		n = &r.behaviours
	}
	*n++
	if *n > r.limits.MaxBehaviours {
		r.truncated = true
		return false
	}
	r.det.Events = append(r.det.Events, &analysisv1.BehaviorEvent{Kind: kind, Object: object, Detail: clip(detail)})
	return true
}

// firstUnknown reports whether member of object is logged as unknown for the first time.
func (r *recorder) firstUnknown(object, member string) bool {
	k := object + "\x00" + member
	if r.unknown[k] {
		return false
	}
	r.unknown[k] = true
	return true
}

func (r *recorder) note(n string) { r.pending.Notes = append(r.pending.Notes, n) }

func (r *recorder) finding(id, title string, sev analysisv1.Severity, score int32, attack []string, evidence, reason string) {
	if r.findings[id] {
		return
	}
	r.findings[id] = true
	r.pending.Findings = append(r.pending.Findings, &analysisv1.Finding{
		Module: Name, Id: id, Title: title, Severity: sev, Score: score,
		AttackTechniques: attack, Evidence: clip(evidence), Offset: -1, Reason: reason,
	})
}

func (r *recorder) ioc(t analysisv1.IOCType, value, context string) {
	value = strings.TrimSpace(value)
	if value == "" || len(value) > 2048 {
		return
	}
	key := t.String() + "\x00" + strings.ToLower(value)
	if r.iocs[key] {
		return
	}
	r.iocs[key] = true
	r.pending.Iocs = append(r.pending.Iocs, &analysisv1.IOC{
		Type: t, Value: value, Module: Name, Offset: -1, Context: clip(context), Source: "sandbox",
	})
}

func (r *recorder) object(progID string) {
	lower := strings.ToLower(progID)
	if !r.event("object_create", progID, progID) {
		return
	}
	if !r.objects[lower] {
		r.objects[lower] = true
		r.det.ObjectsCreated = append(r.det.ObjectsCreated, progID)
	}
	switch lower {
	case "wscript.shell", "shell.application":
		r.finding("sandbox.shell_object", "Script creates a shell automation object", analysisv1.Severity_SEVERITY_LOW, 100,
			[]string{"T1059.007", "T1559.001"}, progID, "scripts create shell objects to run programs; benign scripts rarely need them")
	case "adodb.stream":
		r.finding("sandbox.stream_object", "Script creates ADODB.Stream (binary file writer)", analysisv1.Severity_SEVERITY_LOW, 100,
			[]string{"T1059.007"}, progID, "ADODB.Stream is the usual way a script writes a downloaded payload to disk")
	}
}

func (r *recorder) request(object, method, rawURL string, headers map[string]string, status int) {
	if !r.event("http_request", object, method+" "+rawURL) {
		return
	}
	r.det.NetworkRequests = append(r.det.NetworkRequests, &analysisv1.EmulatedRequest{
		Method: method, Url: clip(rawURL), Headers: headers, Status: int32(status), Object: object,
	})
	r.downloaded = true
	r.ioc(analysisv1.IOCType_IOC_TYPE_URL, rawURL, object+" "+method)
	if u, err := url.Parse(rawURL); err == nil && u.Hostname() != "" {
		host := u.Hostname()
		if ip := net.ParseIP(host); ip != nil {
			if ip.To4() != nil {
				r.ioc(analysisv1.IOCType_IOC_TYPE_IPV4, host, rawURL)
			} else {
				r.ioc(analysisv1.IOCType_IOC_TYPE_IPV6, host, rawURL)
			}
		} else {
			r.ioc(analysisv1.IOCType_IOC_TYPE_DOMAIN, strings.ToLower(host), rawURL)
		}
	}
	for k, v := range headers {
		if strings.EqualFold(k, "User-Agent") {
			r.ioc(analysisv1.IOCType_IOC_TYPE_USER_AGENT, v, rawURL)
		}
	}
	r.finding("sandbox.download", "Script makes an HTTP request", analysisv1.Severity_SEVERITY_HIGH, 500,
		[]string{"T1105", "T1071.001"}, method+" "+rawURL, "a script that fetches a URL is the first stage of a download chain")
	r.combinations(rawURL)
}

func (r *recorder) drop(object, path string, data []byte, binary bool) {
	size := int64(len(data))
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	if !r.event("file_write", object, fmt.Sprintf("%s (%d bytes, sha256 %s)", path, size, digest)) {
		return
	}
	r.det.DroppedFiles = append(r.det.DroppedFiles, &analysisv1.DroppedFile{Path: clip(path), Size: size, Sha256: digest})
	r.dropped[strings.ToLower(path)] = true
	r.wroteFile = true
	r.ioc(analysisv1.IOCType_IOC_TYPE_FILE_PATH, path, object+" write")
	if r.droppedBytes+size <= r.limits.MaxDroppedBytes {
		r.droppedBytes += size
		r.pending.Artifacts = append(r.pending.Artifacts, &modulev1.Artifact{
			Kind:        analysisv1.ArtifactKind_ARTIFACT_KIND_DROPPED,
			Content:     data,
			Filename:    baseName(path),
			Description: fmt.Sprintf("file written by the script through %s to %s", object, path),
			Provenance:  []string{"sandbox", object + ".write"},
		})
	} else {
		r.truncated = true
		r.note(fmt.Sprintf("dropped file %s (%d bytes) not kept: dropped-bytes cap %d reached", path, size, r.limits.MaxDroppedBytes))
	}
	sev, score := analysisv1.Severity_SEVERITY_MEDIUM, int32(300)
	attack := []string{"T1105"}
	if len(data) >= 2 && data[0] == 'M' && data[1] == 'Z' {
		sev, score = analysisv1.Severity_SEVERITY_HIGH, 650
		attack = append(attack, "T1204.002")
	}
	r.finding("sandbox.file_drop", "Script writes a file", sev, score, attack, path,
		"files written by a script are usually its payload")
	lower := strings.ToLower(path)
	if strings.Contains(lower, `\start menu\programs\startup\`) {
		r.finding("sandbox.startup_folder", "Script writes into the Startup folder", analysisv1.Severity_SEVERITY_HIGH, 700,
			[]string{"T1547.001"}, path, "a file in the Startup folder runs at every logon")
	}
	r.combinations(path)
}

var commandTechniques = []struct {
	re     *regexp.Regexp
	attack string
}{
	{regexp.MustCompile(`(?i)powershell|pwsh`), "T1059.001"},
	{regexp.MustCompile(`(?i)\bcmd(\.exe)?\b`), "T1059.003"},
	{regexp.MustCompile(`(?i)\bmshta`), "T1218.005"},
	{regexp.MustCompile(`(?i)\brundll32`), "T1218.011"},
	{regexp.MustCompile(`(?i)\bregsvr32`), "T1218.010"},
	{regexp.MustCompile(`(?i)\bschtasks`), "T1053.005"},
	{regexp.MustCompile(`(?i)\bcertutil`), "T1140"},
	{regexp.MustCompile(`(?i)\bbitsadmin`), "T1197"},
	{regexp.MustCompile(`(?i)\bwmic\b`), "T1047"},
	{regexp.MustCompile(`(?i)vssadmin.*delete|shadowcopy.*delete`), "T1490"},
	{regexp.MustCompile(`(?i)\\currentversion\\run`), "T1547.001"},
	{regexp.MustCompile(`(?i)\b[cw]script(\.exe)?\b`), "T1059.005"},
}

func (r *recorder) command(object, cmd string) {
	if !r.event("run", object, cmd) {
		return
	}
	r.det.Commands = append(r.det.Commands, clip(cmd))
	r.ran = true
	r.ioc(analysisv1.IOCType_IOC_TYPE_COMMAND, cmd, object)
	attack := []string{"T1059"}
	for _, t := range commandTechniques {
		if t.re.MatchString(cmd) {
			attack = append(attack, t.attack)
		}
	}
	r.finding("sandbox.run_command", "Script runs a command", analysisv1.Severity_SEVERITY_HIGH, 600, attack, cmd,
		"a script that starts processes hands control to another program")
	lower := strings.ToLower(cmd)
	for p := range r.dropped {
		if strings.Contains(lower, p) || strings.Contains(lower, strings.ToLower(baseName(p))) {
			r.finding("sandbox.execute_dropped", "Script runs a file it dropped", analysisv1.Severity_SEVERITY_CRITICAL, 900,
				[]string{"T1105", "T1204.002", "T1059.007"}, cmd, "writing a file and then running it is a dropper's whole job")
			break
		}
	}
	r.combinations(cmd)
}

var runKey = regexp.MustCompile(`(?i)\\(currentversion\\(run|runonce|runservices|policies\\explorer\\run)|winlogon\\(shell|userinit))\b`)

func (r *recorder) registry(object, key, value string) {
	if !r.event("reg_write", object, key+" = "+value) {
		return
	}
	r.det.RegistryWrites = append(r.det.RegistryWrites, &analysisv1.RegistryWrite{Key: clip(key), Value: clip(value)})
	r.ioc(analysisv1.IOCType_IOC_TYPE_REGISTRY_KEY, key, object+" RegWrite")
	if runKey.MatchString(key) {
		r.finding("sandbox.registry_run_key", "Script writes an autostart registry value", analysisv1.Severity_SEVERITY_HIGH, 750,
			[]string{"T1547.001", "T1112"}, key+" = "+value, "a Run key value starts its program at every logon")
		return
	}
	r.finding("sandbox.registry_write", "Script writes the registry", analysisv1.Severity_SEVERITY_MEDIUM, 250,
		[]string{"T1112"}, key+" = "+value, "scripts rarely need to change the registry")
}

func (r *recorder) deleteFile(object, path, scriptName string) {
	if !r.event("file_delete", object, path) {
		return
	}
	if scriptName != "" && strings.EqualFold(baseName(path), scriptName) {
		r.finding("sandbox.self_delete", "Script deletes itself", analysisv1.Severity_SEVERITY_MEDIUM, 350,
			[]string{"T1070.004"}, path, "deleting the script removes evidence after it ran")
	}
}

func (r *recorder) sleepEvent(ms int64) {
	r.event("sleep", "WScript", fmt.Sprintf("%d ms (fast-forwarded)", ms))
	if r.sleepMS+ms >= 60_000 {
		r.finding("sandbox.long_sleep", "Script sleeps for a minute or more", analysisv1.Severity_SEVERITY_LOW, 100,
			[]string{"T1497.003"}, fmt.Sprintf("%d ms total", r.sleepMS+ms), "long sleeps are used to outwait sandboxes")
	}
	r.sleepMS += ms
}

func (r *recorder) layer(kind, code string, depth int) {
	r.evalLayers++
	r.event("eval", kind, fmt.Sprintf("depth %d, %d chars: %s", depth, len(code), code))
	r.finding("sandbox.dynamic_code", "Script builds and runs code at run time", analysisv1.Severity_SEVERITY_MEDIUM, 300,
		[]string{"T1027", "T1059.007"}, kind+": "+code, "code assembled at run time hides what a script does from static reading")
	sum := sha256.Sum256([]byte(code))
	if r.layers[sum] || strings.TrimSpace(code) == "" {
		return
	}
	r.layers[sum] = true
	if r.layerCount >= r.limits.MaxLayerArtifacts {
		r.truncated = true
		return
	}
	r.layerCount++
	r.pending.Artifacts = append(r.pending.Artifacts, &modulev1.Artifact{
		Kind:        analysisv1.ArtifactKind_ARTIFACT_KIND_DECODED,
		Content:     []byte(code),
		Filename:    fmt.Sprintf("layer-%d.js", r.layerCount),
		Description: fmt.Sprintf("code passed to %s at depth %d", kind, depth),
		Provenance:  []string{"sandbox", kind},
	})
}

func (r *recorder) exception(msg string) {
	if len(r.det.Exceptions) < 32 {
		r.det.Exceptions = append(r.det.Exceptions, clip(msg))
	}
	r.event("exception", "script", msg)
}

func (r *recorder) limit(what string, size int64) {
	r.event("resource_limit", what, fmt.Sprintf("%d", size))
	r.finding("sandbox.resource_limit", "Script hit a sandbox resource limit", analysisv1.Severity_SEVERITY_LOW, 150,
		nil, fmt.Sprintf("%s asked for %d", what, size), "huge allocations and deep nesting are used to crash or exhaust analysis tools")
}

func (r *recorder) timeout(why string, steps int64) {
	r.timedOut = true
	r.finding("sandbox.budget_exceeded", "Script ran out of its time or step budget", analysisv1.Severity_SEVERITY_LOW, 150,
		[]string{"T1497.003"}, fmt.Sprintf("%s after %d steps", why, steps),
		"endless loops stall analysis; the behaviour recorded up to the stop is kept")
}

// combinations raises findings that need several behaviours together.
func (r *recorder) combinations(evidence string) {
	if r.downloaded && r.wroteFile && r.ran {
		r.finding("sandbox.dropper", "Script downloads, writes and runs a payload", analysisv1.Severity_SEVERITY_CRITICAL, 950,
			[]string{"T1105", "T1059.007", "T1204.002"}, evidence, "download + write + run is the complete dropper chain")
	}
}

// finalize adds findings that depend on the whole run.
func (r *recorder) finalize() {
	if r.evalLayers >= 3 {
		r.finding("sandbox.layered_code", "Script unpacks several code layers", analysisv1.Severity_SEVERITY_MEDIUM, 350,
			[]string{"T1027", "T1140"}, fmt.Sprintf("%d layers", r.evalLayers), "several nested eval layers are a packer's signature")
	}
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}
