package orchestrator

import (
	"math"
	"slices"
	"sync"
)

// moduleCosts learns how long each module's guest runs on each file type (the runtime's
// InvokeResponse.duration_ms, a moving average), so that a sample's modules are sent longest
// first. The runtime runs one guest per core and a guest is not preempted: sent in routing
// order, the analysis-engine (on a 1 MB native PE the longest module by far) often waited for a
// core, or shared one, while shorter modules ran, and the report waited for it alone at the end.
type moduleCosts struct {
	mu sync.Mutex
	ms map[costKey]float64
}

type costKey struct{ module, fileType string }

// costWeight is the weight of the latest duration in the average.
const costWeight = 0.25

// maxCostKeys bounds the table: file types come from the identification module's output.
const maxCostKeys = 4096

func newModuleCosts() *moduleCosts { return &moduleCosts{ms: map[costKey]float64{}} }

// observe records that module took ms on a sample of fileType.
func (c *moduleCosts) observe(module, fileType string, ms int64) {
	k := costKey{module, fileType}
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.ms[k]
	switch {
	case ok:
		c.ms[k] = old + costWeight*(float64(ms)-old)
	case len(c.ms) < maxCostKeys:
		c.ms[k] = float64(ms)
	}
}

// order returns the indexes of modules, longest expected first; a module not seen on fileType
// yet counts as longest (so it is measured early), and ties keep the given order.
func (c *moduleCosts) order(modules []string, fileType string) []int {
	expected := make([]float64, len(modules))
	c.mu.Lock()
	for i, m := range modules {
		v, ok := c.ms[costKey{m, fileType}]
		if !ok {
			v = math.Inf(1)
		}
		expected[i] = v
	}
	c.mu.Unlock()
	idx := make([]int, len(modules))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case expected[a] > expected[b]:
			return -1
		case expected[a] < expected[b]:
			return 1
		}
		return 0
	})
	return idx
}
