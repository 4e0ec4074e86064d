//go:build race

package x86

// raceEnabled: the race detector slows the exhaustive test tenfold and finds nothing in a
// single goroutine, so under -race it runs its short form.
const raceEnabled = true
