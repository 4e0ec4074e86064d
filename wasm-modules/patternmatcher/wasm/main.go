//go:build wasip1

// Command wasm is the pattern-matcher's wasip1 shim.
package main

import (
	"github.com/athena-mesh/athena/wasm-modules/guest"
	"github.com/athena-mesh/athena/wasm-modules/patternmatcher"
)

// A wasip1 reactor runs package initializers in _initialize but never calls main; the analyzer
// (and its compiled-ruleset cache) lives as long as the pooled instance.
var _ = guest.Register(patternmatcher.New())

func main() {}
