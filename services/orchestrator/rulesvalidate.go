package orchestrator

import (
	"context"
	"fmt"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	orchestratorv1 "github.com/athena-mesh/athena/proto/gen/athena/orchestrator/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// PatternModule is the module that compiles and runs YARA rules.
const PatternModule = "pattern-matcher"

// ValidateRules compiles a ruleset with the pattern-matcher (the same compiler that scans)
// and returns its compile errors and lint warnings.
func (o *Orchestrator) ValidateRules(ctx context.Context, name, source string) (*orchestratorv1.ValidateRulesResponse, error) {
	if strings.TrimSpace(source) == "" {
		return nil, fmt.Errorf("%w: source is empty", ErrInvalid)
	}
	if len(source) > maxRulesBytes {
		return nil, fmt.Errorf("%w: source is %d bytes, the limit is %d", ErrInvalid, len(source), maxRulesBytes)
	}
	if name == "" {
		name = "input.yar"
	}
	resp, err := o.cfg.Invoker.Invoke(ctx, PatternModule, &modulev1.AnalyzeRequest{
		Options:   map[string]string{"mode": "validate"},
		Resources: []*modulev1.Resource{{Name: "rules/" + name, Data: []byte(source)}},
	})
	if err != nil {
		return nil, err
	}
	if resp.Status != analysisv1.ModuleStatus_MODULE_STATUS_OK && resp.Status != analysisv1.ModuleStatus_MODULE_STATUS_UNSPECIFIED {
		return nil, status.Errorf(codes.Unavailable, "pattern-matcher: %s: %s", resp.Status, resp.Error)
	}
	if e := resp.GetResponse().GetError(); e != "" {
		return nil, status.Errorf(codes.Internal, "pattern-matcher: %s", e)
	}
	p := resp.GetResponse().GetDetails().GetPatterns()
	out := &orchestratorv1.ValidateRulesResponse{Valid: true, RuleCount: p.GetRuleCount()}
	for _, d := range p.GetDiagnostics() {
		if d.Severity == "error" {
			out.Valid = false
		}
		out.Diagnostics = append(out.Diagnostics, &analysisv1.RuleDiagnostic{
			Severity: d.Severity, Line: d.Line, Column: d.Column, Message: d.Message, Rule: d.Rule,
			File: strings.TrimPrefix(d.File, "rules/"),
		})
	}
	return out, nil
}

// ValidateRules implements OrchestratorService.
func (s *Server) ValidateRules(ctx context.Context, req *orchestratorv1.ValidateRulesRequest) (*orchestratorv1.ValidateRulesResponse, error) {
	resp, err := s.o.ValidateRules(ctx, req.Name, req.Source)
	if err != nil {
		return nil, toStatus(err)
	}
	return resp, nil
}
