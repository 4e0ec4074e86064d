// Package yield lets a long computation on the host give its core away now and then.
//
// A wasm guest is machine code the Go scheduler cannot preempt: while one runs, the goroutines
// queued on its core (the next module call's gRPC handler, a response writer) wait until the
// guest returns to Go. Guests return every 16,384 loop iterations (the runtime's loop budget);
// the host's own scans over a whole sample (digests, text runs, window filters) and background
// digests must not hold a core for milliseconds either. They call a Point as they
// advance, and it calls its function about every Bytes of input.
package yield

// Bytes is about how much input a computation covers between two yields: 0.1–0.5 ms of work.
const Bytes = 64 << 10

// Point calls fn whenever the position it is told reaches Bytes past the last call. The nil
// Point never yields.
type Point struct {
	fn   func()
	next int
}

// New returns a Point that calls fn, or nil when fn is nil.
func New(fn func()) *Point {
	if fn == nil {
		return nil
	}
	return &Point{fn: fn, next: Bytes}
}

// Each calls fn with in, Bytes at a time, telling p after each piece but the last how far it
// got; the nil Point hands fn the whole of in at once.
func (p *Point) Each(in []byte, fn func([]byte)) {
	for pos := 0; p != nil && len(in) > Bytes; pos += Bytes {
		fn(in[:Bytes])
		in = in[Bytes:]
		p.At(pos + Bytes)
	}
	fn(in)
}

// At tells p that the computation reached pos (positions only grow).
func (p *Point) At(pos int) {
	if p != nil && pos >= p.next {
		p.next = pos + Bytes
		p.fn()
	}
}
