//go:build wasip1

// Command crypto is the crypto analyzer as a wasip1 reactor module.
package main

import (
	cryptoscan "github.com/athena-mesh/athena/wasm-modules/crypto"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// A wasip1 reactor runs package initializers in _initialize but never calls main.
var _ = guest.Register(cryptoscan.New(cryptoscan.WithEmit(guest.Emit)))

func main() {}
