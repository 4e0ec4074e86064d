//go:build wasip1

// Command wasm is the analysis-engine module's wasip1 shim.
package main

import (
	"github.com/athena-mesh/athena/wasm-modules/analysisengine"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// A wasip1 reactor runs package initializers in _initialize but never calls main.
var _ = guest.Register(analysisengine.New())

func main() {}
