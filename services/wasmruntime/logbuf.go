package wasmruntime

import (
	"sync"
)

// boundedBuffer captures guest stdout or stderr up to a cap; the rest is counted and dropped,
// so a chatty guest cannot grow host memory.
type boundedBuffer struct {
	mu      sync.Mutex
	limit   int64
	buf     []byte
	dropped int64
}

func newBoundedBuffer(limit int64) *boundedBuffer {
	return &boundedBuffer{limit: limit}
}

// Write never fails: a guest that writes too much only loses the excess.
func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.limit - int64(len(b.buf))
	if room < 0 {
		room = 0
	}
	take := int64(len(p))
	if take > room {
		b.dropped += take - room
		take = room
	}
	b.buf = append(b.buf, p[:take]...)
	return len(p), nil
}

// take returns what was captured since the last take and how many bytes were dropped.
func (b *boundedBuffer) take() (string, int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, d := string(b.buf), b.dropped
	b.buf, b.dropped = b.buf[:0], 0
	return s, d
}
