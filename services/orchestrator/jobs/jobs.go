// Package jobs is the orchestrator's asynchronous analysis queue: a Redis Stream with a consumer
// group (jobs of a dead worker are re-claimed with XAUTOCLAIM after a visibility timeout), or a
// bounded in-memory queue with the same semantics, the embedded default.
//
// Delivery is at least once: a job whose worker died is run again. Completion is exactly once:
// each time a worker takes a job it gets a fresh attempt token, and only the holder of the
// current token can move the job to DONE or FAILED.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"google.golang.org/protobuf/proto"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// Handler runs one job. A returned error fails the job (state FAILED with the error's text); it
// is not retried, because analysis errors do not go away by themselves. Only jobs whose worker
// stopped are retried, up to MaxAttempts.
type Handler func(ctx context.Context, payload []byte) (*analysisv1.Report, error)

// Queue is an asynchronous job queue.
type Queue interface {
	// Submit enqueues payload; a submission whose dedupe key matches a queued or running job
	// attaches to it (the returned job has that id). An empty dedupe key never attaches.
	Submit(ctx context.Context, dedupeKey string, payload []byte) (*analysisv1.Job, error)
	// Get returns a job's current state; ErrNotFound when unknown or expired.
	Get(ctx context.Context, id string) (*analysisv1.Job, error)
	// Watch streams the job's state changes, starting with its current state, until DONE or
	// FAILED (then the channel is closed) or until ctx is done or the queue is closed.
	Watch(ctx context.Context, id string) (<-chan *analysisv1.Job, error)
	// Work runs jobs with at most concurrency handlers at a time and blocks until ctx is done.
	Work(ctx context.Context, concurrency int, h Handler) error
	// Close stops watchers and releases the queue.
	Close() error
}

var (
	// ErrNotFound means no job has that id (or its result has expired).
	ErrNotFound = errors.New("job not found")
	// ErrQueueFull means the bounded queue holds its maximum of unfinished jobs; callers map it
	// to RESOURCE_EXHAUSTED and advise retrying later.
	ErrQueueFull = errors.New("job queue full")
)

// Defaults shared by both queues.
const (
	DefaultMaxQueued   = 10_000
	DefaultResultTTL   = time.Hour
	DefaultMaxAttempts = 3
)

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

func terminal(s analysisv1.JobState) bool {
	return s == analysisv1.JobState_JOB_STATE_DONE || s == analysisv1.JobState_JOB_STATE_FAILED
}

func cloneJob(j *analysisv1.Job) *analysisv1.Job { return proto.Clone(j).(*analysisv1.Job) }
