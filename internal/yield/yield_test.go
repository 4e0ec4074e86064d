package yield

import (
	"slices"
	"testing"
)

func TestPoint(t *testing.T) {
	calls := 0
	p := New(func() { calls++ })
	for pos := 0; pos < 10*Bytes; pos += 1000 {
		p.At(pos)
	}
	if calls != 9 {
		t.Errorf("%d yields over 10×Bytes in small steps, want 9", calls)
	}
	calls = 0
	q := New(func() { calls++ })
	q.At(5 * Bytes) // one long step yields once
	q.At(5*Bytes + 1)
	if calls != 1 {
		t.Errorf("%d yields after one long step, want 1", calls)
	}
	// Each hands over Bytes at a time and yields between pieces; the nil Point, all at once.
	calls = 0
	var pieces []int
	in := make([]byte, 3*Bytes+5)
	New(func() { calls++ }).Each(in, func(b []byte) { pieces = append(pieces, len(b)) })
	if want := []int{Bytes, Bytes, Bytes, 5}; !slices.Equal(pieces, want) || calls != 3 {
		t.Errorf("Each: pieces %v and %d yields, want %v and 3", pieces, calls, want)
	}
	pieces = nil
	var none *Point
	none.Each(in, func(b []byte) { pieces = append(pieces, len(b)) })
	if !slices.Equal(pieces, []int{len(in)}) {
		t.Errorf("the nil Point's Each: pieces %v, want the whole input", pieces)
	}
	none.At(1 << 30) // must not panic
	if New(nil) != nil {
		t.Error("New(nil) is not the nil Point")
	}
}
