// Package hostabi implements the athena host imports that compute over guest memory —
// athena.digest, athena.text_runs and athena.window_filter (wasm-modules/ABI.md) — once, for
// the wasm runtime's engines and for the test hosts of guest/hosttest, so a module sees the
// same answers from both. Each function checks every range it was given (with 64-bit
// arithmetic) before any work and writes only inside its output range; a bad request is a
// negative result, never a trap.
package hostabi

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"sync"

	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/internal/fuzzyhash"
	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/internal/windowfilter"
	"github.com/athena-mesh/athena/internal/yield"
)

// Memory is a guest's linear memory: Read returns a view of [offset, offset+n), which the
// host may read and write in place, or false when the range is not inside memory (wazero's
// api.Memory is one).
type Memory interface {
	Read(offset, n uint32) ([]byte, bool)
}

// athena.digest algorithms; the values are ABI. ssdeep and TLSH are the printed digests
// (ASCII) of variable length up to their maximum; a TLSH of an input too short or too uniform
// for one is empty. Byte counts are not a hash but the same kind of answer: a fixed-size
// summary of the bytes (their histogram) that guests need for entropy.
const (
	DigestMD5    = 1
	DigestSHA1   = 2
	DigestSHA256 = 3
	DigestSHA512 = 4
	DigestSSDeep = 5
	DigestTLSH   = 6
	DigestCounts = 7
)

// Results of athena.digest; the values are ABI.
const (
	DigestErrAlgorithm = -1 // unknown algorithm
	DigestErrInput     = -2 // [ptr, ptr+len) is not inside memory
	DigestErrOutput    = -3 // [out, out+room) is not inside memory
)

// Results of athena.text_runs; the values are ABI.
const (
	TextErrKind   = -1 // unknown kind
	TextErrInput  = -2 // [ptr, ptr+len) is not inside memory
	TextErrOutput = -3 // [out, out+8·cap) is not inside memory
)

// Results of athena.window_filter; the values are ABI.
const (
	WindowErrFilter = -1 // [filter, filter+windowfilter.Size) is not inside memory or not 8-byte aligned
	WindowErrInput  = -2 // [data, data+to) is not inside memory, or from > to
	WindowErrOutput = -3 // [out, out+8·cap) is not inside memory
)

// digester computes one digest algorithm: at most room bytes of digest, appended to out,
// telling y (nil: nobody) how far it got.
type digester struct {
	room int
	sum  func(in, out []byte, y *yield.Point) []byte
}

func hashDigester(h func() hash.Hash) *digester {
	return &digester{room: h().Size(), sum: func(in, out []byte, y *yield.Point) []byte {
		d := h()
		y.Each(in, func(b []byte) { d.Write(b) })
		return d.Sum(out)
	}}
}

func countsDigest(in, out []byte, y *yield.Point) []byte {
	var counts [256]uint64
	y.Each(in, func(b []byte) { bytecount.Add(&counts, b) })
	return bytecount.AppendCounts(out, &counts)
}

// digesters are the algorithms by their ABI value. The longest ssdeep digest is
// "blocksize:64 chars:32 chars" with a 10-digit block size; TLSH is 70 hex digits.
var digesters = map[uint32]*digester{
	DigestMD5:    hashDigester(md5.New),
	DigestSHA1:   hashDigester(sha1.New),
	DigestSHA256: hashDigester(sha256.New),
	DigestSHA512: hashDigester(sha512.New),
	DigestSSDeep: {room: 128, sum: func(in, out []byte, y *yield.Point) []byte {
		return append(out, fuzzyhash.SSDeepYielding(in, y)...)
	}},
	DigestTLSH: {room: 72, sum: func(in, out []byte, y *yield.Point) []byte {
		return append(out, fuzzyhash.TLSHYielding(in, y)...)
	}},
	DigestCounts: {room: bytecount.EncodedSize, sum: countsDigest},
}

// DigestRoom is the output room athena.digest requires for alg, 0 for an unknown algorithm.
func DigestRoom(alg uint32) int {
	if d := digesters[alg]; d != nil {
		return d.room
	}
	return 0
}

// Sum is what athena.digest writes for alg over data, computed here, or nil for an unknown
// algorithm: guests that must compute a digest themselves use it (guest.NativeSum).
func Sum(alg uint32, data []byte) []byte { return SumYielding(alg, data, nil) }

// SumYielding is Sum telling y how far it got (package yield).
func SumYielding(alg uint32, data []byte, y *yield.Point) []byte {
	d := digesters[alg]
	if d == nil {
		return nil
	}
	return d.sum(data, nil, y)
}

// Known holds what a host found in the bytes a call analyzes before the call asked (or for
// another call over the same bytes). Sum returns alg's digest of in, which lies at ptr in the
// guest's memory, when it has one for exactly these bytes (ok false otherwise; the digest may
// be empty, as a TLSH is for uniform input); a digest it makes on asking it may append to out,
// which has room for any. Runs writes to out what textruns.Encode(kind, minLen, in, out) would
// write and returns how many runs, when it holds the runs of these bytes (ok false otherwise).
type Known interface {
	Sum(alg, ptr uint32, in, out []byte) (sum []byte, ok bool)
	Runs(kind textruns.Kind, minLen int, in, out []byte) (n int, ok bool)
}

// sumBufs hold a digest between its computation and its copy to the guest, room for the longest
// (byte counts, 2 KiB): a guest asks for the byte counts of hundreds of windows of one sample,
// and a buffer on the stack escapes through the digester's func value.
var sumBufs = sync.Pool{New: func() any { return new([bytecount.EncodedSize]byte) }}

// Digest is athena.digest(alg, ptr, len, out): it writes the digest of [ptr, ptr+n) to out
// and returns its length, taken from known when it has it (known may be nil). The input is
// hashed in place (the guest is blocked in the call, so it does not change meanwhile) and the
// digest computed before it is written, so out may overlap the input.
//
// Digest, TextRuns and WindowFilter call yieldFn (when not nil) as they advance, about every
// yield.Bytes of input (TextRuns at the first run that ends past each), so that a long call
// does not hold its core (package yield).
func Digest(mem Memory, alg, ptr, n, out uint32, known Known, yieldFn func()) int32 {
	d := digesters[alg]
	if d == nil {
		return DigestErrAlgorithm
	}
	in, ok := mem.Read(ptr, n)
	if !ok {
		return DigestErrInput
	}
	dst, ok := mem.Read(out, uint32(d.room))
	if !ok {
		return DigestErrOutput
	}
	buf := sumBufs.Get().(*[bytecount.EncodedSize]byte)
	defer sumBufs.Put(buf)
	sum, ok := []byte(nil), false
	if known != nil {
		sum, ok = known.Sum(alg, ptr, in, buf[:0])
	}
	if !ok {
		sum = d.sum(in, buf[:0], yield.New(yieldFn))
	}
	if len(sum) > d.room {
		return DigestErrOutput
	}
	return int32(copy(dst, sum))
}

// TextRuns is athena.text_runs(kind, min_len, ptr, len, out, cap): it writes the first runs of
// kind in [ptr, ptr+n), at most capacity of them, as (start, end) pairs relative to ptr, to
// out and returns how many, taken from known when it has them (known may be nil). An output
// that overlaps the input gives unspecified runs.
func TextRuns(mem Memory, kind, minLen, ptr, n, out, capacity uint32, known Known, yieldFn func()) int32 {
	if !textruns.Kind(kind).Valid() {
		return TextErrKind
	}
	in, ok := mem.Read(ptr, n)
	if !ok {
		return TextErrInput
	}
	dst, ok := readPairs(mem, out, capacity)
	if !ok {
		return TextErrOutput
	}
	if known != nil {
		if runs, ok := known.Runs(textruns.Kind(kind), int(minLen), in, dst); ok {
			return int32(runs)
		}
	}
	return int32(textruns.Encode(textruns.Kind(kind), int(minLen), in, dst, yield.New(yieldFn)))
}

// WindowFilter is athena.window_filter(filter, data, from, to, out, cap): it probes the
// filter at filter for the windows ending at offsets [from, to) of data and writes, at most
// capacity of them, the blocks with a position that passes to out as (base, mask) pairs,
// returning how many. An output that overlaps the filter or the data gives unspecified blocks.
func WindowFilter(mem Memory, filter, data, from, to, out, capacity uint32, yieldFn func()) int32 {
	if filter%8 != 0 {
		return WindowErrFilter
	}
	fb, ok := mem.Read(filter, windowfilter.Size)
	if !ok {
		return WindowErrFilter
	}
	f, ok := windowfilter.FromMemory(fb)
	if !ok {
		return WindowErrFilter
	}
	in, ok := mem.Read(data, to)
	if !ok || from > to {
		return WindowErrInput
	}
	dst, ok := readPairs(mem, out, capacity)
	if !ok {
		return WindowErrOutput
	}
	return int32(windowfilter.Encode(f, in, int(from), int(to), dst, yield.New(yieldFn)))
}

// readPairs is the view of capacity 8-byte pairs at out.
func readPairs(mem Memory, out, capacity uint32) ([]byte, bool) {
	size := uint64(capacity) * 8
	if size > uint64(^uint32(0)) {
		return nil, false
	}
	return mem.Read(out, uint32(size))
}
