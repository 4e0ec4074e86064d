package orchestrator

import (
	"fmt"
	"math"
	"sort"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// ScoringVersion changes whenever the scoring rules change; it is part of the pipeline version
// so a cached report is never scored by old rules.
const ScoringVersion = "scoring-v1"

// Thresholds turn a score into a verdict: below Suspicious is clean, at or above Malicious is
// malicious, in between is suspicious.
type Thresholds struct {
	Suspicious int32
	Malicious  int32
}

// DefaultThresholds are the documented defaults (docs/scoring.md).
var DefaultThresholds = Thresholds{Suspicious: 300, Malicious: 700}

// Verdict maps a score to a verdict.
func (t Thresholds) Verdict(score int32) analysisv1.Verdict {
	switch {
	case score >= t.Malicious:
		return analysisv1.Verdict_VERDICT_MALICIOUS
	case score >= t.Suspicious:
		return analysisv1.Verdict_VERDICT_SUSPICIOUS
	default:
		return analysisv1.Verdict_VERDICT_CLEAN
	}
}

// severityScore is the score of a finding that carries a severity but no score of its own.
var severityScore = map[analysisv1.Severity]int32{
	analysisv1.Severity_SEVERITY_INFO:     0,
	analysisv1.Severity_SEVERITY_LOW:      60,
	analysisv1.Severity_SEVERITY_MEDIUM:   200,
	analysisv1.Severity_SEVERITY_HIGH:     450,
	analysisv1.Severity_SEVERITY_CRITICAL: 800,
}

// familyDecay is the weight of each further finding of one family: the strongest counts fully,
// the second half, the third a quarter … so fifty weak hits of one kind stay weak.
const familyDecay = 0.5

// childWeight attenuates a child's score when it rolls up into its parent.
const childWeight = 0.9

// normalize fills a finding's family, score and reason so every finding says why it scored
// what it did.
func normalize(f *analysisv1.Finding) {
	if f.Family == "" {
		f.Family = f.Id
		if i := strings.IndexByte(f.Id, '.'); i > 0 {
			f.Family = f.Id[:i]
		}
	}
	if f.Score == 0 && f.Severity != analysisv1.Severity_SEVERITY_INFO {
		f.Score = severityScore[f.Severity]
		if f.Reason == "" && f.Score > 0 {
			f.Reason = fmt.Sprintf("default score for %s", strings.TrimPrefix(f.Severity.String(), "SEVERITY_"))
		}
	}
	f.Score = min(max(f.Score, 0), 1000)
	if f.Offset == 0 && f.Evidence == "" {
		f.Offset = -1
	}
}

// Score combines findings into a sample score in 0..1000. Within a family the findings are
// sorted by score and weighted 1, 1/2, 1/4 …, capped at 1000; families then combine like
// independent evidence: score = 1000 × (1 − Π(1 − family/1000)). One conclusive finding
// (1000) makes 1000; two independent 500s make 750.
func Score(findings []*analysisv1.Finding) int32 {
	byFamily := map[string][]int32{}
	for _, f := range findings {
		if f.Score > 0 {
			byFamily[f.Family] = append(byFamily[f.Family], f.Score)
		}
	}
	remaining := 1.0
	for _, scores := range byFamily {
		sort.Slice(scores, func(i, j int) bool { return scores[i] > scores[j] })
		fam, w := 0.0, 1.0
		for _, s := range scores {
			fam += float64(s) * w
			w *= familyDecay
		}
		remaining *= 1 - math.Min(fam, 1000)/1000
	}
	return int32(math.Round(1000 * (1 - remaining)))
}

// rollUp turns an analyzed child's verdict into a finding of its parent.
func rollUp(a *analysisv1.Artifact) *analysisv1.Finding {
	r := a.GetReport()
	if r == nil || r.Verdict < analysisv1.Verdict_VERDICT_SUSPICIOUS {
		return nil
	}
	sev := analysisv1.Severity_SEVERITY_MEDIUM
	if r.Verdict == analysisv1.Verdict_VERDICT_MALICIOUS {
		sev = analysisv1.Severity_SEVERITY_HIGH
	}
	var top *analysisv1.Finding
	var techniques []string
	seen := map[string]bool{}
	for _, f := range r.Findings {
		if top == nil || f.Score > top.Score {
			top = f
		}
		for _, t := range f.AttackTechniques {
			if !seen[t] {
				seen[t] = true
				techniques = append(techniques, t)
			}
		}
	}
	name := a.Filename
	if name == "" {
		name = a.Sha256[:12]
	}
	return &analysisv1.Finding{
		Module:           "orchestrator",
		Id:               "artifact." + strings.ToLower(strings.TrimPrefix(r.Verdict.String(), "VERDICT_")),
		Title:            fmt.Sprintf("%s artifact %s (%s)", strings.ToLower(strings.TrimPrefix(r.Verdict.String(), "VERDICT_")), name, strings.Join(a.Provenance, " → ")),
		Severity:         sev,
		Score:            int32(math.Round(float64(r.Score) * childWeight)),
		AttackTechniques: techniques,
		Evidence:         fmt.Sprintf("sha256 %s, score %d, top finding %s", a.Sha256, r.Score, top.GetId()),
		Offset:           -1,
		Family:           "artifact",
		Reason:           fmt.Sprintf("child score %d × %.1f", r.Score, childWeight),
		ArtifactSha256:   a.Sha256,
	}
}
