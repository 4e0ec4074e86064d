package cache

import (
	"container/list"
	"context"
	"slices"
	"sync"
	"time"
)

// MemoryConfig configures the in-memory backend. Zero fields take the defaults.
type MemoryConfig struct {
	// MaxEntries bounds the number of keys (default 100,000).
	MaxEntries int
	// MaxBytes bounds the sum of key and value sizes (default 256 MiB).
	MaxBytes int64
	// Now is the clock (default time.Now); tests move it to expire entries without sleeping.
	Now func() time.Time
}

// Memory is an LRU cache bounded by entries and bytes, with TTLs and tags. One mutex guards it,
// which makes InvalidateTag atomic with respect to every other operation.
type Memory struct {
	maxEntries int
	maxBytes   int64
	now        func() time.Time

	mu     sync.Mutex
	lru    *list.List // front is most recently used; elements hold *memItem
	items  map[string]*list.Element
	tags   map[string]map[string]struct{}
	bytes  int64
	hits   int64
	misses int64
}

type memItem struct {
	key     string
	value   []byte
	expires time.Time // zero: never
	tags    []string
}

func (it *memItem) size() int64 { return int64(len(it.key) + len(it.value)) }

// NewMemory returns an empty in-memory backend.
func NewMemory(cfg MemoryConfig) *Memory {
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 100_000
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 256 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Memory{
		maxEntries: cfg.MaxEntries,
		maxBytes:   cfg.MaxBytes,
		now:        cfg.Now,
		lru:        list.New(),
		items:      make(map[string]*list.Element),
		tags:       make(map[string]map[string]struct{}),
	}
}

// Get implements Backend.
func (m *Memory) Get(ctx context.Context, key string) (Entry, bool, error) {
	if err := validKey(key); err != nil {
		return Entry{}, false, err
	}
	if err := ctx.Err(); err != nil {
		return Entry{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.getLocked(key, m.now())
	return e, ok, nil
}

func (m *Memory) getLocked(key string, now time.Time) (Entry, bool) {
	el, ok := m.items[key]
	if ok {
		it := el.Value.(*memItem)
		if !it.expires.IsZero() && !now.Before(it.expires) {
			m.removeLocked(el)
			ok = false
		} else {
			m.lru.MoveToFront(el)
			m.hits++
			e := Entry{Key: key, Value: slices.Clone(it.value), Tags: slices.Clone(it.tags)}
			if !it.expires.IsZero() {
				e.TTL = it.expires.Sub(now)
			}
			return e, true
		}
	}
	m.misses++
	return Entry{}, false
}

// Set implements Backend. A value larger than MaxBytes is not stored and evicts nothing.
func (m *Memory) Set(ctx context.Context, e Entry) error {
	if err := validEntry(e); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.setLocked(e, m.now())
	return nil
}

func (m *Memory) setLocked(e Entry, now time.Time) {
	if el, ok := m.items[e.Key]; ok {
		m.removeLocked(el)
	}
	it := &memItem{key: e.Key, value: slices.Clone(e.Value), tags: slices.Clone(dedupeTags(e.Tags))}
	if it.size() > m.maxBytes {
		return
	}
	if e.TTL > 0 {
		it.expires = now.Add(e.TTL)
	}
	m.items[e.Key] = m.lru.PushFront(it)
	m.bytes += it.size()
	for _, t := range it.tags {
		set := m.tags[t]
		if set == nil {
			set = make(map[string]struct{})
			m.tags[t] = set
		}
		set[e.Key] = struct{}{}
	}
	for len(m.items) > m.maxEntries || m.bytes > m.maxBytes {
		m.removeLocked(m.lru.Back())
	}
}

func (m *Memory) removeLocked(el *list.Element) {
	it := el.Value.(*memItem)
	m.lru.Remove(el)
	delete(m.items, it.key)
	m.bytes -= it.size()
	for _, t := range it.tags {
		if set := m.tags[t]; set != nil {
			delete(set, it.key)
			if len(set) == 0 {
				delete(m.tags, t)
			}
		}
	}
}

// Delete implements Backend.
func (m *Memory) Delete(ctx context.Context, keys ...string) (int64, error) {
	for _, k := range keys {
		if err := validKey(k); err != nil {
			return 0, err
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var n int64
	for _, k := range keys {
		if el, ok := m.items[k]; ok {
			it := el.Value.(*memItem)
			if it.expires.IsZero() || now.Before(it.expires) {
				n++
			}
			m.removeLocked(el)
		}
	}
	return n, nil
}

// BatchGet implements Backend.
func (m *Memory) BatchGet(ctx context.Context, keys []string) ([]Entry, error) {
	for _, k := range keys {
		if err := validKey(k); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		if e, ok := m.getLocked(k, now); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// BatchSet implements Backend.
func (m *Memory) BatchSet(ctx context.Context, entries []Entry) error {
	for _, e := range entries {
		if err := validEntry(e); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for _, e := range entries {
		m.setLocked(e, now)
	}
	return nil
}

// InvalidateTag implements Backend.
func (m *Memory) InvalidateTag(ctx context.Context, tag string) (int64, error) {
	if err := validTag(tag); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var n int64
	for k := range m.tags[tag] {
		el := m.items[k]
		it := el.Value.(*memItem)
		if it.expires.IsZero() || now.Before(it.expires) {
			n++
		}
		m.removeLocked(el)
	}
	return n, nil
}

// Stats implements Backend.
func (m *Memory) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return Stats{Backend: "memory", Hits: m.hits, Misses: m.misses, Keys: int64(len(m.items)), MemoryBytes: m.bytes}, nil
}

// Ping implements Backend; memory always answers.
func (m *Memory) Ping(ctx context.Context) error { return ctx.Err() }

// Close implements Backend.
func (m *Memory) Close() error { return nil }
