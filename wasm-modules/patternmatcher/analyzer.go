// Package patternmatcher is the pattern-matcher analyzer: it runs YARA rules (the embedded
// default ruleset plus user rulesets passed as resources) over a sample and turns matches into
// findings.
package patternmatcher

import (
	"embed"
	"errors"
	"fmt"
	"hash/crc64"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/patternmatcher/yara"
)

// defaultRules is the shipped ruleset; go:embed needs a package-level variable.
//
//go:embed rules/*.yar
var defaultRules embed.FS

const (
	// Name is the module name.
	Name = "pattern-matcher"
	// Version is the module version.
	Version = "1.1.0"
	// cacheSize bounds the compiled rulesets kept per instance.
	cacheSize = 8
	// defaultBudget is the scan time budget when the host sends no deadline.
	defaultBudget = 20 * time.Second
	// maxRecorded caps the matches per string recorded in details and evidence.
	maxRecorded = 16
	// resourcePrefix marks the resources that are rulesets.
	resourcePrefix = "rules/"
	// gcEvery is how many request bytes pass between forced collections.
	gcEvery = 32 << 20
	// RulesIDOption names the request option by which a caller identifies its rulesets (for
	// example by their hash). An instance keeps the rules it compiled under that id, so the
	// caller sends the ruleset resources only when the module answers with ErrRulesNotLoaded.
	RulesIDOption = "rules_id"
	// ErrRulesNotLoaded starts AnalyzeResponse.error when a request names a rules_id that
	// this instance does not hold and carries no ruleset resources; the caller repeats the
	// request with the resources.
	ErrRulesNotLoaded = "rules not loaded"
)

// Analyzer is the pattern-matcher. It keeps compiled rulesets keyed by their hash, because the
// host pools and reuses instances.
type Analyzer struct {
	cache map[uint64]cached
	order []uint64
	// byID holds the rulesets compiled for a caller-given rules_id.
	byID    map[rulesKey]*yara.Rules
	idOrder []rulesKey
	now     func() time.Time
	crc     *crc64.Table
	// defaults is the embedded ruleset, read once.
	defaults []yara.Source
	// defaultOnly is the compiled default ruleset alone, what most requests ask for: found
	// without hashing and comparing its 100+ KB of sources per call, which inside WASM cost
	// a noticeable part of a small file's call.
	defaultOnly *yara.Rules
	// sinceGC counts request bytes since the last forced collection, see Analyze.
	sinceGC int
}

// cached is a compiled ruleset with the sources it came from: the cache key is a fast CRC
// (SHA-256 of 100+ KB of rules per call is milliseconds in wasm), so a hit is confirmed by
// comparing the sources.
type cached struct {
	srcs  []yara.Source
	rules *yara.Rules
}

// rulesKey names a ruleset compiled for a rules_id, with or without the default rules.
type rulesKey struct {
	id       string
	defaults bool
}

// New returns an analyzer with an empty ruleset cache.
func New() *Analyzer {
	return &Analyzer{cache: map[uint64]cached{}, byID: map[rulesKey]*yara.Rules{}, now: time.Now, crc: crc64.MakeTable(crc64.ECMA)}
}

// Info describes the module.
func (a *Analyzer) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{
		Name:        Name,
		Version:     Version,
		Description: "YARA-compatible rule engine: default ruleset plus user rulesets",
	}
}

// DefaultSources returns the embedded default ruleset, one namespace per file.
func DefaultSources() ([]yara.Source, error) {
	entries, err := fs.ReadDir(defaultRules, "rules")
	if err != nil {
		return nil, fmt.Errorf("read default rules: %w", err)
	}
	var out []yara.Source
	for _, e := range entries {
		b, err := defaultRules.ReadFile(path.Join("rules", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read default rule %s: %w", e.Name(), err)
		}
		out = append(out, yara.Source{Name: "default/" + e.Name(), Text: string(b)})
	}
	return out, nil
}

func userSources(req *modulev1.AnalyzeRequest) []yara.Source {
	var out []yara.Source
	for _, r := range req.GetResources() {
		if strings.HasPrefix(r.GetName(), resourcePrefix) {
			out = append(out, yara.Source{Name: r.GetName(), Text: string(r.GetData())})
		}
	}
	return out
}

// compile returns the compiled rules for srcs, from the cache when possible. A source that
// does not compile is dropped with a note, so one bad user ruleset does not blind the scan.
func (a *Analyzer) compile(srcs []yara.Source) (*yara.Rules, []string) {
	key := a.key(srcs)
	if c, ok := a.cache[key]; ok && sameSources(c.srcs, srcs) {
		return c.rules, nil
	}
	var notes []string
	live := append([]yara.Source{}, srcs...)
	var rs *yara.Rules
	for {
		var err error
		rs, err = yara.Compile(live)
		if err == nil {
			break
		}
		var ye *yara.Error
		if !errors.As(err, &ye) {
			return nil, append(notes, "compile rules: "+err.Error())
		}
		notes = append(notes, "ruleset skipped: "+ye.Error())
		kept := live[:0]
		for _, s := range live {
			if s.Name != ye.File {
				kept = append(kept, s)
			}
		}
		if len(kept) == len(live) {
			return nil, notes
		}
		live = kept
	}
	a.store(key, srcs, rs)
	return rs, notes
}

func (a *Analyzer) key(srcs []yara.Source) uint64 {
	var key uint64
	for _, s := range srcs {
		key = crc64.Update(key, a.crc, []byte(s.Name))
		key = crc64.Update(key, a.crc, []byte{0})
		key = crc64.Update(key, a.crc, []byte(s.Text))
		key = crc64.Update(key, a.crc, []byte{0})
	}
	return key
}

func (a *Analyzer) store(key uint64, srcs []yara.Source, rs *yara.Rules) {
	if _, ok := a.cache[key]; !ok {
		if len(a.order) >= cacheSize {
			delete(a.cache, a.order[0])
			a.order = a.order[1:]
		}
		a.order = append(a.order, key)
	}
	a.cache[key] = cached{srcs: srcs, rules: rs}
}

func sameSources(a, b []yara.Source) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Analyze scans the sample, or validates the rulesets when the option mode is "validate".
func (a *Analyzer) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	// In a wasip1 reactor the collector's background workers only run when the guest yields,
	// which it never does between calls, so the heap of a pooled instance grew call after call
	// until it hit the memory limit (1,000 rules × thousands of files). Collect explicitly
	// every few tens of MB of requests.
	a.sinceGC += len(req.GetContent())
	for _, b := range req.GetBatch() {
		a.sinceGC += len(b)
	}
	for _, r := range req.GetResources() {
		a.sinceGC += len(r.GetData())
	}
	if a.sinceGC > gcEvery {
		a.sinceGC = 0
		defer runtime.GC()
	}
	opts := req.GetOptions()
	if opts["mode"] == "validate" {
		return a.validate(req)
	}
	resp := &modulev1.AnalyzeResponse{}
	rs, notes, err := a.rules(req)
	resp.Notes = append(resp.Notes, notes...)
	if err != nil {
		return resp, err
	}
	if rs == nil {
		resp.Notes = append(resp.Notes, "no rules to run")
		resp.Details = &analysisv1.Details{Patterns: &analysisv1.PatternDetails{}}
		return resp, nil
	}
	now := a.now()
	deadline := now.Add(defaultBudget)
	if ms := req.GetDeadlineUnixMs(); ms > 0 {
		// The host's deadline decides (athena scan grants minutes for large files); leave a
		// tenth of the remaining time to build and return the response.
		deadline = now.Add(time.UnixMilli(ms).Sub(now) * 9 / 10)
	}
	details := &analysisv1.PatternDetails{RulesetHash: rs.Hash(), RuleCount: int32(rs.RuleCount())}
	resp.Details = &analysisv1.Details{Patterns: details}
	if batch := req.GetBatch(); len(batch) > 0 {
		// A batch: each sample scanned on its own, matches tagged with its index. A timeout
		// stops the batch; the caller rescans its samples one by one to learn which was slow.
		for i, sample := range batch {
			res := rs.Scan(sample, yara.ScanOptions{Deadline: deadline, MaxRecorded: maxRecorded})
			for _, m := range res.Rules {
				rm := ruleMatch(m)
				rm.Sample = int32(i)
				details.Matches = append(details.Matches, rm)
			}
			if res.TimedOut {
				details.TimedOut = true
				resp.Notes = append(resp.Notes, "scan time limit reached; matches are partial")
				break
			}
		}
		return resp, nil
	}
	res := rs.Scan(req.GetContent(), yara.ScanOptions{Deadline: deadline, MaxRecorded: maxRecorded})
	details.TimedOut = res.TimedOut
	for _, m := range res.Rules {
		details.Matches = append(details.Matches, ruleMatch(m))
		resp.Findings = append(resp.Findings, finding(m))
	}
	if res.TimedOut {
		resp.Notes = append(resp.Notes, "scan time limit reached; matches are partial")
	}
	return resp, nil
}

// rules returns the compiled rules a request asks for: the default ruleset unless the option
// default_rules is "false", plus the ruleset resources. With a rules_id option the compiled
// rules are kept under that id and later requests may omit the resources; nil rules and no
// error mean there is nothing to run.
func (a *Analyzer) rules(req *modulev1.AnalyzeRequest) (*yara.Rules, []string, error) {
	opts := req.GetOptions()
	withDefaults := opts["default_rules"] != "false"
	user := userSources(req)
	key := rulesKey{id: opts[RulesIDOption], defaults: withDefaults}
	if key.id != "" {
		if rs, ok := a.byID[key]; ok {
			return rs, nil, nil
		}
		if len(user) == 0 {
			return nil, nil, fmt.Errorf("%s: %s %q", ErrRulesNotLoaded, RulesIDOption, key.id)
		}
	}
	// (A rules_id without resources was answered above.)
	if withDefaults && len(user) == 0 && a.defaultOnly != nil {
		return a.defaultOnly, nil, nil
	}
	var srcs []yara.Source
	if withDefaults {
		if a.defaults == nil {
			def, err := DefaultSources()
			if err != nil {
				return nil, nil, err
			}
			a.defaults = def
		}
		srcs = append(srcs, a.defaults...)
	}
	srcs = append(srcs, user...)
	if len(srcs) == 0 {
		return nil, nil, nil
	}
	rs, notes := a.compile(srcs)
	if rs == nil {
		return nil, notes, errors.New("no ruleset compiled")
	}
	if withDefaults && len(user) == 0 && len(notes) == 0 {
		a.defaultOnly = rs
	}
	if key.id != "" {
		a.storeID(key, rs)
	}
	return rs, notes, nil
}

func (a *Analyzer) storeID(id rulesKey, rs *yara.Rules) {
	if _, ok := a.byID[id]; !ok {
		if len(a.idOrder) >= cacheSize {
			delete(a.byID, a.idOrder[0])
			a.idOrder = a.idOrder[1:]
		}
		a.idOrder = append(a.idOrder, id)
	}
	a.byID[id] = rs
}

func metaString(meta []yara.Meta, key string) (string, bool) {
	for _, m := range meta {
		if m.Key == key {
			switch v := m.Value.(type) {
			case string:
				return v, true
			case int64:
				return strconv.FormatInt(v, 10), true
			case bool:
				return strconv.FormatBool(v), true
			}
		}
	}
	return "", false
}

var severities = map[string]analysisv1.Severity{
	"info":     analysisv1.Severity_SEVERITY_INFO,
	"low":      analysisv1.Severity_SEVERITY_LOW,
	"medium":   analysisv1.Severity_SEVERITY_MEDIUM,
	"high":     analysisv1.Severity_SEVERITY_HIGH,
	"critical": analysisv1.Severity_SEVERITY_CRITICAL,
}

var defaultScores = map[analysisv1.Severity]int32{
	analysisv1.Severity_SEVERITY_INFO:     0,
	analysisv1.Severity_SEVERITY_LOW:      100,
	analysisv1.Severity_SEVERITY_MEDIUM:   300,
	analysisv1.Severity_SEVERITY_HIGH:     600,
	analysisv1.Severity_SEVERITY_CRITICAL: 900,
}

func ruleMatch(m yara.RuleResult) *analysisv1.RuleMatch {
	rm := &analysisv1.RuleMatch{Rule: m.Rule, Namespace: m.Namespace, Tags: m.Tags, Meta: map[string]string{}}
	for _, md := range m.Meta {
		if v, ok := metaString(m.Meta, md.Key); ok {
			rm.Meta[md.Key] = v
		}
	}
	for _, s := range m.Strings {
		for _, x := range s.Matches {
			rm.Strings = append(rm.Strings, &analysisv1.StringMatch{Identifier: s.ID, Offset: x.Offset, Data: x.Data, Length: int64(x.Length)})
		}
	}
	return rm
}

// printable renders matched bytes for evidence.
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c < 128 && unicode.IsPrint(rune(c)) {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	return sb.String()
}

func finding(m yara.RuleResult) *analysisv1.Finding {
	sev := analysisv1.Severity_SEVERITY_MEDIUM
	if s, ok := metaString(m.Meta, "severity"); ok {
		if v, ok := severities[strings.ToLower(s)]; ok {
			sev = v
		}
	}
	score := defaultScores[sev]
	if s, ok := metaString(m.Meta, "score"); ok {
		if v, err := strconv.Atoi(s); err == nil && v >= 0 && v <= 1000 {
			score = int32(v)
		}
	}
	title, ok := metaString(m.Meta, "description")
	if !ok || title == "" {
		title = "YARA rule " + m.Rule + " matched"
	}
	var attack []string
	if s, ok := metaString(m.Meta, "attack"); ok {
		for _, t := range strings.Split(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				attack = append(attack, t)
			}
		}
	}
	offset := int64(-1)
	var ev []string
	total := 0
	for _, s := range m.Strings {
		total += s.Total
		for i, x := range s.Matches {
			if offset < 0 || x.Offset < offset {
				offset = x.Offset
			}
			if i < 3 && len(ev) < 8 {
				ev = append(ev, fmt.Sprintf("%s@%d: %s", s.ID, x.Offset, printable(x.Data)))
			}
		}
	}
	sort.Strings(attack)
	reason := fmt.Sprintf("rule %s (namespace %s) matched %d string occurrence(s); severity and score come from the rule's meta", m.Rule, m.Namespace, total)
	if len(m.Strings) == 0 {
		reason = fmt.Sprintf("rule %s (namespace %s) matched on its condition alone; severity and score come from the rule's meta", m.Rule, m.Namespace)
	}
	return &analysisv1.Finding{
		Module:           Name,
		Id:               "yara." + m.Rule,
		Title:            title,
		Severity:         sev,
		Score:            score,
		AttackTechniques: attack,
		Evidence:         strings.Join(ev, "; "),
		Offset:           offset,
		Reason:           reason,
	}
}

// validate compiles each ruleset resource (or the default ruleset when there is none) and
// returns diagnostics instead of scanning.
func (a *Analyzer) validate(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	srcs := userSources(req)
	if len(srcs) == 0 {
		def, err := DefaultSources()
		if err != nil {
			return nil, err
		}
		srcs = def
	}
	details := &analysisv1.PatternDetails{}
	compiled := 0
	for _, src := range srcs {
		rs, err := yara.Compile([]yara.Source{src})
		if err != nil {
			d := &analysisv1.PatternDiagnostic{Severity: "error", File: src.Name, Message: err.Error()}
			var ye *yara.Error
			if errors.As(err, &ye) {
				d.Line, d.Column, d.Message, d.Rule = int32(ye.Line), int32(ye.Col), ye.Msg, ye.Rule
			}
			details.Diagnostics = append(details.Diagnostics, d)
			continue
		}
		details.RuleCount += int32(rs.RuleCount())
		compiled++
		if len(srcs) == 1 {
			// The scan that usually follows a validation (athena scan) then finds the
			// ruleset compiled in this instance.
			one := []yara.Source{src}
			a.store(a.key(one), one, rs)
		}
		for _, w := range rs.Warnings() {
			details.Diagnostics = append(details.Diagnostics, &analysisv1.PatternDiagnostic{
				Severity: "warning", File: src.Name, Line: int32(w.Line), Column: int32(w.Col), Message: w.Msg, Rule: w.Rule,
			})
		}
	}
	if id := req.GetOptions()[RulesIDOption]; id != "" && compiled == len(srcs) && len(userSources(req)) > 0 {
		// The scan that follows a validation with the same rules_id (athena scan) then finds
		// the rules compiled in this instance and need not send them again.
		one := &modulev1.AnalyzeRequest{Resources: req.GetResources(), Options: map[string]string{"default_rules": "false", RulesIDOption: id}}
		if _, _, err := a.rules(one); err != nil {
			return nil, err
		}
	}
	return &modulev1.AnalyzeResponse{Details: &analysisv1.Details{Patterns: details}}, nil
}
