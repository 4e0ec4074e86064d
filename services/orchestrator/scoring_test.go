package orchestrator

import (
	"fmt"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

func finding(family string, score int32) *analysisv1.Finding {
	return &analysisv1.Finding{Id: family + ".x", Family: family, Score: score}
}

func repeat(family string, score int32, n int) []*analysisv1.Finding {
	var out []*analysisv1.Finding
	for i := range n {
		f := finding(family, score)
		f.Id = fmt.Sprintf("%s.hit%d", family, i)
		out = append(out, f)
	}
	return out
}

func TestScore(t *testing.T) {
	tests := []struct {
		name     string
		findings []*analysisv1.Finding
		want     int32
	}{
		{"none", nil, 0},
		{"zero scores ignored", []*analysisv1.Finding{finding("a", 0)}, 0},
		// The worked examples of Score's documentation.
		{"one conclusive finding", []*analysisv1.Finding{finding("yara", 1000)}, 1000},
		{"two independent 500s", []*analysisv1.Finding{finding("a", 500), finding("b", 500)}, 750},
		// Within a family: 500 + 500/2.
		{"same family 500 and 500", []*analysisv1.Finding{finding("a", 500), finding("a", 500)}, 750},
		// 400 + 200/2 + 100/4, order of input irrelevant.
		{"family decays by rank", []*analysisv1.Finding{finding("a", 100), finding("a", 400), finding("a", 200)}, 525},
		// A family is capped at 1000 before families combine.
		{"family cap", []*analysisv1.Finding{finding("a", 900), finding("a", 900)}, 1000},
		// 1 − (1 − 0.3)(1 − 0.2) = 0.44
		{"families combine as independent evidence", []*analysisv1.Finding{finding("a", 300), finding("b", 200)}, 440},
		// 50 × 60 with weights 1, 1/2, 1/4 … is just under 120.
		{"fifty weak hits", repeat("strings", 60, 50), 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Score(tt.findings); got != tt.want {
				t.Errorf("Score = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDiminishingReturns(t *testing.T) {
	strong := Score([]*analysisv1.Finding{{Family: "x", Score: severityScore[analysisv1.Severity_SEVERITY_HIGH]}})
	for _, n := range []int{1, 10, 50, 500} {
		weak := Score(repeat("packer", severityScore[analysisv1.Severity_SEVERITY_LOW], n))
		if weak >= strong {
			t.Errorf("%d LOW hits in one family score %d, one HIGH finding %d; many weak hits must stay below one strong one", n, weak, strong)
		}
		if v := DefaultThresholds.Verdict(weak); v != analysisv1.Verdict_VERDICT_CLEAN {
			t.Errorf("%d LOW hits in one family give %s; want clean", n, v)
		}
	}
	// Diminishing but still increasing.
	if a, b := Score(repeat("p", 60, 1)), Score(repeat("p", 60, 2)); b <= a {
		t.Errorf("a second hit did not add anything: %d then %d", a, b)
	}
}

func TestThresholds(t *testing.T) {
	tests := []struct {
		score int32
		want  analysisv1.Verdict
	}{
		{0, analysisv1.Verdict_VERDICT_CLEAN},
		{299, analysisv1.Verdict_VERDICT_CLEAN},
		{300, analysisv1.Verdict_VERDICT_SUSPICIOUS},
		{699, analysisv1.Verdict_VERDICT_SUSPICIOUS},
		{700, analysisv1.Verdict_VERDICT_MALICIOUS},
		{1000, analysisv1.Verdict_VERDICT_MALICIOUS},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.score), func(t *testing.T) {
			if got := DefaultThresholds.Verdict(tt.score); got != tt.want {
				t.Errorf("Verdict(%d) = %s, want %s", tt.score, got, tt.want)
			}
		})
	}
	custom := Thresholds{Suspicious: 10, Malicious: 20}
	if got := custom.Verdict(15); got != analysisv1.Verdict_VERDICT_SUSPICIOUS {
		t.Errorf("custom Verdict(15) = %s", got)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name       string
		in         *analysisv1.Finding
		wantFamily string
		wantScore  int32
		wantReason bool
		wantOffset int64
	}{
		{"family from id", &analysisv1.Finding{Id: "yara.eicar", Score: 900, Reason: "r"}, "yara", 900, true, -1},
		{"family kept", &analysisv1.Finding{Id: "a.b", Family: "c", Score: 1, Offset: 7}, "c", 1, false, 7},
		{"high default", &analysisv1.Finding{Id: "p", Severity: analysisv1.Severity_SEVERITY_HIGH}, "p", 450, true, -1},
		{"critical default", &analysisv1.Finding{Id: "p", Severity: analysisv1.Severity_SEVERITY_CRITICAL}, "p", 800, true, -1},
		{"info stays zero", &analysisv1.Finding{Id: "p", Severity: analysisv1.Severity_SEVERITY_INFO}, "p", 0, false, -1},
		{"clamped high", &analysisv1.Finding{Id: "p", Score: 5000, Evidence: "e"}, "p", 1000, false, 0},
		{"clamped low", &analysisv1.Finding{Id: "p", Score: -5, Evidence: "e"}, "p", 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.in
			normalize(f)
			if f.Family != tt.wantFamily || f.Score != tt.wantScore || (f.Reason != "") != tt.wantReason || f.Offset != tt.wantOffset {
				t.Errorf("got family %q score %d reason %q offset %d; want %q %d reason:%v %d", f.Family, f.Score, f.Reason, f.Offset, tt.wantFamily, tt.wantScore, tt.wantReason, tt.wantOffset)
			}
		})
	}
}

func TestRollUp(t *testing.T) {
	mal := &analysisv1.Artifact{Sha256: "0123456789abcdef", Filename: "x.exe", Provenance: []string{"zip"},
		Report: &analysisv1.Report{Verdict: analysisv1.Verdict_VERDICT_MALICIOUS, Score: 1000,
			Findings: []*analysisv1.Finding{{Id: "yara.eicar", Score: 1000, AttackTechniques: []string{"T1204"}}}}}
	f := rollUp(mal)
	if f == nil || f.Score != 900 || f.Id != "artifact.malicious" || f.Severity != analysisv1.Severity_SEVERITY_HIGH || f.ArtifactSha256 != mal.Sha256 {
		t.Fatalf("rollUp(malicious child) = %v; want artifact.malicious 900 HIGH", f)
	}
	if len(f.AttackTechniques) != 1 || f.AttackTechniques[0] != "T1204" {
		t.Errorf("techniques %v not carried up", f.AttackTechniques)
	}
	clean := &analysisv1.Artifact{Report: &analysisv1.Report{Verdict: analysisv1.Verdict_VERDICT_CLEAN, Score: 100}}
	if f := rollUp(clean); f != nil {
		t.Errorf("clean child rolled up as %v", f)
	}
	if f := rollUp(&analysisv1.Artifact{}); f != nil {
		t.Errorf("unanalyzed child rolled up as %v", f)
	}
}
