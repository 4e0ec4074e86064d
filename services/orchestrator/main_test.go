package orchestrator

import (
	"testing"

	"go.uber.org/goleak"
)

// The pipeline fans out goroutines per module and per artifact; every one must be gone when a
// test returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
