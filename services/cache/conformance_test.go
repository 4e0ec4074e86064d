package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/goleak"

	"github.com/athena-mesh/athena/internal/testutil"
)

func TestMain(m *testing.M) {
	// A closed go-redis pool's background redial loop sleeps up to a second before noticing
	// the close; it is not ours to wait for.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

func newRedisBackend(tb testing.TB, addr string) *Redis {
	tb.Helper()
	r, err := NewRedis(context.Background(), RedisConfig{Addrs: []string{addr}, KeyPrefix: testutil.KeyPrefix(tb), DisableTelemetry: true})
	if err != nil {
		tb.Fatalf("NewRedis: %v", err)
	}
	tb.Cleanup(func() { _ = r.Close() })
	return r
}

// backends is every Backend the conformance suite runs against.
func backends(t *testing.T) map[string]func(t *testing.T) Backend {
	addr := testutil.Redis(t)
	return map[string]func(t *testing.T) Backend{
		"memory": func(*testing.T) Backend { return NewMemory(MemoryConfig{}) },
		"redis":  func(t *testing.T) Backend { return newRedisBackend(t, addr) },
	}
}

// entryCmp compares entries ignoring the remaining TTL, which the suite checks separately.
var entryCmp = cmp.Options{cmpopts.IgnoreFields(Entry{}, "TTL"), cmpopts.EquateEmpty()}

func TestBackendConformance(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			t.Run("set get round trip", func(t *testing.T) {
				b := mk(t)
				want := Entry{Key: "a", Value: []byte("value\x00bin"), TTL: time.Hour, Tags: []string{"x", "y"}}
				if err := b.Set(ctx, want); err != nil {
					t.Fatal(err)
				}
				got, ok, err := b.Get(ctx, "a")
				if err != nil || !ok {
					t.Fatalf("Get = %v, %v", ok, err)
				}
				if d := cmp.Diff(want, got, entryCmp); d != "" {
					t.Errorf("entry (-want +got):\n%s", d)
				}
				if got.TTL <= 0 || got.TTL > time.Hour {
					t.Errorf("remaining TTL = %v, want in (0, 1h]", got.TTL)
				}
			})
			t.Run("no ttl means no expiry", func(t *testing.T) {
				b := mk(t)
				if err := b.Set(ctx, Entry{Key: "p", Value: []byte("v")}); err != nil {
					t.Fatal(err)
				}
				got, ok, err := b.Get(ctx, "p")
				if err != nil || !ok || got.TTL != 0 {
					t.Fatalf("Get = %+v, %v, %v; want TTL 0", got, ok, err)
				}
			})
			t.Run("miss", func(t *testing.T) {
				b := mk(t)
				_, ok, err := b.Get(ctx, "nope")
				if err != nil || ok {
					t.Fatalf("Get missing = %v, %v", ok, err)
				}
			})
			t.Run("expiry", func(t *testing.T) {
				b := mk(t)
				if err := b.Set(ctx, Entry{Key: "e", Value: []byte("v"), TTL: 30 * time.Millisecond, Tags: []string{"t"}}); err != nil {
					t.Fatal(err)
				}
				waitFor(t, func() bool { _, ok, _ := b.Get(ctx, "e"); return !ok })
				if n, err := b.InvalidateTag(ctx, "t"); err != nil || n != 0 {
					t.Fatalf("InvalidateTag after expiry = %d, %v; want 0", n, err)
				}
			})
			t.Run("overwrite replaces tags", func(t *testing.T) {
				b := mk(t)
				mustSet(t, b, Entry{Key: "k", Value: []byte("1"), Tags: []string{"old"}})
				mustSet(t, b, Entry{Key: "k", Value: []byte("2"), Tags: []string{"new"}})
				if n, err := b.InvalidateTag(ctx, "old"); err != nil || n != 0 {
					t.Fatalf("InvalidateTag(old) = %d, %v; want 0", n, err)
				}
				if got, ok, _ := b.Get(ctx, "k"); !ok || string(got.Value) != "2" {
					t.Fatalf("Get = %q, %v", got.Value, ok)
				}
				if n, err := b.InvalidateTag(ctx, "new"); err != nil || n != 1 {
					t.Fatalf("InvalidateTag(new) = %d, %v; want 1", n, err)
				}
			})
			t.Run("delete counts existing", func(t *testing.T) {
				b := mk(t)
				mustSet(t, b, Entry{Key: "d1", Value: []byte("1")})
				mustSet(t, b, Entry{Key: "d2", Value: []byte("2")})
				n, err := b.Delete(ctx, "d1", "d2", "d3")
				if err != nil || n != 2 {
					t.Fatalf("Delete = %d, %v; want 2", n, err)
				}
				if _, ok, _ := b.Get(ctx, "d1"); ok {
					t.Fatal("d1 still there")
				}
			})
			t.Run("batch", func(t *testing.T) {
				b := mk(t)
				in := []Entry{
					{Key: "b1", Value: []byte("1"), Tags: []string{"g"}},
					{Key: "b2", Value: []byte("2"), TTL: time.Minute},
					{Key: "b3", Value: []byte("3"), Tags: []string{"g", "h"}},
				}
				if err := b.BatchSet(ctx, in); err != nil {
					t.Fatal(err)
				}
				got, err := b.BatchGet(ctx, []string{"b3", "missing", "b1", "b2"})
				if err != nil {
					t.Fatal(err)
				}
				want := []Entry{in[2], in[0], in[1]}
				if d := cmp.Diff(want, got, entryCmp); d != "" {
					t.Errorf("BatchGet (-want +got):\n%s", d)
				}
				if n, err := b.InvalidateTag(ctx, "g"); err != nil || n != 2 {
					t.Fatalf("InvalidateTag(g) = %d, %v; want 2", n, err)
				}
				got, err = b.BatchGet(ctx, []string{"b1", "b2", "b3"})
				if err != nil || len(got) != 1 || got[0].Key != "b2" {
					t.Fatalf("after invalidation BatchGet = %+v, %v", got, err)
				}
				if n, err := b.InvalidateTag(ctx, "h"); err != nil || n != 0 {
					t.Fatalf("InvalidateTag(h) = %d, %v; want 0 (b3 is gone)", n, err)
				}
			})
			t.Run("stats", func(t *testing.T) {
				b := mk(t)
				mustSet(t, b, Entry{Key: "s1", Value: []byte("1")})
				_, _, _ = b.Get(ctx, "s1")
				_, _, _ = b.Get(ctx, "s2")
				_, _ = b.BatchGet(ctx, []string{"s1", "s3"})
				st, err := b.Stats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if st.Backend != name || st.Hits != 2 || st.Misses != 2 || st.Keys != 1 {
					t.Fatalf("Stats = %+v; want backend %s, 2 hits, 2 misses, 1 key", st, name)
				}
			})
			t.Run("invalid", func(t *testing.T) {
				b := mk(t)
				cases := map[string]error{
					"set empty key": b.Set(ctx, Entry{Value: []byte("v")}),
					"negative ttl":  b.Set(ctx, Entry{Key: "k", TTL: -time.Second}),
					"newline tag":   b.Set(ctx, Entry{Key: "k", Tags: []string{"a\nb"}}),
					"empty tag":     b.Set(ctx, Entry{Key: "k", Tags: []string{""}}),
					"batch empty":   b.BatchSet(ctx, []Entry{{Key: "ok"}, {}}),
				}
				_, _, cases["get empty key"] = b.Get(ctx, "")
				_, cases["delete empty key"] = b.Delete(ctx, "a", "")
				_, cases["invalidate empty"] = b.InvalidateTag(ctx, "")
				for what, err := range cases {
					if !errors.Is(err, ErrInvalid) {
						t.Errorf("%s: err = %v, want ErrInvalid", what, err)
					}
				}
				if _, ok, _ := b.Get(ctx, "ok"); ok {
					t.Errorf("a rejected batch wrote its valid entries")
				}
			})
			t.Run("tag invalidation is atomic under concurrent sets", func(t *testing.T) {
				b := mk(t)
				testAtomicInvalidation(t, b)
			})
		})
	}
}

// testAtomicInvalidation races writers that tag keys with "hot" against invalidations. If an
// invalidation could interleave with a Set (read members, Set adds one, delete the set), a key
// would survive carrying the tag but missing from the index; the final invalidation would then
// leave it behind.
func testAtomicInvalidation(t *testing.T, b Backend) {
	ctx := context.Background()
	const writers, perWriter = 4, 150
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	stop := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				k := fmt.Sprintf("w%d-%d", w, i%20)
				if err := b.Set(ctx, Entry{Key: k, Value: []byte("v"), Tags: []string{"hot", fmt.Sprintf("w%d", w)}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var inv sync.WaitGroup
	inv.Add(1)
	go func() {
		defer inv.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := b.InvalidateTag(ctx, "hot"); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	inv.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := b.InvalidateTag(ctx, "hot"); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for w := 0; w < writers; w++ {
		for i := 0; i < 20; i++ {
			keys = append(keys, fmt.Sprintf("w%d-%d", w, i))
		}
	}
	left, err := b.BatchGet(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Fatalf("%d keys tagged hot survived the final invalidation, e.g. %+v", len(left), left[0])
	}
	// The per-writer tags must not still index the invalidated keys.
	for w := 0; w < writers; w++ {
		if n, err := b.InvalidateTag(ctx, fmt.Sprintf("w%d", w)); err != nil || n != 0 {
			t.Fatalf("InvalidateTag(w%d) = %d, %v; want 0", w, n, err)
		}
	}
}

func mustSet(t *testing.T, b Backend, e Entry) {
	t.Helper()
	if err := b.Set(context.Background(), e); err != nil {
		t.Fatalf("Set(%q): %v", e.Key, err)
	}
}

// waitFor polls cond; the bound is a hang guard, not a timing assertion.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMemoryLRUBounds(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	tests := []struct {
		name     string
		cfg      MemoryConfig
		sets     []Entry
		touch    string
		wantKeys []string
	}{
		{
			name:     "entries bound evicts least recently used",
			cfg:      MemoryConfig{MaxEntries: 2, Now: clock},
			sets:     []Entry{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("2")}, {Key: "c", Value: []byte("3")}},
			touch:    "a",
			wantKeys: []string{"a", "c"},
		},
		{
			name:     "bytes bound",
			cfg:      MemoryConfig{MaxBytes: 10, Now: clock},
			sets:     []Entry{{Key: "a", Value: []byte("1234")}, {Key: "b", Value: []byte("1234")}, {Key: "c", Value: []byte("12")}},
			wantKeys: []string{"b", "c"},
		},
		{
			name:     "value larger than the cache is not stored",
			cfg:      MemoryConfig{MaxBytes: 4, Now: clock},
			sets:     []Entry{{Key: "a", Value: []byte("12")}, {Key: "b", Value: []byte("123456")}},
			wantKeys: []string{"a"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMemory(tc.cfg)
			ctx := context.Background()
			for i, e := range tc.sets {
				mustSet(t, m, e)
				if i == 1 && tc.touch != "" {
					_, _, _ = m.Get(ctx, tc.touch)
				}
			}
			var got []string
			for _, k := range []string{"a", "b", "c"} {
				if _, ok, _ := m.Get(ctx, k); ok {
					got = append(got, k)
				}
			}
			if !slices.Equal(got, tc.wantKeys) {
				t.Fatalf("keys = %v, want %v", got, tc.wantKeys)
			}
		})
	}
}

func TestMemoryTTLWithClock(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemory(MemoryConfig{Now: func() time.Time { return now }})
	ctx := context.Background()
	mustSet(t, m, Entry{Key: "k", Value: []byte("v"), TTL: time.Minute, Tags: []string{"t"}})
	now = now.Add(30 * time.Second)
	if e, ok, _ := m.Get(ctx, "k"); !ok || e.TTL != 30*time.Second {
		t.Fatalf("Get at +30s = %+v, %v; want TTL 30s", e, ok)
	}
	now = now.Add(30 * time.Second)
	if _, ok, _ := m.Get(ctx, "k"); ok {
		t.Fatal("entry alive at its expiry time")
	}
	if st, _ := m.Stats(ctx); st.Keys != 0 || st.MemoryBytes != 0 {
		t.Fatalf("Stats after expiry = %+v, want empty", st)
	}
}
