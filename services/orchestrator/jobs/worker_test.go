package jobs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// Environment of a re-executed worker process.
const (
	envWorkerAddr   = "ATHENA_JOBS_TEST_WORKER_REDIS"
	envWorkerPrefix = "ATHENA_JOBS_TEST_WORKER_PREFIX"
	envWorkerName   = "ATHENA_JOBS_TEST_WORKER_NAME"
	workerConc      = 4
)

func getenvWorker() string { return os.Getenv(envWorkerAddr) }

// workerConfig is the queue configuration the test and its worker processes share.
func workerConfig(prefix string) RedisConfig {
	return RedisConfig{KeyPrefix: prefix, VisibilityTimeout: 2 * time.Second, PollInterval: 20 * time.Millisecond}
}

// runWorkerProcess is the body of a worker process: it drains the queue until SIGTERM. Its
// handler counts every run in Redis (handled:<payload>), so the test can tell executions from
// completions.
func runWorkerProcess(addr string) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 500 * time.Millisecond, MaxRetries: 1})
	defer c.Close()
	cfg := workerConfig(os.Getenv(envWorkerPrefix))
	cfg.Consumer = os.Getenv(envWorkerName)
	q := NewRedis(c, cfg)
	defer q.Close()
	_ = q.Work(ctx, workerConc, func(ctx context.Context, p []byte) (*analysisv1.Report, error) {
		if err := c.Incr(ctx, cfg.KeyPrefix+"handled:"+string(p)).Err(); err != nil {
			return nil, err
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &analysisv1.Report{Id: string(p)}, nil
	})
}

func startWorker(t *testing.T, addr, prefix, name string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envWorkerAddr+"="+addr, envWorkerPrefix+"="+prefix, envWorkerName+"="+name)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	return cmd
}

// TestWorkerKilledMidRun runs two worker processes on 200 jobs and kill -9s one mid-way: the
// other re-claims its pending jobs after the visibility timeout and every job completes exactly
// once. Handler runs may exceed one only for the jobs the killed worker had in flight.
func TestWorkerKilledMidRun(t *testing.T) {
	addr := testutil.Redis(t)
	prefix := testutil.KeyPrefix(t)
	c := newClient(t, addr)
	q := NewRedis(c, workerConfig(prefix))
	defer q.Close()
	ids := submitAll(t, q, 200)

	victim := startWorker(t, addr, prefix, "victim")
	startWorker(t, addr, prefix, "survivor")

	ctx := context.Background()
	// Kill the victim once it has finished some jobs and holds others.
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, err := c.XLen(ctx, q.stream).Result()
		if err == nil && n <= 150 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workers made no progress (stream length %d, %v)", n, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := victim.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = victim.Wait()

	extra := 0
	reclaimed := 0
	for i, id := range ids {
		j := waitState(t, q, id, analysisv1.JobState_JOB_STATE_DONE)
		if j.GetReport().GetId() != fmt.Sprint(i) {
			t.Fatalf("job %d report %v", i, j.GetReport())
		}
		if n := completions(t, c, q, id); n != 1 {
			t.Fatalf("job %d completed %d times", i, n)
		}
		runs, err := c.Get(ctx, prefix+"handled:"+strconv.Itoa(i)).Int()
		if err != nil || runs < 1 {
			t.Fatalf("job %d handled %d times (%v)", i, runs, err)
		}
		extra += runs - 1
		if j.GetAttempts() > 1 {
			reclaimed++
		}
	}
	if extra > workerConc {
		t.Fatalf("%d extra handler runs; only the victim's %d in-flight jobs may run twice", extra, workerConc)
	}
	t.Logf("jobs re-claimed from the killed worker: %d, extra handler runs: %d", reclaimed, extra)
	if n, err := c.XLen(ctx, q.stream).Result(); err != nil || n != 0 {
		t.Fatalf("stream length after all done = %d, %v; want 0", n, err)
	}
}
