package orchestrator

import (
	"context"
	"unicode/utf8"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"github.com/athena-mesh/athena/services/orchestrator/ai"
)

// Assessor produces AI assessments of a static report; *ai.Engine is the implementation.
type Assessor interface {
	// Assess returns the AI section, extra findings, and the merged verdict and score.
	Assess(ctx context.Context, in ai.Input) (*ai.Result, error)
	// Providers lists the providers and their state.
	Providers() []*analysisv1.ProviderStatus
}

// maxExcerpt caps each text excerpt given to the AI.
const maxExcerpt = 8 << 10

func (o *Orchestrator) assess(ctx context.Context, r *analysisv1.Report, content []byte, opts *analysisv1.AnalysisOptions, emit EventFunc) {
	if o.cfg.Assessor == nil {
		r.Notes = append(r.Notes, "AI assessment requested but no AI engine is configured")
		return
	}
	if emit != nil {
		emit(event(r.Id, r.Sample.Sha256, 0, &analysisv1.AnalysisEvent{Kind: &analysisv1.AnalysisEvent_AiStarted{AiStarted: &analysisv1.AIStartedEvent{
			Strategy: opts.Ai.Strategy, Providers: opts.Ai.Providers}}}))
	}
	res, err := o.cfg.Assessor.Assess(ctx, ai.Input{Report: r, Excerpts: excerpts(r, content), Options: opts.Ai})
	if err != nil {
		r.Notes = append(r.Notes, "AI assessment failed: "+err.Error())
		return
	}
	r.Ai = res.AI
	r.Findings = append(r.Findings, res.Findings...)
	for _, f := range res.Findings {
		normalize(f)
	}
	if res.Verdict != analysisv1.Verdict_VERDICT_UNSPECIFIED {
		r.Verdict, r.Score = res.Verdict, res.Score
	}
	if emit != nil {
		emit(event(r.Id, r.Sample.Sha256, 0, &analysisv1.AnalysisEvent{Kind: &analysisv1.AnalysisEvent_AiFinished{AiFinished: &analysisv1.AIFinishedEvent{Ai: r.Ai}}}))
	}
}

// excerpts gathers text the AI may read: the sample when it is text, and decoded layers'
// previews, each capped.
func excerpts(r *analysisv1.Report, content []byte) []string {
	var out []string
	if utf8.Valid(content) {
		out = append(out, truncate(string(content)))
	}
	for _, l := range r.GetDetails().GetDeobfuscation().GetLayers() {
		if l.Preview != "" {
			out = append(out, truncate(l.Preview))
		}
	}
	return out
}

func truncate(s string) string {
	if len(s) <= maxExcerpt {
		return s
	}
	s = s[:maxExcerpt]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
