// Package cache is the CacheService: a key-value store with TTLs and tags over Redis (go-redis
// v9, single node, Sentinel or Cluster) or an in-memory LRU, the embedded default.
package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUnavailable means the backend cannot be reached; the server maps it to codes.Unavailable.
var ErrUnavailable = errors.New("cache backend unavailable")

// ErrInvalid means an entry, key or tag is malformed; the server maps it to
// codes.InvalidArgument.
var ErrInvalid = errors.New("invalid cache request")

// Entry is one cached value.
type Entry struct {
	// Key is the key; never empty.
	Key string
	// Value is the stored bytes.
	Value []byte
	// TTL is the time to live on Set and the remaining time on Get; 0 means no expiry.
	TTL time.Duration
	// Tags group keys for InvalidateTag.
	Tags []string
}

// Stats describes a backend.
type Stats struct {
	// Backend is "memory" or "redis".
	Backend string
	// Hits and Misses count Get and BatchGet lookups by this process since it started.
	Hits, Misses int64
	// Keys is the number of keys held.
	Keys int64
	// MemoryBytes is the memory the backend uses, when known.
	MemoryBytes int64
}

// Backend stores entries. Implementations are safe for concurrent use.
type Backend interface {
	// Get reads one key; found is false when it does not exist or has expired.
	Get(ctx context.Context, key string) (Entry, bool, error)
	// Set writes one entry, replacing its value, TTL and tags.
	Set(ctx context.Context, e Entry) error
	// Delete removes keys and returns how many existed.
	Delete(ctx context.Context, keys ...string) (int64, error)
	// BatchGet reads several keys and returns the ones found, in request order.
	BatchGet(ctx context.Context, keys []string) ([]Entry, error)
	// BatchSet writes several entries; each write is atomic, the batch is not.
	BatchSet(ctx context.Context, entries []Entry) error
	// InvalidateTag atomically deletes every key that carries tag and returns how many.
	InvalidateTag(ctx context.Context, tag string) (int64, error)
	// Stats reports counters and sizes.
	Stats(ctx context.Context) (Stats, error)
	// Ping checks that the backend answers.
	Ping(ctx context.Context) error
	// Close releases the backend.
	Close() error
}

// validKey rejects keys no backend can hold.
func validKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrInvalid)
	}
	return nil
}

// validEntry checks an entry before it is written. Tags are stored newline-separated in Redis,
// so a tag may not contain a newline.
func validEntry(e Entry) error {
	if err := validKey(e.Key); err != nil {
		return err
	}
	if e.TTL < 0 {
		return fmt.Errorf("%w: negative ttl for key %q", ErrInvalid, e.Key)
	}
	for _, t := range e.Tags {
		if err := validTag(t); err != nil {
			return err
		}
	}
	return nil
}

func validTag(tag string) error {
	if tag == "" {
		return fmt.Errorf("%w: empty tag", ErrInvalid)
	}
	if strings.ContainsAny(tag, "\n") {
		return fmt.Errorf("%w: tag %q contains a newline", ErrInvalid, tag)
	}
	return nil
}

// dedupeTags returns tags without repeats, in first-seen order.
func dedupeTags(tags []string) []string {
	if len(tags) < 2 {
		return tags
	}
	seen := make(map[string]struct{}, len(tags))
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if _, ok := seen[t]; ok {
			continue
		}
		seen[t] = struct{}{}
		out = append(out, t)
	}
	return out
}
