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
	ch    chan struct{} // a token per running guest: FIFO among waiters, no herd on release
	gated sync.Mutex    // serializes the "another stays free" check of held-back calls
}

// leadGrace is how long a ranked call leaves a slot free for its rank-1 call: the calls of one
// fan-out reach the runtime within a scheduler turn or two of each other. leadPoll is how
// often a held-back call looks again.
const (
	leadGrace = 5 * time.Millisecond
	leadPoll  = 250 * time.Microsecond
)

func newGuestSlots(n int) *guestSlots {
	return &guestSlots{size: n, grace: leadGrace, ch: make(chan struct{}, n)}
}

// acquire takes a slot, waiting for one until ctx ends. While lead is open (not closed), for
// at most the grace period, it takes one only when another stays free, unless there is only
// one slot in all.
func (s *guestSlots) acquire(ctx context.Context, lead <-chan struct{}) error {
	if lead != nil && s.size > 1 {
		var poll *time.Timer
		for until := time.Now().Add(s.grace); time.Now().Before(until); {
			s.gated.Lock()
			took := false
			if len(s.ch) <= s.size-2 {
				s.ch <- struct{}{} // two were free: cannot block, whoever takes the other
				took = true
			}
			s.gated.Unlock()
			if took {
				return nil
			}
			if poll == nil {
				poll = time.NewTimer(leadPoll)
				defer poll.Stop()
			} else {
				poll.Reset(leadPoll)
			}
			select {
			case <-lead:
				until = time.Time{} // the rank-1 call has its slot: take any
			case <-poll.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	select {
	case s.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees a slot.
func (s *guestSlots) release() { <-s.ch }

// held is how many slots are taken.
func (s *guestSlots) held() int { return len(s.ch) }

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
