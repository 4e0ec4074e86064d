package ai

import (
	"fmt"
	"sort"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// Verdict merge rule parameters (docs/ai.md, "Verdict merge rule").
const (
	// raiseConfidence is the confidence an AI verdict needs to raise the static one.
	raiseConfidence = 0.7
	// lowerConfidence is the confidence every agreeing provider needs to lower it.
	lowerConfidence = 0.9
	// lowerMinProviders is how many independent model providers must agree to lower it.
	lowerMinProviders = 2
)

// refanger undoes the usual defanging of indicators.
var refanger = strings.NewReplacer("hxxps://", "https://", "hxxp://", "http://", "[.]", ".", "(.)", ".", "{.}", ".", "[:]", ":", "[at]", "@", "[@]", "@")

// normIOC makes an indicator comparable: refanged, lowercased, without trailing slash or dot.
func normIOC(s string) string {
	s = strings.ToLower(strings.TrimSpace(refanger.Replace(strings.ToLower(s))))
	return strings.TrimRight(s, "/.")
}

// crossCheck marks every IOC of a by whether the static analysis saw it: among the report's
// IOCs (and those of its artifacts), the sample and artifact hashes, or literally in the
// excerpts or the findings' evidence. It counts the uncorroborated ones.
func crossCheck(a *analysisv1.AIAssessment, in Input) {
	known := map[string]bool{}
	var walk func(r *analysisv1.Report)
	walk = func(r *analysisv1.Report) {
		if r == nil {
			return
		}
		for _, ioc := range r.GetIocs() {
			known[normIOC(ioc.GetValue())] = true
		}
		s := r.GetSample()
		for _, h := range []string{s.GetSha256(), s.GetSha1(), s.GetMd5(), s.GetSha512()} {
			if h != "" {
				known[strings.ToLower(h)] = true
			}
		}
		for _, art := range r.GetArtifacts() {
			if art.GetSha256() != "" {
				known[strings.ToLower(art.GetSha256())] = true
			}
			walk(art.GetReport())
		}
	}
	walk(in.Report)
	var texts []string
	for _, ex := range in.Excerpts {
		texts = append(texts, strings.ToLower(refanger.Replace(ex)))
	}
	for _, f := range in.Report.GetFindings() {
		texts = append(texts, strings.ToLower(refanger.Replace(f.GetEvidence())))
	}
	a.UncorroboratedIocs = 0
	for _, ioc := range a.GetIocs() {
		v := normIOC(ioc.GetValue())
		ioc.Corroborated = v != "" && (known[v] || appearsIn(texts, v))
		if !ioc.Corroborated {
			a.UncorroboratedIocs++
		}
	}
}

// appearsIn reports whether needle occurs in a text as a whole token: the characters around it
// are not letters or digits, so 1.2.3.4 is not found inside 11.2.3.45.
func appearsIn(texts []string, needle string) bool {
	for _, t := range texts {
		for off := 0; off < len(t); {
			i := strings.Index(t[off:], needle)
			if i < 0 {
				break
			}
			start, end := off+i, off+i+len(needle)
			if (start == 0 || !isWordByte(t[start-1])) && (end == len(t) || !isWordByte(t[end])) {
				return true
			}
			off = start + 1
		}
	}
	return false
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 'A' && b <= 'Z'
}

// heuristic turns the static report into an assessment, without any network.
func (e *Engine) heuristic(in Input) *analysisv1.AIAssessment {
	rep := in.Report
	v := e.staticVerdict(rep)
	score := rep.GetScore()
	dist := float64(min(abs32(score-e.cfg.SuspiciousThreshold), abs32(score-e.cfg.MaliciousThreshold)))
	a := &analysisv1.AIAssessment{
		Provider:   string(KindHeuristic),
		Model:      defaultHeuristicModel,
		Verdict:    v,
		Confidence: 0.5 + 0.5*min(1, dist/300),
	}
	findings := append([]*analysisv1.Finding(nil), rep.GetFindings()...)
	sort.SliceStable(findings, func(i, j int) bool { return findings[i].GetScore() > findings[j].GetScore() })
	techniques := map[string]bool{}
	for _, f := range findings {
		for _, t := range f.GetAttackTechniques() {
			if techniqueRE.MatchString(t) {
				techniques[t] = true
			}
		}
	}
	a.AttackTechniques = sortedKeys(techniques)
	if len(a.AttackTechniques) > maxTechniques {
		a.AttackTechniques = a.AttackTechniques[:maxTechniques]
	}
	var top []string
	for i, f := range findings {
		if i == 3 {
			break
		}
		top = append(top, fmt.Sprintf("%s (%d)", f.GetTitle(), f.GetScore()))
	}
	a.Summary = fmt.Sprintf("Static analysis scored %d of 1000 (%s) from %d findings and %d indicators.",
		score, verdictName(v), len(findings), len(rep.GetIocs()))
	if len(top) > 0 {
		a.Summary += " Strongest: " + strings.Join(top, "; ") + "."
	}
	for i, ioc := range rep.GetIocs() {
		if i == maxIOCs {
			break
		}
		a.Iocs = append(a.Iocs, &analysisv1.AIIOC{Type: ioc.GetType(), Value: ioc.GetValue(), Corroborated: true})
	}
	switch v {
	case analysisv1.Verdict_VERDICT_MALICIOUS:
		a.Recommendations = []string{"Quarantine the sample and block its indicators.", "Search endpoints and proxy logs for the indicators.", "Treat hosts that ran it as compromised until triaged."}
	case analysisv1.Verdict_VERDICT_SUSPICIOUS:
		a.Recommendations = []string{"Hold the sample for analyst review.", "Check the listed indicators against threat intelligence."}
	default:
		a.Recommendations = []string{"No action needed beyond normal handling."}
	}
	return a
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// staticVerdict is the report's verdict, or the one its score implies when it has none.
func (e *Engine) staticVerdict(rep *analysisv1.Report) analysisv1.Verdict {
	if v := rep.GetVerdict(); v != analysisv1.Verdict_VERDICT_UNSPECIFIED {
		return v
	}
	return e.verdictOf(rep.GetScore())
}

func (e *Engine) verdictOf(score int32) analysisv1.Verdict {
	switch {
	case score >= e.cfg.MaliciousThreshold:
		return analysisv1.Verdict_VERDICT_MALICIOUS
	case score >= e.cfg.SuspiciousThreshold:
		return analysisv1.Verdict_VERDICT_SUSPICIOUS
	default:
		return analysisv1.Verdict_VERDICT_CLEAN
	}
}

// vote merges valid assessments by majority; a tie goes to the more severe verdict. The
// agreement ratio is the majority's share.
func vote(as []*analysisv1.AIAssessment) (*analysisv1.AIAssessment, float64) {
	counts := map[analysisv1.Verdict]int{}
	for _, a := range as {
		counts[a.GetVerdict()]++
	}
	var best analysisv1.Verdict
	for v, n := range counts {
		if n > counts[best] || (n == counts[best] && v > best) {
			best = v
		}
	}
	agreement := float64(counts[best]) / float64(len(as))
	merged := &analysisv1.AIAssessment{Provider: "ensemble", Verdict: best}
	var models, summaries []string
	families := map[string]int{}
	techniques := map[string]bool{}
	iocs := map[string]*analysisv1.AIIOC{}
	var iocOrder []string
	recs := map[string]bool{}
	var conf float64
	for _, a := range as {
		models = append(models, a.GetProvider()+"/"+a.GetModel())
		merged.InputTokens += a.GetInputTokens()
		merged.OutputTokens += a.GetOutputTokens()
		merged.CostUsd += a.GetCostUsd()
		merged.LatencyMs = max(merged.LatencyMs, a.GetLatencyMs())
		for _, i := range a.GetIocs() {
			k := i.GetType().String() + "|" + normIOC(i.GetValue())
			if _, ok := iocs[k]; !ok {
				iocs[k] = &analysisv1.AIIOC{Type: i.GetType(), Value: i.GetValue(), Corroborated: i.GetCorroborated()}
				iocOrder = append(iocOrder, k)
			}
		}
		if a.GetVerdict() != best {
			continue
		}
		conf += a.GetConfidence()
		if f := a.GetMalwareFamily(); f != "" {
			families[f]++
		}
		for _, t := range a.GetAttackTechniques() {
			techniques[t] = true
		}
		for _, r := range a.GetRecommendations() {
			if !recs[r] && len(recs) < maxRecommendations {
				recs[r] = true
				merged.Recommendations = append(merged.Recommendations, r)
			}
		}
		summaries = append(summaries, a.GetProvider()+": "+a.GetSummary())
	}
	merged.Model = strings.Join(models, ",")
	merged.Confidence = conf / float64(counts[best]) * agreement
	family, n := "", 0
	for _, f := range sortedKeys(families) {
		if families[f] > n {
			family, n = f, families[f]
		}
	}
	merged.MalwareFamily = family
	merged.AttackTechniques = sortedKeys(techniques)
	for _, k := range iocOrder {
		merged.Iocs = append(merged.Iocs, iocs[k])
		if !iocs[k].GetCorroborated() {
			merged.UncorroboratedIocs++
		}
	}
	merged.Summary = fmt.Sprintf("%d of %d providers say %s. %s", counts[best], len(as), verdictName(best), strings.Join(summaries, " | "))
	return merged, agreement
}

// mergeVerdict applies the verdict merge rule and returns the merged verdict and score, whether
// the verdict changed, and a note saying why.
//
//   - The heuristic, an assessment-free result, or a sample with a prompt injection never change
//     the static verdict.
//   - R1 (raise): a model verdict above the static one, with confidence >= 0.7 (for an ensemble
//     the majority's, agreement > 1/2), raises the verdict by one level, and the score to that
//     level's threshold.
//   - R2 (lower): only SUSPICIOUS with a score below the middle of the suspicious band can be
//     lowered, to CLEAN, when at least two model providers answered, all say clean, each with
//     confidence >= 0.9. MALICIOUS is never lowered.
//   - Otherwise the AI verdict is an annotation.
func (e *Engine) mergeVerdict(req *request, merged *analysisv1.AIAssessment, all []*analysisv1.AIAssessment, agreement float64) (analysisv1.Verdict, int32, bool, string) {
	static := e.staticVerdict(req.in.Report)
	score := req.in.Report.GetScore()
	if merged == nil || merged.GetError() != "" || merged.GetProvider() == string(KindHeuristic) {
		return static, score, false, ""
	}
	ai := merged.GetVerdict()
	if ai == static {
		return static, score, false, ""
	}
	if req.injection != "" {
		return static, score, false, fmt.Sprintf("verdict: AI says %s, static verdict %s kept because the sample attempts prompt injection",
			verdictName(ai), verdictName(static))
	}
	if ai > static {
		if merged.GetConfidence() < raiseConfidence || agreement <= 0.5 {
			return static, score, false, fmt.Sprintf("verdict: AI says %s with confidence %.2f (agreement %.2f); below the raise rule, static verdict %s kept",
				verdictName(ai), merged.GetConfidence(), agreement, verdictName(static))
		}
		raised := static + 1
		if static == analysisv1.Verdict_VERDICT_UNSPECIFIED {
			raised = analysisv1.Verdict_VERDICT_SUSPICIOUS
		}
		switch raised {
		case analysisv1.Verdict_VERDICT_SUSPICIOUS:
			score = max(score, e.cfg.SuspiciousThreshold)
		case analysisv1.Verdict_VERDICT_MALICIOUS:
			score = max(score, e.cfg.MaliciousThreshold)
		}
		return raised, score, true, fmt.Sprintf("verdict: raised from %s to %s by rule R1 (AI says %s, confidence %.2f)",
			verdictName(static), verdictName(raised), verdictName(ai), merged.GetConfidence())
	}
	// The AI verdict is lower.
	middle := (e.cfg.SuspiciousThreshold + e.cfg.MaliciousThreshold) / 2
	models, allClean := 0, true
	for _, a := range valid(all) {
		if a.GetProvider() == string(KindHeuristic) {
			continue
		}
		models++
		if a.GetVerdict() != analysisv1.Verdict_VERDICT_CLEAN || a.GetConfidence() < lowerConfidence {
			allClean = false
		}
	}
	if static == analysisv1.Verdict_VERDICT_SUSPICIOUS && score < middle && ai == analysisv1.Verdict_VERDICT_CLEAN &&
		models >= lowerMinProviders && allClean {
		return analysisv1.Verdict_VERDICT_CLEAN, e.cfg.SuspiciousThreshold - 1, true,
			fmt.Sprintf("verdict: lowered from suspicious to clean by rule R2 (%d model providers agree on clean with confidence >= %.1f)", models, lowerConfidence)
	}
	return static, score, false, fmt.Sprintf("verdict: AI says %s; static verdict %s kept (lowering needs rule R2)", verdictName(ai), verdictName(static))
}
