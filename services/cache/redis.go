package cache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
)

// RedisConfig configures the Redis backend. One address is a single node; MasterName selects
// Sentinel (Addrs are the sentinels); several addresses without MasterName are a Cluster.
type RedisConfig struct {
	// Addrs are host:port addresses.
	Addrs []string
	// MasterName is the Sentinel master name.
	MasterName string
	// Username and Password authenticate, when set.
	Username, Password string
	// DB selects the database (single node and Sentinel only).
	DB int
	// KeyPrefix is put in front of every key, so several deployments or tests can share a server.
	KeyPrefix string
	// DialTimeout, ReadTimeout and WriteTimeout are short by default (500 ms, 1 s, 1 s) so a dead
	// Redis makes calls fail fast instead of hanging until the caller's deadline.
	DialTimeout, ReadTimeout, WriteTimeout time.Duration
	// PoolSize bounds connections per node (go-redis default when 0).
	PoolSize int
	// DisableTelemetry turns off redisotel tracing and metrics (they use the global providers).
	DisableTelemetry bool
}

// Redis is the Redis backend. Every key lives under KeyPrefix plus a "{athena:cache}" hash tag,
// so on a Cluster all cache keys share one slot: that is the price of atomic tag invalidation
// in a single Lua script (a cross-slot script cannot be atomic).
type Redis struct {
	client redis.UniversalClient
	base   string
	hits   atomic.Int64
	misses atomic.Int64
}

// Lua scripts. An entry is a hash {v: value, g: tags joined by "\n"} at base.."k:"..key; a tag
// is a set of keys at base.."t:"..tag. Scripts touch tag keys they compute themselves, which is
// allowed because every key is in the same hash slot.
var (
	// KEYS[1] entry key. ARGV[1] base, ARGV[2] key, ARGV[3] value, ARGV[4] ttl ms, ARGV[5..] tags.
	setScript = redis.NewScript(`
local old = redis.call('HGET', KEYS[1], 'g')
if old then
  for t in string.gmatch(old, '[^\n]+') do redis.call('SREM', ARGV[1]..'t:'..t, ARGV[2]) end
end
redis.call('DEL', KEYS[1])
local tags = {}
for i = 5, #ARGV do tags[#tags+1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'g', table.concat(tags, '\n'))
local ttl = tonumber(ARGV[4])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
for _, t in ipairs(tags) do
  local tk = ARGV[1]..'t:'..t
  redis.call('SADD', tk, ARGV[2])
  -- A tag set lives as long as its longest-lived member; stale members are skipped later.
  local cur = redis.call('PTTL', tk)
  if ttl <= 0 then redis.call('PERSIST', tk)
  elseif cur ~= -1 and cur < ttl then redis.call('PEXPIRE', tk, ttl) end
end
return 1`)
	// KEYS[1] entry key. Returns {value, tags, pttl} or nil.
	getScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'v', 'g')
if not r[1] then return nil end
return {r[1], r[2] or '', redis.call('PTTL', KEYS[1])}`)
	// KEYS[1] tag key. ARGV[1] base, ARGV[2] tag. Deletes members that still carry the tag.
	invalidateScript = redis.NewScript(`
local n = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local ek = ARGV[1]..'k:'..k
  local g = redis.call('HGET', ek, 'g')
  if g then
    for t in string.gmatch(g, '[^\n]+') do
      if t == ARGV[2] then
        for ot in string.gmatch(g, '[^\n]+') do
          if ot ~= ARGV[2] then redis.call('SREM', ARGV[1]..'t:'..ot, k) end
        end
        redis.call('DEL', ek)
        n = n + 1
        break
      end
    end
  end
end
redis.call('DEL', KEYS[1])
return n`)
)

// NewRedis connects to Redis, checks that it answers and instruments the client with redisotel.
func NewRedis(ctx context.Context, cfg RedisConfig) (*Redis, error) {
	if len(cfg.Addrs) == 0 {
		return nil, fmt.Errorf("redis: %w: no address", ErrInvalid)
	}
	opts := &redis.UniversalOptions{
		Addrs:        cfg.Addrs,
		MasterName:   cfg.MasterName,
		Username:     cfg.Username,
		Password:     cfg.Password,
		DB:           cfg.DB,
		DialTimeout:  orDefault(cfg.DialTimeout, 500*time.Millisecond),
		ReadTimeout:  orDefault(cfg.ReadTimeout, time.Second),
		WriteTimeout: orDefault(cfg.WriteTimeout, time.Second),
		PoolTimeout:  2 * time.Second,
		PoolSize:     cfg.PoolSize,
		// One retry rides over a connection the server closed; more only delays the failure.
		MaxRetries:      1,
		DisableIdentity: true,
	}
	client := redis.NewUniversalClient(opts)
	if !cfg.DisableTelemetry {
		if err := redisotel.InstrumentTracing(client); err != nil {
			_ = client.Close()
			return nil, fmt.Errorf("redis tracing: %w", err)
		}
		if err := redisotel.InstrumentMetrics(client); err != nil {
			_ = client.Close()
			return nil, fmt.Errorf("redis metrics: %w", err)
		}
	}
	r := &Redis{client: client, base: cfg.KeyPrefix + "{athena:cache}:"}
	if err := r.Ping(ctx); err != nil {
		_ = client.Close()
		return nil, err
	}
	return r, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Client returns the underlying client, for callers that share the connection pool.
func (r *Redis) Client() redis.UniversalClient { return r.client }

func (r *Redis) entryKey(key string) string { return r.base + "k:" + key }

// classify turns go-redis errors into ErrUnavailable when the server could not be reached or is
// not ready, and keeps the caller's own cancellation as it is.
func classify(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("redis %s: %w", op, ctxErr)
	}
	var rerr redis.Error
	if errors.As(err, &rerr) && !strings.HasPrefix(err.Error(), "LOADING") &&
		!strings.HasPrefix(err.Error(), "MASTERDOWN") && !strings.HasPrefix(err.Error(), "CLUSTERDOWN") &&
		!strings.HasPrefix(err.Error(), "TRYAGAIN") && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("redis %s: %w", op, err)
	}
	return fmt.Errorf("redis %s: %w: %w", op, ErrUnavailable, err)
}

// Get implements Backend.
func (r *Redis) Get(ctx context.Context, key string) (Entry, bool, error) {
	if err := validKey(key); err != nil {
		return Entry{}, false, err
	}
	res, err := getScript.Run(ctx, r.client, []string{r.entryKey(key)}).Result()
	if errors.Is(err, redis.Nil) {
		r.misses.Add(1)
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, classify(ctx, "get", err)
	}
	e, err := decodeEntry(key, res)
	if err != nil {
		return Entry{}, false, err
	}
	r.hits.Add(1)
	return e, true, nil
}

func decodeEntry(key string, res any) (Entry, error) {
	arr, ok := res.([]any)
	if !ok || len(arr) != 3 {
		return Entry{}, fmt.Errorf("redis get %q: unexpected reply %T", key, res)
	}
	v, _ := arr[0].(string)
	g, _ := arr[1].(string)
	pttl, _ := arr[2].(int64)
	e := Entry{Key: key, Value: []byte(v)}
	if g != "" {
		e.Tags = strings.Split(g, "\n")
	}
	if pttl > 0 {
		e.TTL = time.Duration(pttl) * time.Millisecond
	}
	return e, nil
}

func (r *Redis) setArgs(e Entry) ([]string, []any) {
	tags := dedupeTags(e.Tags)
	args := make([]any, 0, 4+len(tags))
	args = append(args, r.base, e.Key, e.Value, e.TTL.Milliseconds())
	if e.TTL > 0 && e.TTL < time.Millisecond {
		args[3] = int64(1)
	}
	for _, t := range tags {
		args = append(args, t)
	}
	return []string{r.entryKey(e.Key)}, args
}

// Set implements Backend.
func (r *Redis) Set(ctx context.Context, e Entry) error {
	if err := validEntry(e); err != nil {
		return err
	}
	keys, args := r.setArgs(e)
	return classify(ctx, "set", setScript.Run(ctx, r.client, keys, args...).Err())
}

// Delete implements Backend. Tag sets keep the deleted keys until the tag is invalidated or
// expires; InvalidateTag skips keys that no longer exist.
func (r *Redis) Delete(ctx context.Context, keys ...string) (int64, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		if err := validKey(k); err != nil {
			return 0, err
		}
		full[i] = r.entryKey(k)
	}
	n, err := r.client.Del(ctx, full...).Result()
	return n, classify(ctx, "delete", err)
}

// BatchGet implements Backend with one pipelined round trip.
func (r *Redis) BatchGet(ctx context.Context, keys []string) ([]Entry, error) {
	for _, k := range keys {
		if err := validKey(k); err != nil {
			return nil, err
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	// Load the script once so the pipeline can use EVALSHA without a NOSCRIPT round trip.
	if err := getScript.Load(ctx, r.client).Err(); err != nil {
		return nil, classify(ctx, "batch get", err)
	}
	cmds := make([]*redis.Cmd, len(keys))
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = getScript.EvalSha(ctx, p, []string{r.entryKey(k)})
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, classify(ctx, "batch get", err)
	}
	out := make([]Entry, 0, len(keys))
	for i, c := range cmds {
		res, err := c.Result()
		if errors.Is(err, redis.Nil) {
			r.misses.Add(1)
			continue
		}
		if err != nil {
			return nil, classify(ctx, "batch get", err)
		}
		e, err := decodeEntry(keys[i], res)
		if err != nil {
			return nil, err
		}
		r.hits.Add(1)
		out = append(out, e)
	}
	return out, nil
}

// BatchSet implements Backend with one pipelined round trip.
func (r *Redis) BatchSet(ctx context.Context, entries []Entry) error {
	for _, e := range entries {
		if err := validEntry(e); err != nil {
			return err
		}
	}
	if len(entries) == 0 {
		return nil
	}
	if err := setScript.Load(ctx, r.client).Err(); err != nil {
		return classify(ctx, "batch set", err)
	}
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range entries {
			keys, args := r.setArgs(e)
			setScript.EvalSha(ctx, p, keys, args...)
		}
		return nil
	})
	return classify(ctx, "batch set", err)
}

// InvalidateTag implements Backend in one Lua script, so no Set can interleave with it.
func (r *Redis) InvalidateTag(ctx context.Context, tag string) (int64, error) {
	if err := validTag(tag); err != nil {
		return 0, err
	}
	n, err := invalidateScript.Run(ctx, r.client, []string{r.base + "t:" + tag}, r.base, tag).Int64()
	return n, classify(ctx, "invalidate tag", err)
}

// Stats implements Backend. Keys counts this prefix's entries with SCAN, so it costs O(keys).
func (r *Redis) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Backend: "redis", Hits: r.hits.Load(), Misses: r.misses.Load()}
	var keys atomic.Int64
	count := func(ctx context.Context, c redis.UniversalClient) error {
		iter := c.Scan(ctx, 0, r.base+"k:*", 1000).Iterator()
		for iter.Next(ctx) {
			keys.Add(1)
		}
		return iter.Err()
	}
	var err error
	if cc, ok := r.client.(*redis.ClusterClient); ok {
		// ForEachMaster runs concurrently, hence the atomic counter.
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return count(ctx, c) })
	} else {
		err = count(ctx, r.client)
	}
	if err != nil {
		return Stats{}, classify(ctx, "stats", err)
	}
	st.Keys = keys.Load()
	if info, err := r.client.Info(ctx, "memory").Result(); err == nil {
		st.MemoryBytes = parseInfoInt(info, "used_memory")
	}
	return st, nil
}

func parseInfoInt(info, field string) int64 {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// Ping implements Backend.
func (r *Redis) Ping(ctx context.Context) error {
	return classify(ctx, "ping", r.client.Ping(ctx).Err())
}

// Close implements Backend.
func (r *Redis) Close() error { return r.client.Close() }
