// Package fuzzyhash computes ssdeep and TLSH digests byte-identical to Debian's ssdeep and tlsh
// tools (the crypto module's differential tests check it against them). The wasm runtime runs it
// natively for guests through athena.digest; guests fall back to it, compiled to wasm, when a
// host does not answer.
package fuzzyhash
