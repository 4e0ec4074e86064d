//go:build wasmer

package wasmruntime

// testEngine is the engine the suite runs on; `go test -tags wasmer` runs it on wasmer.
func testEngine() string { return engineWasmer }
