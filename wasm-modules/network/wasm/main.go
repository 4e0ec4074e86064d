//go:build wasip1

// Command network is the network analyzer as a WASI reactor module.
package main

import (
	"github.com/athena-mesh/athena/wasm-modules/guest"
	"github.com/athena-mesh/athena/wasm-modules/network"
)

// A wasip1 reactor runs package initializers in _initialize but never calls main.
var _ = guest.Register(network.New())

func main() {}
