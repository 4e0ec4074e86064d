//go:build wasip1

// Command wasm is the sandbox module's wasip1 shim.
package main

import (
	"github.com/athena-mesh/athena/wasm-modules/guest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/sandbox"
)

// emitter streams the behaviour log through the athena.emit host import, so what a script did
// before the host's deadline kills a runaway instance survives.
type emitter struct{}

func (emitter) Emit(f *modulev1.AnalyzeResponse) { guest.Emit(f) }

// A wasip1 reactor runs package initializers in _initialize but never calls main.
var _ = guest.Register(sandbox.New(sandbox.WithEmitter(emitter{})))

func main() {}
