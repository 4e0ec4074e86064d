package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// MemoryConfig configures the in-memory queue. Zero fields take the defaults.
type MemoryConfig struct {
	// MaxQueued bounds unfinished (queued or running) jobs (default DefaultMaxQueued).
	MaxQueued int
	// ResultTTL is how long a finished job stays readable (default DefaultResultTTL).
	ResultTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Memory is the in-memory queue. Jobs do not survive the process.
type Memory struct {
	cfg MemoryConfig

	mu         sync.Mutex
	jobs       map[string]*memJob
	dedupe     map[string]string // dedupe key → id of a queued or running job
	pending    []string          // FIFO of queued ids
	unfinished int
	finished   []finishedAt // in finishing order, for expiry
	wake       chan struct{}
	closed     bool

	done    chan struct{} // closed by Close to stop watchers
	watches sync.WaitGroup
}

type memJob struct {
	job     *analysisv1.Job
	payload []byte
	dedupe  string
	changed chan struct{} // closed and replaced on every state change
}

type finishedAt struct {
	id string
	at time.Time
}

// NewMemory returns an empty in-memory queue.
func NewMemory(cfg MemoryConfig) *Memory {
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = DefaultMaxQueued
	}
	if cfg.ResultTTL <= 0 {
		cfg.ResultTTL = DefaultResultTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Memory{
		cfg:    cfg,
		jobs:   make(map[string]*memJob),
		dedupe: make(map[string]string),
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
}

// expireLocked drops finished jobs older than ResultTTL.
func (m *Memory) expireLocked(now time.Time) {
	n := 0
	for n < len(m.finished) && now.Sub(m.finished[n].at) >= m.cfg.ResultTTL {
		delete(m.jobs, m.finished[n].id)
		n++
	}
	m.finished = m.finished[n:]
}

// Submit implements Queue.
func (m *Memory) Submit(ctx context.Context, dedupeKey string, payload []byte) (*analysisv1.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("submit: queue closed")
	}
	now := m.cfg.Now()
	m.expireLocked(now)
	if dedupeKey != "" {
		if id, ok := m.dedupe[dedupeKey]; ok {
			return cloneJob(m.jobs[id].job), nil
		}
	}
	if m.unfinished >= m.cfg.MaxQueued {
		return nil, fmt.Errorf("submit: %w (%d unfinished jobs)", ErrQueueFull, m.unfinished)
	}
	ts := timestamppb.New(now)
	j := &memJob{
		job:     &analysisv1.Job{Id: newID(), State: analysisv1.JobState_JOB_STATE_QUEUED, CreatedAt: ts, UpdatedAt: ts},
		payload: append([]byte(nil), payload...),
		dedupe:  dedupeKey,
		changed: make(chan struct{}),
	}
	m.jobs[j.job.Id] = j
	if dedupeKey != "" {
		m.dedupe[dedupeKey] = j.job.Id
	}
	m.pending = append(m.pending, j.job.Id)
	m.unfinished++
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return cloneJob(j.job), nil
}

// Get implements Queue.
func (m *Memory) Get(ctx context.Context, id string) (*analysisv1.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expireLocked(m.cfg.Now())
	j, ok := m.jobs[id]
	if !ok {
		return nil, fmt.Errorf("get job %q: %w", id, ErrNotFound)
	}
	return cloneJob(j.job), nil
}

// Watch implements Queue.
func (m *Memory) Watch(ctx context.Context, id string) (<-chan *analysisv1.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.jobs[id]; !ok {
		return nil, fmt.Errorf("watch job %q: %w", id, ErrNotFound)
	}
	if m.closed {
		return nil, fmt.Errorf("watch job %q: queue closed", id)
	}
	out := make(chan *analysisv1.Job, 1)
	// The current state is taken now, under the lock, so a watcher always sees the state the
	// job had when Watch was called even if a worker moves it on before the goroutine runs.
	first := cloneJob(m.jobs[id].job)
	out <- first
	m.watches.Add(1)
	go func() {
		defer m.watches.Done()
		defer close(out)
		last := first.State
		if terminal(last) {
			return
		}
		for {
			m.mu.Lock()
			j, ok := m.jobs[id]
			var snap *analysisv1.Job
			var changed chan struct{}
			if ok {
				snap, changed = cloneJob(j.job), j.changed
			}
			m.mu.Unlock()
			if !ok {
				return
			}
			if snap.State != last {
				select {
				case out <- snap:
				case <-ctx.Done():
					return
				case <-m.done:
					return
				}
				last = snap.State
			}
			if terminal(snap.State) {
				return
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return
			case <-m.done:
				return
			}
		}
	}()
	return out, nil
}

// setStateLocked changes a job's state and wakes its watchers.
func (m *Memory) setStateLocked(j *memJob, st analysisv1.JobState, now time.Time) {
	j.job.State = st
	j.job.UpdatedAt = timestamppb.New(now)
	close(j.changed)
	j.changed = make(chan struct{})
}

// Work implements Queue.
func (m *Memory) Work(ctx context.Context, concurrency int, h Handler) error {
	if concurrency < 1 {
		return fmt.Errorf("work: concurrency %d < 1", concurrency)
	}
	var wg sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.worker(ctx, h)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

func (m *Memory) worker(ctx context.Context, h Handler) {
	for {
		j := m.take()
		if j == nil {
			select {
			case <-ctx.Done():
				return
			case <-m.done:
				return
			case <-m.wake:
				continue
			}
		}
		report, err := h(ctx, j.payload)
		if err != nil && ctx.Err() != nil {
			// The worker is stopping, not the job failing: put it back for the next Work.
			m.requeue(j)
			return
		}
		m.finish(j, report, err)
	}
}

// take pops the next queued job and marks it running.
func (m *Memory) take() *memJob {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.pending) == 0 {
		return nil
	}
	id := m.pending[0]
	m.pending = m.pending[1:]
	if len(m.pending) > 0 {
		// Pass the wake-up on so an idle sibling picks up the rest.
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
	j := m.jobs[id]
	j.job.Attempts++
	m.setStateLocked(j, analysisv1.JobState_JOB_STATE_RUNNING, m.cfg.Now())
	return j
}

func (m *Memory) requeue(j *memJob) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending = append([]string{j.job.Id}, m.pending...)
	m.setStateLocked(j, analysisv1.JobState_JOB_STATE_QUEUED, m.cfg.Now())
}

func (m *Memory) finish(j *memJob, report *analysisv1.Report, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()
	st := analysisv1.JobState_JOB_STATE_DONE
	if err != nil {
		st = analysisv1.JobState_JOB_STATE_FAILED
		j.job.Error = err.Error()
	} else {
		j.job.Report = report
	}
	j.payload = nil
	m.setStateLocked(j, st, now)
	if j.dedupe != "" && m.dedupe[j.dedupe] == j.job.Id {
		delete(m.dedupe, j.dedupe)
	}
	m.unfinished--
	m.finished = append(m.finished, finishedAt{id: j.job.Id, at: now})
}

// Close implements Queue: watchers end, and running Work loops return once their current jobs
// finish.
func (m *Memory) Close() error {
	m.mu.Lock()
	if !m.closed {
		m.closed = true
		close(m.done)
	}
	m.mu.Unlock()
	m.watches.Wait()
	return nil
}
