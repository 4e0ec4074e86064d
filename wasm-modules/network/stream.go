package network

import (
	"bytes"
	"slices"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

// HTTP request heads split over TCP segments are put back together per direction of a
// connection. Only what a request head needs is kept, and everything is bounded: a hostile
// capture can open streams and send out-of-order segments, but never more than these caps.
const (
	// maxStreams is how many request heads are reassembled at once.
	maxStreams = 1024
	// maxHeadBytes ends a head that has no blank line by then; it is parsed as it is.
	maxHeadBytes = 16 << 10
	// maxPending is how many out-of-order segments one stream holds.
	maxPending = 16
	// maxEarlyPerFlow and maxEarlyBytes bound the segments kept from flows before any request
	// start was seen in them, for a head whose first segment arrives after its later ones.
	maxEarlyPerFlow = 4
	maxEarlyBytes   = 1 << 20
)

// httpStream is one direction of a TCP connection with an incomplete request head.
type httpStream struct {
	head    []byte
	next    uint32 // the sequence number that continues head
	pending map[uint32][]byte
	time    int64
	d       decoded
	started int // the order in which heads started, for a deterministic flush
}

// segment is a TCP payload kept before its stream existed.
type segment struct {
	seq  uint32
	data []byte
}

// reassembly holds the streams being put together.
type reassembly struct {
	streams    map[flowKey]*httpStream
	started    int
	early      map[flowKey][]segment
	earlyBytes int
}

func newReassembly() *reassembly {
	return &reassembly{streams: map[flowKey]*httpStream{}, early: map[flowKey][]segment{}}
}

// seqAfter reports whether sequence number a comes after b, modulo 2^32.
func seqAfter(a, b uint32) bool { return int32(a-b) > 0 }

// httpStart reports whether a segment begins with a request method: the head may continue in
// later segments, so the request line need not be whole yet.
func httpStart(b []byte) bool {
	for _, m := range httpMethods {
		if bytes.HasPrefix(b, []byte(m)) {
			return true
		}
	}
	return false
}

// headComplete reports whether b holds a whole request head.
func headComplete(b []byte) bool { return bytes.Contains(b, []byte("\r\n\r\n")) }

// tcpPayload handles a TCP segment with data. It returns the request heads completed by it.
func (r *reassembly) tcpPayload(k flowKey, d decoded, ts int64) (heads []*httpStream, handled bool) {
	if s := r.streams[k]; s != nil {
		r.add(s, d.tcpSeq, d.payload)
		if r.done(s) {
			delete(r.streams, k)
			return []*httpStream{s}, true
		}
		return nil, true
	}
	if !httpStart(d.payload) {
		return nil, false
	}
	s := &httpStream{head: append([]byte(nil), d.payload...), next: d.tcpSeq + uint32(len(d.payload)), time: ts, d: d}
	if headComplete(s.head) || len(r.streams) >= maxStreams {
		return []*httpStream{s}, true
	}
	s.pending = map[uint32][]byte{}
	for _, e := range r.early[k] {
		r.earlyBytes -= len(e.data)
		if len(s.pending) < maxPending {
			s.pending[e.seq] = e.data
		}
	}
	delete(r.early, k)
	r.add(s, s.next, nil)
	if r.done(s) {
		return []*httpStream{s}, true
	}
	s.started = r.started
	r.started++
	r.streams[k] = s
	return nil, true
}

// keep remembers a segment no parser claimed, in case it continues a head seen later.
func (r *reassembly) keep(k flowKey, d decoded) {
	if len(r.early[k]) >= maxEarlyPerFlow || r.earlyBytes+len(d.payload) > maxEarlyBytes {
		return
	}
	r.early[k] = append(r.early[k], segment{d.tcpSeq, append([]byte(nil), d.payload...)})
	r.earlyBytes += len(d.payload)
}

// add places a segment: in order it extends the head, ahead of it it waits, overlapping it
// contributes its new tail, and behind it (a retransmission) it is dropped.
func (r *reassembly) add(s *httpStream, seq uint32, data []byte) {
	switch {
	case len(data) == 0:
	case seq == s.next:
		s.head = append(s.head, data...)
		s.next += uint32(len(data))
	case seqAfter(seq, s.next):
		if len(s.pending) < maxPending {
			s.pending[seq] = append([]byte(nil), data...)
		}
	case seqAfter(seq+uint32(len(data)), s.next):
		tail := data[s.next-seq:]
		s.head = append(s.head, tail...)
		s.next += uint32(len(tail))
	}
	for len(s.head) < maxHeadBytes {
		p, ok := s.pending[s.next]
		if !ok {
			break
		}
		delete(s.pending, s.next)
		s.head = append(s.head, p...)
		s.next += uint32(len(p))
	}
}

func (r *reassembly) done(s *httpStream) bool {
	return headComplete(s.head) || len(s.head) >= maxHeadBytes
}

// flush returns the heads still incomplete at the end of the capture, in the order they
// started; they are parsed as far as they go.
func (r *reassembly) flush() []*httpStream {
	out := make([]*httpStream, 0, len(r.streams))
	for k, s := range r.streams {
		out = append(out, s)
		delete(r.streams, k)
	}
	slices.SortFunc(out, func(a, b *httpStream) int { return a.started - b.started })
	return out
}

// httpRecord parses a reassembled head into the record the report carries.
func httpRecord(s *httpStream) (*analysisv1.HTTPRequest, bool) {
	h, ok := parseHTTPRequest(s.head)
	if !ok {
		return nil, false
	}
	return &analysisv1.HTTPRequest{Method: h.method, Host: h.host, Uri: h.uri, UserAgent: h.userAgent,
		DstIp: s.d.dst.String(), DstPort: uint32(s.d.dstPort)}, true
}
