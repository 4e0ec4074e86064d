package wasmruntime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
)

// Defaults of the kept-content store (KeepContent).
const (
	DefaultKeptBytes = 256 << 20
	DefaultKeepTime  = 2 * time.Minute
)

// ErrKeptFull is returned by Keep when the store cannot take the content without going over its
// byte limit.
var ErrKeptFull = errors.New("kept content limit reached")

// ErrContentTwice is returned by InvokeKept for a request that carries content besides a handle.
var ErrContentTwice = errors.New("request has content and a content handle")

// ErrNotKept is returned by Kept for a handle that is unknown, released or expired.
var ErrNotKept = errors.New("content handle unknown, released or expired")

// keptStore holds samples between the module calls of one analysis, under random handles. It
// is bounded in bytes; an entry not used for keepTime is dropped, so a caller that dies
// without releasing costs memory only for that long. Entries are never evicted early to make
// room: a full store refuses, and the caller sends the content with each call instead.
type keptStore struct {
	limit    int64
	keepTime time.Duration
	now      func() time.Time

	mu      sync.Mutex
	entries map[string]*keptEntry
	bytes   int64
}

type keptEntry struct {
	content  []byte
	lastUsed time.Time
}

func newKeptStore(limit int64, keepTime time.Duration) *keptStore {
	if limit <= 0 {
		limit = DefaultKeptBytes
	}
	if keepTime <= 0 {
		keepTime = DefaultKeepTime
	}
	return &keptStore{limit: limit, keepTime: keepTime, now: time.Now, entries: map[string]*keptEntry{}}
}

// Keep stores content (which the store now owns and never modifies) and returns its handle.
func (s *keptStore) Keep(content []byte) (string, error) {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	handle := hex.EncodeToString(id[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	if s.bytes+int64(len(content)) > s.limit {
		return "", ErrKeptFull
	}
	s.entries[handle] = &keptEntry{content: content, lastUsed: s.now()}
	s.bytes += int64(len(content))
	return handle, nil
}

// Kept returns the content kept under handle and renews its keep time. Callers must not
// modify it: concurrent calls share it.
func (s *keptStore) Kept(handle string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	e, ok := s.entries[handle]
	if !ok {
		return nil, ErrNotKept
	}
	e.lastUsed = s.now()
	return e.content, nil
}

// Release drops the content kept under handle, if any.
func (s *keptStore) Release(handle string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[handle]; ok {
		delete(s.entries, handle)
		s.bytes -= int64(len(e.content))
	}
}

// Bytes is the size of everything kept.
func (s *keptStore) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	return s.bytes
}

// expireLocked drops entries unused for keepTime. The store holds few entries (one per
// analysis in flight), so a scan per operation is cheap.
func (s *keptStore) expireLocked() {
	cutoff := s.now().Add(-s.keepTime)
	for h, e := range s.entries {
		if e.lastUsed.Before(cutoff) {
			delete(s.entries, h)
			s.bytes -= int64(len(e.content))
		}
	}
}

// KeepContent holds content for InvokeKept calls and returns its handle (ErrKeptFull when the
// store is full, ErrClosed after Close). The runtime owns content from then on.
func (r *Runtime) KeepContent(content []byte) (string, error) {
	r.mu.RLock()
	closed := r.closed
	r.mu.RUnlock()
	if closed {
		return "", ErrClosed
	}
	return r.kept.Keep(content)
}

// ReleaseContent drops the content kept under handle, if any.
func (r *Runtime) ReleaseContent(handle string) {
	r.kept.Release(handle)
}

// InvokeKept is Invoke with the content kept under handle as req's content, which must be
// empty. An unknown or expired handle is ErrNotKept.
func (r *Runtime) InvokeKept(ctx context.Context, name, handle string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	if len(req.GetContent()) > 0 {
		return nil, ErrContentTwice
	}
	content, err := r.kept.Kept(handle)
	if err != nil {
		return nil, err
	}
	req.Content = content
	return r.Invoke(ctx, name, req)
}
