//go:build race

package fileprocessor

// raceEnabled is true when the tests run with -race, which slows wazero tenfold.
const raceEnabled = true
