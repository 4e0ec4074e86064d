//go:build !wasmer

package wasmruntime

import (
	"context"
	"fmt"
)

// newWasmerEngine reports that the wasmer engine was not compiled in: it needs cgo and the
// bundled libwasmer, so it sits behind the wasmer build tag.
func newWasmerEngine(context.Context) (engine, error) {
	return nil, fmt.Errorf("engine %q: %w (build with -tags wasmer and cgo)", engineWasmer, errEngineUnavailable)
}
