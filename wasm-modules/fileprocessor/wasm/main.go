//go:build wasip1

// Command fileprocessor is the wasip1 shim of the file-processor analyzer module.
package main

import (
	"github.com/athena-mesh/athena/wasm-modules/fileprocessor"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// A wasip1 reactor runs package initializers in _initialize but never calls main, so the
// analyzer is registered from a package-level initializer. The identification is streamed
// through athena.emit before parsing, so it survives a deadline.
var _ = guest.Register(fileprocessor.NewStreaming(guest.Emit))

func main() {}
