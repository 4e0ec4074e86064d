//go:build wasip1

// Command deobfuscator is the deobfuscator as a WASI reactor module.
package main

import (
	"github.com/athena-mesh/athena/wasm-modules/deobfuscator"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// A wasip1 reactor runs package initializers in _initialize but never calls main. Large
// inputs stream their layers through guest.Emit so a host deadline keeps the work done.
var _ = guest.Register(deobfuscator.New(deobfuscator.WithEmit(guest.Emit)))

func main() {}
