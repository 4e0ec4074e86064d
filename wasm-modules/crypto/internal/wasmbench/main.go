// Command wasmbench times each part of the crypto module on one input and prints MB/s per
// part. Built for wasip1 it measures the module's code inside a WASM runtime; built natively it
// gives the comparison. BenchmarkWASMComponents builds and runs it.
//
// Usage: wasmbench [MiB] (default 16): the input mixes random and structured 4 KiB blocks.
package main

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"os"
	"strconv"
	"time"

	cryptoscan "github.com/athena-mesh/athena/wasm-modules/crypto"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

func main() {
	mib := 16
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n <= 0 {
			fmt.Fprintln(os.Stderr, "usage: wasmbench [MiB]")
			os.Exit(2)
		}
		mib = n
	}
	data := make([]byte, mib<<20)
	x := uint32(1)
	for i := range data {
		x = x*1664525 + 1013904223
		if i%4096 < 2048 {
			data[i] = byte(x >> 24)
		} else {
			data[i] = byte(i >> 3)
		}
	}
	scanner := cryptoscan.NewConstantScanner()
	parts := []struct {
		name string
		fn   func()
	}{
		{"md5", func() { md5.Sum(data) }},
		{"sha1", func() { sha1.Sum(data) }},
		{"sha256", func() { sha256.Sum256(data) }},
		{"sha512", func() { sha512.Sum512(data) }},
		// The same digests through athena.digest: the host hashes natively (natively built,
		// guest.Sum is the Go code above).
		{"md5-host", func() { guest.Sum(guest.MD5, data) }},
		{"sha1-host", func() { guest.Sum(guest.SHA1, data) }},
		{"sha256-host", func() { guest.Sum(guest.SHA256, data) }},
		{"sha512-host", func() { guest.Sum(guest.SHA512, data) }},
		{"ssdeep", func() { cryptoscan.SSDeep(data) }},
		{"tlsh", func() { cryptoscan.TLSH(data) }},
		{"entropy", func() { cryptoscan.EntropyProfile(data) }},
		{"constants", func() { scanner.Scan(data) }},
		{"keys", func() { cryptoscan.FindKeys(data) }},
		{"miners", func() { cryptoscan.FindMinerIndicators(data) }},
	}
	for _, p := range parts {
		start := time.Now()
		p.fn()
		fmt.Printf("%s %.1f\n", p.name, float64(len(data))/time.Since(start).Seconds()/1e6)
	}
}
