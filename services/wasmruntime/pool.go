package wasmruntime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// errPoolBusy marks a call that found every instance busy until its deadline.
var errPoolBusy = errors.New("instance pool exhausted")

// errPoolClosed marks a call on a module that was unloaded while it waited.
var errPoolClosed = errors.New("module unloaded")

// pooled is one instance with its bookkeeping.
type pooled struct {
	inst   instance
	stdout *boundedBuffer
	stderr *boundedBuffer
	uses   int
	limit  int // calls it serves before it is recycled (useLimit); 0: no limit
}

// pool holds up to size instances of one compiled module. It keeps one idle instance ready
// ahead of need (a background filler replaces it as soon as it is taken), grows on demand up to
// size, and recycles instances after a failure or at most maxUses calls (useLimit).
type pool struct {
	name     string
	compiled compiledModule
	size     int
	maxUses  int
	logBytes int64
	initTime time.Duration // budget for _initialize
	log      *slog.Logger
	metrics  *metrics

	slots chan struct{} // one token per busy call: bounds concurrency to size
	live  atomic.Int64  // idle + busy + being created; never above size
	// idle is a stack of ready instances: recently used ones on top (warm, and a caller sees
	// reuse deterministically), spares from the filler at the bottom. avail holds one token
	// per idle entry so waiters can select on it.
	mu    sync.Mutex
	idle  []*pooled
	avail chan struct{}

	kick chan struct{} // wakes the filler
	stop chan struct{} // closed by close
	wg   sync.WaitGroup
	once sync.Once
}

func newPool(name string, compiled compiledModule, size, maxUses int, logBytes int64, initTime time.Duration, log *slog.Logger, m *metrics) *pool {
	p := &pool{
		name: name, compiled: compiled, size: size, maxUses: maxUses, logBytes: logBytes,
		initTime: initTime, log: log, metrics: m,
		slots: make(chan struct{}, size),
		avail: make(chan struct{}, size),
		kick:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
	}
	return p
}

// start launches the filler that keeps one instance ready ahead of need.
func (p *pool) start() {
	p.wg.Add(1)
	go p.fill()
	p.wake()
}

func (p *pool) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// fill keeps one idle instance ready while the pool has room. A module whose _initialize fails
// is not retried in a loop: the filler waits for the next kick.
func (p *pool) fill() {
	defer p.wg.Done()
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		}
		for p.idleLen() == 0 && p.reserve() {
			pi, err := p.create(context.Background())
			if err != nil {
				p.release()
				p.log.Warn("pre-instantiate module", "module", p.name, "err", err)
				break
			}
			select {
			case <-p.stop:
				p.discard(pi)
				return
			default:
			}
			p.push(pi, false)
		}
	}
}

// reserve counts one more live instance if the pool has room.
func (p *pool) reserve() bool {
	for {
		n := p.live.Load()
		if n >= int64(p.size) {
			return false
		}
		if p.live.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (p *pool) release() { p.live.Add(-1); p.gauge() }

// create instantiates under parent's deadline capped by the _initialize budget, so an
// _initialize that never returns is stopped like a runaway call.
func (p *pool) create(parent context.Context) (*pooled, error) {
	ctx, cancel := context.WithTimeout(parent, p.initTime)
	defer cancel()
	pi := &pooled{stdout: newBoundedBuffer(p.logBytes), stderr: newBoundedBuffer(p.logBytes), limit: useLimit(p.maxUses)}
	inst, err := p.compiled.instantiate(ctx, pi.stdout, pi.stderr)
	if err != nil {
		return nil, err
	}
	pi.inst = inst
	return pi, nil
}

// acquire returns an instance, waiting until ctx ends when all are busy. fresh is true when
// the instance has not served a call before.
func (p *pool) acquire(ctx context.Context) (*pooled, error) {
	select {
	case p.slots <- struct{}{}:
	case <-p.stop:
		return nil, errPoolClosed
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: all %d instances of %s busy until the deadline", errPoolBusy, p.size, p.name)
	}
	defer p.wake() // keep a spare ready for the next caller
	for {
		select {
		case <-p.avail:
			return p.pop(), nil
		default:
		}
		if p.reserve() {
			pi, err := p.create(ctx)
			if err != nil {
				p.release()
				<-p.slots
				return nil, err
			}
			return pi, nil
		}
		// Every live instance is idle-bound or being created by the filler: wait for one.
		select {
		case <-p.avail:
			return p.pop(), nil
		case <-p.stop:
			<-p.slots
			return nil, errPoolClosed
		case <-ctx.Done():
			<-p.slots
			return nil, fmt.Errorf("%w: all %d instances of %s busy until the deadline", errPoolBusy, p.size, p.name)
		}
	}
}

// useLimit is how many calls a new instance serves: maxUses less up to a quarter, at random.
// A fresh instance pays for its first touch of every page its guest uses, in page faults
// (about 20,000 over the modules' calls on a 1 MB PE, ~100 ms on the project's machine), and
// every module is called once per analysis: with one fixed limit, all of them were recycled
// by the same analysis, which paid the whole cost at once (docs/benchmarks.md).
func useLimit(maxUses int) int {
	if maxUses <= 0 {
		return 0
	}
	return maxUses - rand.IntN(maxUses/4+1)
}

// put returns an instance after a call. A failed instance, or one that served its limit of calls,
// is closed and replaced ahead of need.
func (p *pool) put(pi *pooled, healthy bool) {
	defer func() { <-p.slots }()
	pi.uses++
	if !healthy || (pi.limit > 0 && pi.uses >= pi.limit) {
		p.discard(pi)
		p.wake()
		return
	}
	select {
	case <-p.stop:
		p.discard(pi)
		return
	default:
	}
	p.push(pi, true)
}

func (p *pool) idleLen() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// push adds an idle instance on top (recently used) or at the bottom (a spare). It never
// blocks: live <= size bounds the idle count by avail's capacity.
func (p *pool) push(pi *pooled, top bool) {
	p.mu.Lock()
	if top {
		p.idle = append(p.idle, pi)
	} else {
		p.idle = append([]*pooled{pi}, p.idle...)
	}
	p.mu.Unlock()
	p.avail <- struct{}{}
	p.gauge()
}

// pop takes the top idle instance; the caller holds an avail token, so there is one.
func (p *pool) pop() *pooled {
	p.mu.Lock()
	pi := p.idle[len(p.idle)-1]
	p.idle = p.idle[:len(p.idle)-1]
	p.mu.Unlock()
	p.gauge()
	return pi
}

// abandon gives up an instance that is still running on an engine that cannot stop it: its
// slot is freed, it is never reused, and the engine goroutine closes it when the guest returns.
func (p *pool) abandon() {
	<-p.slots
	p.release()
	p.wake()
}

func (p *pool) discard(pi *pooled) {
	_ = pi.inst.close(context.Background())
	p.release()
}

func (p *pool) gauge() {
	if p.metrics == nil {
		return
	}
	p.metrics.poolSize.WithLabelValues(p.name).Set(float64(p.live.Load()))
	p.metrics.poolInUse.WithLabelValues(p.name).Set(float64(len(p.slots)))
}

// close stops the filler and closes the idle instances. Busy instances are closed by put.
func (p *pool) close() {
	p.once.Do(func() { close(p.stop) })
	p.wg.Wait()
	for {
		select {
		case <-p.avail:
			p.discard(p.pop())
		default:
			return
		}
	}
}
