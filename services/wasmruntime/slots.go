package wasmruntime

import (
	"context"
	"sync"
	"time"
)

// guestSlots bounds the guests running at once (Config.GuestSlots): a guest is not preempted,
// so one beyond the cores would only slow the running ones down.
//
// A caller that sends several calls on one kept content at once ranks them by expected length
// (InvokeRequest.rank). Their gRPC handlers start in an order of the Go scheduler's choosing,
// often the reverse of the sending one, and the short calls used to take every slot before
// the longest one reached the runtime, which then waited for one of them to finish: 10–14 ms
// of a 1 MB PE's critical path (docs/benchmarks.md). So until the rank-1 call of a content has
// a slot, or has ended, its rank-2-and-up calls leave one slot free — for at most leadGrace:
// a rank-1 call that has not arrived by then waits elsewhere (its caller's own bound on
// parallel calls, say), and a core must not idle for it.
type guestSlots struct {
	size  int
	grace time.Duration // leadGrace; set before use

	mu      sync.Mutex
	free    int
	changed chan struct{} // closed (and replaced) whenever a slot is freed
}

// leadGrace is how long a ranked call leaves a slot free for its rank-1 call: the calls of one
// fan-out reach the runtime within a scheduler turn or two of each other.
const leadGrace = 5 * time.Millisecond

func newGuestSlots(n int) *guestSlots {
	return &guestSlots{size: n, grace: leadGrace, free: n, changed: make(chan struct{})}
}

// acquire takes a slot, waiting for one until ctx ends. While lead is open (not closed), for
// at most leadGrace, it takes one only when another stays free, unless there is only one slot
// in all.
func (s *guestSlots) acquire(ctx context.Context, lead <-chan struct{}) error {
	var grace <-chan time.Time
	if lead != nil && s.size > 1 {
		t := time.NewTimer(s.grace)
		defer t.Stop()
		grace = t.C
	}
	for {
		keep := 0
		if lead != nil && s.size > 1 {
			select {
			case <-lead:
				lead = nil
			default:
				keep = 1
			}
		}
		s.mu.Lock()
		if s.free > keep {
			s.free--
			s.mu.Unlock()
			return nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-lead:
		case <-grace:
			lead, grace = nil, nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release frees a slot.
func (s *guestSlots) release() {
	s.mu.Lock()
	s.free++
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// held is how many slots are taken.
func (s *guestSlots) held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size - s.free
}

// leadGate is one kept content's rank-1 call: closed once that call has a guest slot or has
// ended.
type leadGate struct {
	once sync.Once
	c    chan struct{}
}

func newLeadGate() *leadGate { return &leadGate{c: make(chan struct{})} }

func (g *leadGate) open() { g.once.Do(func() { close(g.c) }) }

type rankKey struct{}

// rankedCall is what a ranked call (InvokeKept with a rank) tells its slot acquisition: the
// rank-1 call opens gate once it has a slot; the others wait on it.
type rankedCall struct {
	gate *leadGate
	lead bool
}

func withRank(ctx context.Context, gate *leadGate, rank uint32) context.Context {
	if rank == 0 || gate == nil {
		return ctx
	}
	return context.WithValue(ctx, rankKey{}, rankedCall{gate: gate, lead: rank == 1})
}

func rankOf(ctx context.Context) (rankedCall, bool) {
	c, ok := ctx.Value(rankKey{}).(rankedCall)
	return c, ok
}
