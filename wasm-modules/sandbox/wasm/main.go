//go:build wasip1

// Command wasm is the sandbox module's wasip1 shim.
package main

import (
	"runtime/debug"

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

// The interpreter allocates heavily and a wasip1 guest collects garbage on its only thread, so
// the collector runs less often than the default; the host's memory cap still bounds the heap.
var _ = debug.SetGCPercent(400)

func main() {}
