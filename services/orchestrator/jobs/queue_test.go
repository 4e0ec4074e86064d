package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

func TestMain(m *testing.M) {
	if addr := getenvWorker(); addr != "" {
		// Re-executed as a worker process by the cross-process tests.
		runWorkerProcess(addr)
		return
	}
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

func newClient(tb testing.TB, addr string) redis.UniversalClient {
	tb.Helper()
	c := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{addr}, DialTimeout: 500 * time.Millisecond, ReadTimeout: time.Second,
		WriteTimeout: time.Second, MaxRetries: 1, DisableIdentity: true,
	})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// queues is every Queue the suite runs against; each call makes a fresh, empty queue.
func queues(t *testing.T) map[string]func(t *testing.T, maxQueued int) Queue {
	addr := testutil.Redis(t)
	return map[string]func(t *testing.T, maxQueued int) Queue{
		"memory": func(t *testing.T, maxQueued int) Queue {
			q := NewMemory(MemoryConfig{MaxQueued: maxQueued})
			t.Cleanup(func() { _ = q.Close() })
			return q
		},
		"redis": func(t *testing.T, maxQueued int) Queue {
			q := NewRedis(newClient(t, addr), RedisConfig{
				KeyPrefix: testutil.KeyPrefix(t), MaxQueued: maxQueued,
				VisibilityTimeout: 2 * time.Second, PollInterval: 10 * time.Millisecond,
			})
			t.Cleanup(func() { _ = q.Close() })
			return q
		},
	}
}

// working runs q.Work in the background until the test ends.
func working(t *testing.T, q Queue, concurrency int, h Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = q.Work(ctx, concurrency, h)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func echo(_ context.Context, payload []byte) (*analysisv1.Report, error) {
	return &analysisv1.Report{Id: string(payload)}, nil
}

func waitState(t *testing.T, q Queue, id string, want analysisv1.JobState) *analysisv1.Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second) // hang guard, not a timing assertion
	for {
		j, err := q.Get(context.Background(), id)
		if err == nil && j.GetState() == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s: state %v, err %v; want %v", id, j.GetState(), err, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestQueueConformance(t *testing.T) {
	for name, mk := range queues(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			t.Run("lifecycle and watch", func(t *testing.T) {
				q := mk(t, 10)
				j, err := q.Submit(ctx, "", []byte("p1"))
				if err != nil {
					t.Fatal(err)
				}
				if j.GetState() != analysisv1.JobState_JOB_STATE_QUEUED || j.GetId() == "" || j.GetCreatedAt() == nil {
					t.Fatalf("submitted job = %v", j)
				}
				ch, err := q.Watch(ctx, j.GetId())
				if err != nil {
					t.Fatal(err)
				}
				release := make(chan struct{})
				working(t, q, 1, func(ctx context.Context, p []byte) (*analysisv1.Report, error) {
					<-release
					return echo(ctx, p)
				})
				var states []analysisv1.JobState
				var last *analysisv1.Job
				for u := range ch {
					states = append(states, u.GetState())
					last = u
					if u.GetState() == analysisv1.JobState_JOB_STATE_RUNNING {
						close(release)
					}
				}
				want := []analysisv1.JobState{analysisv1.JobState_JOB_STATE_QUEUED, analysisv1.JobState_JOB_STATE_RUNNING, analysisv1.JobState_JOB_STATE_DONE}
				if fmt.Sprint(states) != fmt.Sprint(want) {
					t.Fatalf("watched states %v, want %v", states, want)
				}
				if last.GetReport().GetId() != "p1" || last.GetAttempts() != 1 {
					t.Fatalf("final job = %v", last)
				}
				got, err := q.Get(ctx, j.GetId())
				if err != nil || got.GetReport().GetId() != "p1" || got.GetState() != analysisv1.JobState_JOB_STATE_DONE {
					t.Fatalf("Get = %v, %v", got, err)
				}
			})
			t.Run("handler error fails the job", func(t *testing.T) {
				q := mk(t, 10)
				working(t, q, 2, func(context.Context, []byte) (*analysisv1.Report, error) {
					return nil, errors.New("bad sample")
				})
				j, err := q.Submit(ctx, "", []byte("x"))
				if err != nil {
					t.Fatal(err)
				}
				got := waitState(t, q, j.GetId(), analysisv1.JobState_JOB_STATE_FAILED)
				if got.GetError() != "bad sample" || got.GetReport() != nil {
					t.Fatalf("failed job = %v", got)
				}
			})
			t.Run("not found", func(t *testing.T) {
				q := mk(t, 10)
				if _, err := q.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Get = %v, want ErrNotFound", err)
				}
				if _, err := q.Watch(ctx, "nope"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Watch = %v, want ErrNotFound", err)
				}
			})
			t.Run("dedupe attaches while queued or running", func(t *testing.T) {
				q := mk(t, 10)
				a, _ := q.Submit(ctx, "sha-a", []byte("a"))
				a2, _ := q.Submit(ctx, "sha-a", []byte("a"))
				b, _ := q.Submit(ctx, "sha-b", []byte("b"))
				n1, _ := q.Submit(ctx, "", []byte("n"))
				n2, _ := q.Submit(ctx, "", []byte("n"))
				if a.GetId() != a2.GetId() || a.GetId() == b.GetId() || n1.GetId() == n2.GetId() {
					t.Fatalf("ids a=%s a2=%s b=%s n1=%s n2=%s", a.GetId(), a2.GetId(), b.GetId(), n1.GetId(), n2.GetId())
				}
				var runs atomic.Int32
				running := make(chan struct{})
				release := make(chan struct{})
				var first sync.Once
				working(t, q, 1, func(ctx context.Context, p []byte) (*analysisv1.Report, error) {
					runs.Add(1)
					if string(p) == "a" {
						first.Do(func() { close(running); <-release })
					}
					return echo(ctx, p)
				})
				<-running
				a3, _ := q.Submit(ctx, "sha-a", []byte("a"))
				if a3.GetId() != a.GetId() || a3.GetState() != analysisv1.JobState_JOB_STATE_RUNNING {
					t.Fatalf("submit while running = %v, want attach to %s", a3, a.GetId())
				}
				close(release)
				waitState(t, q, a.GetId(), analysisv1.JobState_JOB_STATE_DONE)
				a4, _ := q.Submit(ctx, "sha-a", []byte("a"))
				if a4.GetId() == a.GetId() {
					t.Fatal("a finished job still attracts submissions")
				}
				for _, id := range []string{b.GetId(), n1.GetId(), n2.GetId(), a4.GetId()} {
					waitState(t, q, id, analysisv1.JobState_JOB_STATE_DONE)
				}
				if got := runs.Load(); got != 5 {
					t.Fatalf("handler ran %d times, want 5", got)
				}
			})
			t.Run("queue full", func(t *testing.T) {
				q := mk(t, 3)
				var ids []string
				for i := 0; i < 3; i++ {
					j, err := q.Submit(ctx, fmt.Sprintf("k%d", i), []byte("x"))
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, j.GetId())
				}
				if _, err := q.Submit(ctx, "k3", []byte("x")); !errors.Is(err, ErrQueueFull) {
					t.Fatalf("4th Submit = %v, want ErrQueueFull", err)
				}
				if j, err := q.Submit(ctx, "k0", []byte("x")); err != nil || j.GetId() != ids[0] {
					t.Fatalf("attaching to a queued job on a full queue = %v, %v", j, err)
				}
				working(t, q, 2, echo)
				for _, id := range ids {
					waitState(t, q, id, analysisv1.JobState_JOB_STATE_DONE)
				}
				if _, err := q.Submit(ctx, "k3", []byte("x")); err != nil {
					t.Fatalf("Submit after the queue drained = %v", err)
				}
			})
			t.Run("concurrency is bounded", func(t *testing.T) {
				q := mk(t, 100)
				var cur, peak atomic.Int32
				working(t, q, 3, func(ctx context.Context, p []byte) (*analysisv1.Report, error) {
					n := cur.Add(1)
					for {
						old := peak.Load()
						if n <= old || peak.CompareAndSwap(old, n) {
							break
						}
					}
					time.Sleep(5 * time.Millisecond)
					cur.Add(-1)
					return echo(ctx, p)
				})
				var ids []string
				for i := 0; i < 30; i++ {
					j, err := q.Submit(ctx, "", []byte(fmt.Sprint(i)))
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, j.GetId())
				}
				for i, id := range ids {
					if j := waitState(t, q, id, analysisv1.JobState_JOB_STATE_DONE); j.GetReport().GetId() != fmt.Sprint(i) {
						t.Fatalf("job %d report = %v", i, j.GetReport())
					}
				}
				if p := peak.Load(); p > 3 || p < 1 {
					t.Fatalf("peak concurrency %d, want 1..3", p)
				}
			})
			t.Run("work stops with its context", func(t *testing.T) {
				q := mk(t, 10)
				ctx, cancel := context.WithCancel(ctx)
				errc := make(chan error, 1)
				go func() { errc <- q.Work(ctx, 2, echo) }()
				cancel()
				if err := <-errc; !errors.Is(err, context.Canceled) {
					t.Fatalf("Work = %v, want context.Canceled", err)
				}
			})
		})
	}
}

// submitAll submits n jobs, retrying while Redis is briefly unreachable.
func submitAll(t *testing.T, q Queue, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		j, err := q.Submit(context.Background(), "", []byte(fmt.Sprint(i)))
		if err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
		ids = append(ids, j.GetId())
	}
	return ids
}

// completions reads how often each job was finished, straight from its record.
func completions(t *testing.T, c redis.UniversalClient, q *Redis, id string) int {
	t.Helper()
	n, err := c.HGet(context.Background(), q.base+"job:"+id, "completions").Int()
	if err != nil {
		t.Fatalf("completions of %s: %v", id, err)
	}
	return n
}

// TestRedisRestartLosesNoJob stops Redis while two in-process workers drain 200 jobs and starts
// it again: every job still finishes exactly once.
func TestRedisRestartLosesNoJob(t *testing.T) {
	rs := testutil.StartRedisServer(t)
	prefix := testutil.KeyPrefix(t)
	cfg := RedisConfig{KeyPrefix: prefix, VisibilityTimeout: 2 * time.Second, PollInterval: 20 * time.Millisecond}
	c := newClient(t, rs.Addr())
	producer := NewRedis(c, cfg)
	defer producer.Close()
	ids := submitAll(t, producer, 200)

	// After the first 40 jobs, handlers block on gate, so the outage starts with jobs in flight
	// and they finish while Redis is down: their outcomes must wait for Redis, not be dropped.
	var started atomic.Int32
	gate := make(chan struct{})
	h := func(ctx context.Context, p []byte) (*analysisv1.Report, error) {
		if started.Add(1) > 40 {
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return echo(ctx, p)
	}
	for w := 0; w < 2; w++ {
		wcfg := cfg
		wcfg.Consumer = fmt.Sprintf("w%d", w)
		working(t, NewRedis(newClient(t, rs.Addr()), wcfg), 4, h)
	}
	for started.Load() < 44 {
		time.Sleep(time.Millisecond)
	}
	rs.Stop()
	close(gate)
	time.Sleep(300 * time.Millisecond) // let the workers run into the outage
	rs.Start()
	for i, id := range ids {
		j := waitState(t, producer, id, analysisv1.JobState_JOB_STATE_DONE)
		if j.GetReport().GetId() != fmt.Sprint(i) {
			t.Fatalf("job %d report %v", i, j.GetReport())
		}
		if n := completions(t, c, producer, id); n != 1 {
			t.Fatalf("job %d completed %d times", i, n)
		}
	}
	if n, err := c.XLen(context.Background(), producer.stream).Result(); err != nil || n != 0 {
		t.Fatalf("stream length after all done = %d, %v; want 0", n, err)
	}
}
