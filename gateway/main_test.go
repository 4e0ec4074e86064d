package gateway

import (
	"testing"

	"go.uber.org/goleak"
)

// The tests start gRPC servers over bufconn and httptest servers; all must be gone at the end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
