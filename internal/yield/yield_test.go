package yield

import "testing"

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
	var none *Point
	none.At(1 << 30) // must not panic
	if New(nil) != nil {
		t.Error("New(nil) is not the nil Point")
	}
}
