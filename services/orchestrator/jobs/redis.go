package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// RedisConfig configures the Redis queue. Zero fields take the defaults.
type RedisConfig struct {
	// KeyPrefix is put in front of every key.
	KeyPrefix string
	// Group is the consumer group (default "orchestrators").
	Group string
	// Consumer names this worker in the group (default host-pid-random); it must be unique
	// among live workers.
	Consumer string
	// VisibilityTimeout is how long a job may go without its worker's heartbeat before another
	// worker re-claims it (default 30 s). Workers heartbeat every third of it.
	VisibilityTimeout time.Duration
	// MaxQueued bounds unfinished jobs, the stream's length (default DefaultMaxQueued).
	MaxQueued int
	// ResultTTL is how long a finished job stays readable (default DefaultResultTTL).
	ResultTTL time.Duration
	// MaxAttempts bounds how often a job is taken before it is failed (default DefaultMaxAttempts).
	MaxAttempts int
	// PollInterval is how often Watch reads the job (default 200 ms).
	PollInterval time.Duration
}

// Redis is the Redis Streams queue. Job records are hashes; the stream holds exactly the
// unfinished jobs (an entry is deleted when its job finishes), so its length is the queue depth.
// All keys share the "{athena:jobs}" hash tag, so the Lua scripts also run on a Cluster.
type Redis struct {
	client redis.UniversalClient
	cfg    RedisConfig
	base   string
	stream string

	mu      sync.Mutex
	closed  bool
	done    chan struct{}
	watches sync.WaitGroup
}

// NewRedis returns a queue on client; the caller owns client and closes it after Close.
func NewRedis(client redis.UniversalClient, cfg RedisConfig) *Redis {
	if cfg.Group == "" {
		cfg.Group = "orchestrators"
	}
	if cfg.Consumer == "" {
		host, _ := os.Hostname()
		cfg.Consumer = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), newID()[:8])
	}
	if cfg.VisibilityTimeout <= 0 {
		cfg.VisibilityTimeout = 30 * time.Second
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = DefaultMaxQueued
	}
	if cfg.ResultTTL <= 0 {
		cfg.ResultTTL = DefaultResultTTL
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	base := cfg.KeyPrefix + "{athena:jobs}:"
	return &Redis{client: client, cfg: cfg, base: base, stream: base + "stream", done: make(chan struct{})}
}

// Job hash fields: state (JobState number), payload (until finished), report (proto bytes),
// error, created and updated (unix ms), attempts, token (the attempt that owns the job),
// dedupe (its dedupe key), completions (how often it was finished: 1, which tests check).
var (
	// KEYS[1] stream. ARGV: base, id, dedupe, payload, now, maxQueued.
	// Returns {1,id} queued, {0,id} attached, {-1,""} full.
	submitScript = redis.NewScript(`
if ARGV[3] ~= '' then
  local ex = redis.call('GET', ARGV[1]..'dedupe:'..ARGV[3])
  if ex then
    local st = redis.call('HGET', ARGV[1]..'job:'..ex, 'state')
    if st == '1' or st == '2' then return {0, ex} end
  end
end
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[6]) then return {-1, ''} end
redis.call('HSET', ARGV[1]..'job:'..ARGV[2], 'state', '1', 'payload', ARGV[4], 'created', ARGV[5],
  'updated', ARGV[5], 'attempts', '0', 'token', '0', 'dedupe', ARGV[3])
if ARGV[3] ~= '' then redis.call('SET', ARGV[1]..'dedupe:'..ARGV[3], ARGV[2]) end
redis.call('XADD', KEYS[1], '*', 'id', ARGV[2])
return {1, ARGV[2]}`)

	// finishLua is shared by start (giving up) and complete: record the outcome, expire the
	// record, release the dedupe key, and remove the stream entry.
	finishLua = `
local function finish(jk, base, id, state, report, err, now, ttl, stream, group, msg)
  redis.call('HSET', jk, 'state', state, 'report', report, 'error', err, 'updated', now)
  redis.call('HDEL', jk, 'payload')
  redis.call('HINCRBY', jk, 'completions', 1)
  redis.call('PEXPIRE', jk, ttl)
  local d = redis.call('HGET', jk, 'dedupe')
  if d and d ~= '' and redis.call('GET', base..'dedupe:'..d) == id then redis.call('DEL', base..'dedupe:'..d) end
  redis.call('XACK', stream, group, msg)
  redis.call('XDEL', stream, msg)
end
`

	// KEYS[1] stream. ARGV: base, id, msg, group, now, maxAttempts, ttl.
	// Returns {1, token, payload} to run, or {0} to skip.
	startScript = redis.NewScript(finishLua + `
local jk = ARGV[1]..'job:'..ARGV[2]
local st = redis.call('HGET', jk, 'state')
if not st or st == '3' or st == '4' then
  redis.call('XACK', KEYS[1], ARGV[4], ARGV[3])
  redis.call('XDEL', KEYS[1], ARGV[3])
  return {0}
end
local n = redis.call('HINCRBY', jk, 'attempts', 1)
if n > tonumber(ARGV[6]) then
  redis.call('HSET', jk, 'attempts', n - 1)
  finish(jk, ARGV[1], ARGV[2], '4', '', 'gave up after '..(n-1)..' attempts: the workers running it stopped',
    ARGV[5], ARGV[7], KEYS[1], ARGV[4], ARGV[3])
  return {0}
end
redis.call('HSET', jk, 'state', '2', 'token', tostring(n), 'updated', ARGV[5])
return {1, n, redis.call('HGET', jk, 'payload') or ''}`)

	// KEYS[1] stream. ARGV: base, id, msg, group, token, state, report, error, now, ttl.
	// Returns 1 when this call finished the job, 0 when the token no longer owns it.
	completeScript = redis.NewScript(finishLua + `
local jk = ARGV[1]..'job:'..ARGV[2]
if redis.call('HGET', jk, 'state') ~= '2' or redis.call('HGET', jk, 'token') ~= ARGV[5] then return 0 end
finish(jk, ARGV[1], ARGV[2], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], KEYS[1], ARGV[4], ARGV[3])
return 1`)

	// KEYS[1] stream. ARGV: group, consumer, msg, base, id, token.
	// Resets the entry's idle time while this worker still owns it; 0 when it lost it.
	heartbeatScript = redis.NewScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] then return 0 end
if redis.call('HGET', ARGV[4]..'job:'..ARGV[5], 'token') ~= ARGV[6] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1`)
)

func nowMS() string { return strconv.FormatInt(time.Now().UnixMilli(), 10) }

// Submit implements Queue.
func (q *Redis) Submit(ctx context.Context, dedupeKey string, payload []byte) (*analysisv1.Job, error) {
	res, err := submitScript.Run(ctx, q.client, []string{q.stream},
		q.base, newID(), dedupeKey, payload, nowMS(), q.cfg.MaxQueued).Slice()
	if err != nil {
		return nil, fmt.Errorf("submit job: %w", err)
	}
	if len(res) != 2 {
		return nil, fmt.Errorf("submit job: unexpected reply %v", res)
	}
	if code, _ := res[0].(int64); code == -1 {
		return nil, fmt.Errorf("submit job: %w (%d unfinished jobs)", ErrQueueFull, q.cfg.MaxQueued)
	}
	id, _ := res[1].(string)
	return q.Get(ctx, id)
}

// Get implements Queue.
func (q *Redis) Get(ctx context.Context, id string) (*analysisv1.Job, error) {
	h, err := q.client.HMGet(ctx, q.base+"job:"+id, "state", "report", "error", "created", "updated", "attempts").Result()
	if err != nil {
		return nil, fmt.Errorf("get job %q: %w", id, err)
	}
	str := func(i int) string { s, _ := h[i].(string); return s }
	if str(0) == "" {
		return nil, fmt.Errorf("get job %q: %w", id, ErrNotFound)
	}
	state, _ := strconv.Atoi(str(0))
	attempts, _ := strconv.Atoi(str(5))
	j := &analysisv1.Job{
		Id: id, State: analysisv1.JobState(state), Error: str(2), Attempts: int32(attempts),
		CreatedAt: msTime(str(3)), UpdatedAt: msTime(str(4)),
	}
	if rep := str(1); rep != "" {
		j.Report = &analysisv1.Report{}
		if err := proto.Unmarshal([]byte(rep), j.Report); err != nil {
			return nil, fmt.Errorf("get job %q: decode report: %w", id, err)
		}
	}
	return j, nil
}

func msTime(s string) *timestamppb.Timestamp {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return timestamppb.New(time.UnixMilli(ms))
}

// Watch implements Queue by polling the job record, which keeps working across Redis restarts.
func (q *Redis) Watch(ctx context.Context, id string) (<-chan *analysisv1.Job, error) {
	first, err := q.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, fmt.Errorf("watch job %q: queue closed", id)
	}
	out := make(chan *analysisv1.Job, 1)
	q.watches.Add(1)
	go func() {
		defer q.watches.Done()
		defer close(out)
		t := time.NewTicker(q.cfg.PollInterval)
		defer t.Stop()
		last := analysisv1.JobState_JOB_STATE_UNSPECIFIED
		j := first
		for {
			if j != nil && j.State != last {
				select {
				case out <- j:
				case <-ctx.Done():
					return
				case <-q.done:
					return
				}
				last = j.State
				if terminal(j.State) {
					return
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-q.done:
				return
			case <-t.C:
			}
			var err error
			j, err = q.Get(ctx, id)
			if errors.Is(err, ErrNotFound) {
				return
			}
			if err != nil {
				j = nil // Redis is unreachable for now; keep polling
			}
		}
	}()
	return out, nil
}

// ensureGroup creates the stream and the consumer group from the start of the stream, so jobs
// submitted before any worker existed are delivered too.
func (q *Redis) ensureGroup(ctx context.Context) error {
	err := q.client.XGroupCreateMkStream(ctx, q.stream, q.cfg.Group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group: %w", err)
	}
	return nil
}

// Work implements Queue. It reads new entries with XREADGROUP and, every half visibility
// timeout, re-claims entries idle longer than the timeout with XAUTOCLAIM. Redis errors are
// retried with backoff until ctx is done, so a Redis restart pauses work and loses nothing.
func (q *Redis) Work(ctx context.Context, concurrency int, h Handler) error {
	if concurrency < 1 {
		return fmt.Errorf("work: concurrency %d < 1", concurrency)
	}
	slots := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	backoff := newBackoff()
	groupReady := false
	claimEvery := q.cfg.VisibilityTimeout / 2
	lastClaim := time.Time{}
	block := min(500*time.Millisecond, claimEvery)
	for {
		// Take at least one slot, then as many more as are free, and fetch that many.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		n := 1
	more:
		for n < concurrency {
			select {
			case slots <- struct{}{}:
				n++
			default:
				break more
			}
		}
		msgs, err := q.fetch(ctx, n, block, &groupReady, &lastClaim, claimEvery)
		for i := len(msgs); i < n; i++ {
			<-slots
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if strings.Contains(err.Error(), "NOGROUP") {
				groupReady = false // Redis lost its data; recreate the group
			}
			if !backoff.wait(ctx) {
				return ctx.Err()
			}
			continue
		}
		backoff.reset()
		for _, m := range msgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				q.run(ctx, m, h)
			}()
		}
	}
}

func (q *Redis) fetch(ctx context.Context, n int, block time.Duration, groupReady *bool, lastClaim *time.Time, claimEvery time.Duration) ([]redis.XMessage, error) {
	if !*groupReady {
		if err := q.ensureGroup(ctx); err != nil {
			return nil, err
		}
		*groupReady = true
	}
	if time.Since(*lastClaim) >= claimEvery {
		msgs, _, err := q.client.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: q.stream, Group: q.cfg.Group, Consumer: q.cfg.Consumer,
			MinIdle: q.cfg.VisibilityTimeout, Start: "0-0", Count: int64(n),
		}).Result()
		if err != nil {
			return nil, fmt.Errorf("autoclaim: %w", err)
		}
		if len(msgs) > 0 {
			return msgs, nil // more may be idle; claim again next round
		}
		*lastClaim = time.Now()
	}
	res, err := q.client.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: q.cfg.Group, Consumer: q.cfg.Consumer, Streams: []string{q.stream, ">"},
		Count: int64(n), Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read group: %w", err)
	}
	var msgs []redis.XMessage
	for _, s := range res {
		msgs = append(msgs, s.Messages...)
	}
	return msgs, nil
}

// run takes one job, runs the handler under a heartbeat, and records the outcome.
func (q *Redis) run(ctx context.Context, m redis.XMessage, h Handler) {
	id, _ := m.Values["id"].(string)
	if id == "" {
		// Not one of ours; drop it so it is not re-claimed forever.
		_ = q.client.XAck(ctx, q.stream, q.cfg.Group, m.ID).Err()
		return
	}
	res, err := startScript.Run(ctx, q.client, []string{q.stream},
		q.base, id, m.ID, q.cfg.Group, nowMS(), q.cfg.MaxAttempts, q.cfg.ResultTTL.Milliseconds()).Slice()
	if err != nil || len(res) < 3 {
		return // unreachable Redis or nothing to run; the entry stays pending and is re-claimed
	}
	token := strconv.FormatInt(res[1].(int64), 10)
	payload, _ := res[2].(string)

	hctx, cancel := context.WithCancel(ctx)
	var hb sync.WaitGroup
	hb.Add(1)
	go func() {
		defer hb.Done()
		q.heartbeat(hctx, cancel, m.ID, id, token)
	}()
	report, herr := h(hctx, []byte(payload))
	lost := hctx.Err() != nil && ctx.Err() == nil
	cancel()
	hb.Wait()
	if lost || ctx.Err() != nil {
		// Another worker owns the job now, or we are stopping: leave the outcome to whoever
		// runs it next.
		return
	}
	state, reportBytes, errText := "3", []byte(nil), ""
	if herr != nil {
		state, errText = "4", herr.Error()
	} else if reportBytes, err = proto.Marshal(report); err != nil {
		state, errText = "4", fmt.Sprintf("encode report: %v", err)
	}
	// The outcome is only in memory until this succeeds, so retry across a Redis outage.
	b := newBackoff()
	for {
		err := completeScript.Run(ctx, q.client, []string{q.stream},
			q.base, id, m.ID, q.cfg.Group, token, state, reportBytes, errText, nowMS(), q.cfg.ResultTTL.Milliseconds()).Err()
		if err == nil || !b.wait(ctx) {
			return
		}
	}
}

func (q *Redis) heartbeat(ctx context.Context, lost context.CancelFunc, msg, id, token string) {
	t := time.NewTicker(q.cfg.VisibilityTimeout / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		owned, err := heartbeatScript.Run(ctx, q.client, []string{q.stream}, q.cfg.Group, q.cfg.Consumer, msg, q.base, id, token).Int()
		if err == nil && owned == 0 {
			lost()
			return
		}
	}
}

// Close implements Queue: watchers end. It does not close the client, which the caller owns.
func (q *Redis) Close() error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.done)
	}
	q.mu.Unlock()
	q.watches.Wait()
	return nil
}

type backoff struct{ d time.Duration }

func newBackoff() *backoff { return &backoff{d: 50 * time.Millisecond} }

func (b *backoff) reset() { b.d = 50 * time.Millisecond }

// wait sleeps for the current delay, doubling it up to a second; false when ctx ends first.
func (b *backoff) wait(ctx context.Context) bool {
	t := time.NewTimer(b.d)
	defer t.Stop()
	b.d = min(2*b.d, time.Second)
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
