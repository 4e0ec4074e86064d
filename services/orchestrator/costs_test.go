package orchestrator

import (
	"context"
	"slices"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
)

func TestModuleCostsOrder(t *testing.T) {
	c := newModuleCosts()
	mods := []string{"crypto", "pattern-matcher", "network", "analysis-engine"}
	if got := c.order(mods, "pe"); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Errorf("nothing learned: order %v, want the routing order", got)
	}
	c.observe("crypto", "pe", 10)
	c.observe("pattern-matcher", "pe", 8)
	c.observe("network", "pe", 8)
	c.observe("analysis-engine", "pe", 40)
	if got := c.order(mods, "pe"); !slices.Equal(got, []int{3, 0, 1, 2}) {
		t.Errorf("order %v, want analysis-engine first, then crypto, then the tie in routing order", got)
	}
	// Another file type has its own costs; a module never seen on it goes first.
	c.observe("crypto", "elf", 5)
	if got := c.order(mods, "elf"); !slices.Equal(got, []int{1, 2, 3, 0}) {
		t.Errorf("elf order %v, want the unmeasured modules first", got)
	}
	// The average moves a quarter of the way to each new duration.
	c.observe("analysis-engine", "pe", 0)
	if got := c.ms[costKey{"analysis-engine", "pe"}]; got != 30 {
		t.Errorf("average %v after 40 then 0, want 30", got)
	}
	// The table stops growing at its bound; known keys still learn.
	for i := range maxCostKeys + 10 {
		c.observe("m", string(rune('a'+i%26))+string(rune(i)), 1)
	}
	if len(c.ms) != maxCostKeys {
		t.Errorf("%d keys, bound %d", len(c.ms), maxCostKeys)
	}
	c.observe("crypto", "pe", 2)
	if got := c.ms[costKey{"crypto", "pe"}]; got != 8 {
		t.Errorf("crypto on pe %v after 10 then 2, want 8", got)
	}
}

// The orchestrator learns from the runtime's guest durations of the modules it routes.
func TestModuleCostsLearned(t *testing.T) {
	fake := newFake(func(_ context.Context, module string, _ *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		resp := ok(&modulev1.AnalyzeResponse{})
		switch module {
		case IdentifyModule:
			resp = ok(&modulev1.AnalyzeResponse{Identification: &modulev1.Identification{FileType: "pe", Flavors: []string{"executable", "pe"}}})
		case "analysis-engine":
			resp.DurationMs = 40
		default:
			resp.DurationMs = 5
		}
		return resp, nil
	})
	o := newOrch(t, Config{Invoker: fake})
	if _, err := o.Analyze(context.Background(), sample("MZ"), &analysisv1.AnalysisOptions{BypassCache: true}); err != nil {
		t.Fatal(err)
	}
	routed := []string{"crypto", "pattern-matcher", "network", "analysis-engine"}
	if got := o.costs.order(routed, "pe"); got[0] != 3 {
		t.Errorf("order %v after one analysis, want analysis-engine (3) first", got)
	}
	if _, ok := o.costs.ms[costKey{IdentifyModule, ""}]; ok {
		t.Error("the identification, which runs alone, was recorded")
	}
}
