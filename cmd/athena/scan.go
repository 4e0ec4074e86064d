package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"github.com/athena-mesh/athena/services/wasmruntime"
	"golang.org/x/sync/errgroup"
)

// patternMatcher is the module `athena scan` runs.
const patternMatcher = "pattern-matcher"

// maxScanBytes is the largest file scanned; the guest holds the whole sample in its memory.
const maxScanBytes = 96 << 20

// The pattern-matcher's rules_id exchange (wasm-modules/patternmatcher): a request names its
// rulesets by id, and the rules travel only when an instance answers that it does not hold them.
const (
	rulesIDOption     = "rules_id"
	errRulesNotLoaded = "rules not loaded"
)

// Small files are scanned in batches, several per module call (AnalyzeRequest.batch): over a
// tree of source files the fixed cost of a call (≈ 100 µs of host and guest work) is most of
// the time. A batch ends at batchFiles files (--batch) or batchBytes bytes.
const (
	batchFileBytes = 64 << 10
	batchBytes     = 1 << 20
	batchFiles     = 256
)

// scanMaxUses keeps pooled instances for the whole scan: a replaced instance compiles the
// rules again, which costs more than the collections the guest already forces.
const scanMaxUses = 1 << 30

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// scanMatch is one rule match in --json output.
type scanMatch struct {
	Rule      string            `json:"rule"`
	Namespace string            `json:"namespace"`
	Tags      []string          `json:"tags,omitempty"`
	Meta      map[string]string `json:"meta,omitempty"`
	Strings   []scanString      `json:"strings,omitempty"`
}

// scanString is one string occurrence in --json output.
type scanString struct {
	Identifier string `json:"identifier"`
	Offset     int64  `json:"offset"`
	Length     int64  `json:"length"`
	Data       string `json:"data"` // printable ASCII, other bytes as \xNN
}

// scanResult is one file's line of --json output.
type scanResult struct {
	Path     string      `json:"path"`
	Matches  []scanMatch `json:"matches"`
	TimedOut bool        `json:"timed_out,omitempty"`
}

// runScan scans files and directories (recursively) with YARA rules through the
// pattern-matcher WASM module, printing "RULE PATH" per match like yara's default output, or
// one JSON object per file with --json.
func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("scan", stderr)
	var rules stringList
	fs.Var(&rules, "rules", "YARA rules file (repeatable)")
	asJSON := fs.Bool("json", false, "print one JSON object per file with matched strings and offsets")
	modulesDir := fs.String("modules-dir", defaultModulesDir(), "directory of analyzer modules (*.wasm)")
	timeout := fs.Duration("timeout", 10*time.Minute, "time limit per file (yara has none by default)")
	workers := fs.Int("workers", min(4, runtime.NumCPU()), "files scanned in parallel (one WASM instance each, each compiles the rules once)")
	batch := fs.Int("batch", batchFiles, "most small files (≤ 64 KiB) scanned per module call; 1 scans each file in a call of its own")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(rules) == 0 || fs.NArg() == 0 {
		return usageError{errors.New("usage: athena scan --rules FILE [--rules FILE…] [--json] PATH…")}
	}
	var resources []*modulev1.Resource
	id := sha256.New()
	for i, r := range rules {
		b, err := os.ReadFile(r)
		if err != nil {
			return fmt.Errorf("read rules: %w", err)
		}
		// Every file is its own namespace, like yara given several rule files.
		resources = append(resources, &modulev1.Resource{Name: fmt.Sprintf("rules/%d/%s", i, r), Data: b})
		fmt.Fprintf(id, "%d:%s%d:", len(resources[i].Name), resources[i].Name, len(b))
		id.Write(b)
	}
	rs := &ruleset{id: hex.EncodeToString(id.Sum(nil)), resources: resources}
	dir, cleanup, err := scanModulesDir(*modulesDir)
	if err != nil {
		return err
	}
	defer cleanup()
	rt, err := wasmruntime.New(ctx, wasmruntime.Config{
		ModulesDir:     dir,
		ReloadInterval: -1,
		PoolSize:       max(*workers, 1),
		PerModule:      map[string]wasmruntime.Limits{patternMatcher: {MaxUses: scanMaxUses, Timeout: *timeout}},
		Logger:         slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return fmt.Errorf("start wasm runtime: %w", err)
	}
	defer rt.Close(context.WithoutCancel(ctx))

	if err := validateRules(ctx, rt, rs, stderr); err != nil {
		return err
	}

	// Each job is one file, or a batch of small files when the module takes batches.
	maxBatch := 1
	if acceptsBatches(rt) {
		maxBatch = max(*batch, 1)
	}
	jobs := make(chan []string)
	var outMu sync.Mutex
	var failed bool
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(jobs)
		send := func(job []string) error {
			select {
			case jobs <- job:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		var batch []string
		var size int64
		for _, root := range fs.Args() {
			err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err != nil {
					fmt.Fprintf(stderr, "error: %v\n", err)
					return nil
				}
				if !d.Type().IsRegular() {
					return nil
				}
				info, err := d.Info()
				if err != nil || info.Size() > batchFileBytes {
					return send([]string{p}) // scanFile reports the error
				}
				batch = append(batch, p)
				size += info.Size()
				if len(batch) < maxBatch && size < batchBytes {
					return nil
				}
				job := batch
				batch, size = nil, 0
				return send(job)
			})
			if err != nil {
				return fmt.Errorf("walk %s: %w", root, err)
			}
		}
		if len(batch) > 0 {
			return send(batch)
		}
		return nil
	})
	report := func(p string, res *scanResult, err error) {
		outMu.Lock()
		defer outMu.Unlock()
		if err != nil {
			failed = true
			fmt.Fprintf(stderr, "error scanning %s: %v\n", p, err)
			return
		}
		if res.TimedOut {
			fmt.Fprintf(stderr, "warning: %s: scan time limit reached, matches are partial\n", p)
		}
		printScan(stdout, res, *asJSON)
	}
	for range max(*workers, 1) {
		g.Go(func() error {
			for job := range jobs {
				if len(job) == 1 {
					res, err := scanFile(gctx, rt, rs, job[0])
					report(job[0], res, err)
					continue
				}
				scanBatch(gctx, rt, rs, job, report)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if failed {
		return errors.New("some files could not be scanned")
	}
	return nil
}

// scanModulesDir returns a directory holding only the pattern-matcher module, so the runtime
// does not load (and verify) every analyzer at startup; it falls back to dir itself.
func scanModulesDir(dir string) (string, func(), error) {
	src, err := filepath.Abs(filepath.Join(dir, "patternmatcher.wasm"))
	if err != nil {
		return "", nil, fmt.Errorf("modules dir: %w", err)
	}
	if _, err := os.Stat(src); err != nil {
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "athena-scan-")
	if err != nil {
		return "", nil, fmt.Errorf("modules dir: %w", err)
	}
	cleanup := func() { os.RemoveAll(tmp) }
	if err := os.Symlink(src, filepath.Join(tmp, "patternmatcher.wasm")); err != nil {
		cleanup()
		return dir, func() {}, nil
	}
	return tmp, cleanup, nil
}

// ruleset is the rule files of one scan and the id the module keeps them under.
type ruleset struct {
	id        string
	resources []*modulev1.Resource
}

// validateRules compiles the rules in the module and prints yara-style diagnostics; compile
// errors stop the scan, as they stop yara.
func validateRules(ctx context.Context, rt *wasmruntime.Runtime, rs *ruleset, stderr io.Writer) error {
	resp, err := rt.Invoke(ctx, patternMatcher, &modulev1.AnalyzeRequest{
		Options:   map[string]string{"mode": "validate", rulesIDOption: rs.id},
		Resources: rs.resources,
	})
	if err != nil {
		return fmt.Errorf("validate rules: %w", err)
	}
	if resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
		return fmt.Errorf("validate rules: %s: %s", resp.GetStatus(), resp.GetError())
	}
	nerr := 0
	for _, d := range resp.GetResponse().GetDetails().GetPatterns().GetDiagnostics() {
		file := d.GetFile()
		// Strip the "rules/N/" resource prefix so messages name the file the user gave.
		if parts := strings.SplitN(file, "/", 3); len(parts) == 3 {
			file = parts[2]
		}
		where := fmt.Sprintf("%s(%d:%d)", file, d.GetLine(), d.GetColumn())
		if d.GetRule() != "" {
			where = fmt.Sprintf("rule %q in %s", d.GetRule(), where)
		}
		fmt.Fprintf(stderr, "%s: %s: %s\n", d.GetSeverity(), where, d.GetMessage())
		if d.GetSeverity() == "error" {
			nerr++
		}
	}
	if nerr > 0 {
		return fmt.Errorf("%d rule file(s) did not compile", nerr)
	}
	return nil
}

// scanFile scans one file. The request names the rules by id only; an instance that has not
// compiled them yet answers errRulesNotLoaded and gets them in a second request.
func scanFile(ctx context.Context, rt *wasmruntime.Runtime, rs *ruleset, path string) (*scanResult, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("stat: %w", err)
	}
	if st.Size() > maxScanBytes {
		return nil, fmt.Errorf("file is %d bytes, larger than the %d-byte scan limit", st.Size(), maxScanBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	pd, err := invokeScan(ctx, rt, rs, &modulev1.AnalyzeRequest{Content: b, Filename: filepath.Base(path)})
	if err != nil {
		return nil, err
	}
	res := &scanResult{Path: path, TimedOut: pd.GetTimedOut(), Matches: []scanMatch{}}
	for _, m := range pd.GetMatches() {
		res.Matches = append(res.Matches, newScanMatch(m))
	}
	return res, nil
}

// scanBatch scans small files in one module call and reports each. Files it cannot read are
// reported as errors; when the call fails or hits the time limit, the files are scanned one by
// one instead, so every file still gets its own result, error or warning.
func scanBatch(ctx context.Context, rt *wasmruntime.Runtime, rs *ruleset, paths []string, report func(string, *scanResult, error)) {
	var (
		read []string
		req  = &modulev1.AnalyzeRequest{}
	)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		switch {
		case err != nil:
			report(p, nil, fmt.Errorf("read: %w", err))
		case len(b) > batchFileBytes: // grew since it was listed
			res, err := scanFile(ctx, rt, rs, p)
			report(p, res, err)
		default:
			read = append(read, p)
			req.Batch = append(req.Batch, b)
		}
	}
	if len(read) == 0 {
		return
	}
	pd, err := invokeScan(ctx, rt, rs, req)
	if err != nil || pd.GetTimedOut() {
		for _, p := range read {
			res, err := scanFile(ctx, rt, rs, p)
			report(p, res, err)
		}
		return
	}
	results := make([]*scanResult, len(read))
	for i, p := range read {
		results[i] = &scanResult{Path: p, Matches: []scanMatch{}}
	}
	for _, m := range pd.GetMatches() {
		if i := int(m.GetSample()); i >= 0 && i < len(results) {
			results[i].Matches = append(results[i].Matches, newScanMatch(m))
		}
	}
	for i, p := range read {
		report(p, results[i], nil)
	}
}

// acceptsBatches reports whether the loaded pattern-matcher scans AnalyzeRequest.batch (1.1.0
// and later); an older module would ignore the field and match nothing.
func acceptsBatches(rt *wasmruntime.Runtime) bool {
	for _, m := range rt.Modules() {
		if m.GetName() != patternMatcher {
			continue
		}
		var major, minor int
		if _, err := fmt.Sscanf(m.GetVersion(), "%d.%d", &major, &minor); err != nil {
			return false
		}
		return major > 1 || major == 1 && minor >= 1
	}
	return false
}

// invokeScan runs the pattern-matcher on req with the scan's rules (by id, and with the rule
// files when the instance does not hold them yet).
func invokeScan(ctx context.Context, rt *wasmruntime.Runtime, rs *ruleset, req *modulev1.AnalyzeRequest) (*analysisv1.PatternDetails, error) {
	req.Options = map[string]string{"default_rules": "false", rulesIDOption: rs.id}
	resp, err := rt.Invoke(ctx, patternMatcher, req)
	if err == nil && needsRules(resp) {
		req.Resources = rs.resources
		resp, err = rt.Invoke(ctx, patternMatcher, req)
	}
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	if resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
		return nil, fmt.Errorf("%s: %s", resp.GetStatus(), resp.GetError())
	}
	return resp.GetResponse().GetDetails().GetPatterns(), nil
}

func newScanMatch(m *analysisv1.RuleMatch) scanMatch {
	sm := scanMatch{Rule: m.GetRule(), Namespace: m.GetNamespace(), Tags: m.GetTags(), Meta: m.GetMeta()}
	for _, s := range m.GetStrings() {
		sm.Strings = append(sm.Strings, scanString{Identifier: s.GetIdentifier(), Offset: s.GetOffset(), Length: s.GetLength(), Data: escapeBytes(s.GetData())})
	}
	return sm
}

// needsRules reports whether a request that named the rules by id only must be repeated with
// them: the instance does not hold them, or the module predates rules_id and ran no rules.
func needsRules(resp *wasmruntimev1.InvokeResponse) bool {
	switch resp.GetStatus() {
	case analysisv1.ModuleStatus_MODULE_STATUS_ERROR:
		return strings.HasPrefix(resp.GetError(), errRulesNotLoaded)
	case analysisv1.ModuleStatus_MODULE_STATUS_OK:
		return resp.GetResponse().GetDetails().GetPatterns().GetRuleCount() == 0
	}
	return false
}

func printScan(w io.Writer, res *scanResult, asJSON bool) {
	if asJSON {
		b, err := json.Marshal(res)
		if err == nil {
			fmt.Fprintf(w, "%s\n", b)
		}
		return
	}
	for _, m := range res.Matches {
		fmt.Fprintf(w, "%s %s\n", m.Rule, res.Path)
	}
}

// escapeBytes renders matched bytes like yara -s: printable ASCII as is, the rest as \xNN.
func escapeBytes(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	return sb.String()
}
