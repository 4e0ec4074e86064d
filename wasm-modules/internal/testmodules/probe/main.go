//go:build wasip1

// Command probe is a test guest for the host runtime (services/wasmruntime): a normal Go module
// whose request options make it misbehave on purpose, so the host's limits can be exercised with
// a real Go guest. It is never shipped in bin/modules.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// A wasip1 reactor runs package initializers in _initialize but never calls main.
var _ = guest.Register(probe{})

// sink keeps allocations reachable so the "alloc" mode really grows memory.
var sink [][]byte

// calls counts "count" calls in this instance; initTable is built by _initialize. Together they
// show that an instance made from a snapshot starts with the initialized state and its own copy.
var (
	calls     int
	initTable = func() map[string]int {
		m := map[string]int{}
		for i := range 1000 {
			m[strconv.Itoa(i)] = i * i
		}
		return m
	}()
)

type probe struct{}

func (probe) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{
		Name:        "probe",
		Version:     "1.0.0",
		Description: "host runtime test guest",
		// What the "host-digests" mode asks for; the runtime may compute them before the call.
		SampleDigests: []uint32{uint32(guest.SHA512), uint32(guest.SSDeep), uint32(guest.TLSH)},
	}
}

func (probe) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	opt := func(k string) int { n, _ := strconv.Atoi(req.Options[k]); return n }
	switch req.Options["mode"] {
	case "loop":
		n := 0
		for {
			n++
		}
	case "spin":
		// Busy for "ms" milliseconds of wall time, then an answer.
		for start := time.Now(); time.Since(start) < time.Duration(opt("ms"))*time.Millisecond; {
		}
	case "emit-loop":
		guest.Emit(&modulev1.AnalyzeResponse{Notes: []string{"before loop"}})
		n := 0
		for {
			n++
		}
	case "alloc":
		for {
			sink = append(sink, make([]byte, 1<<20))
		}
	case "crash":
		// A panic on another goroutine is not recovered by guest.Handle: it kills the runtime.
		go func() { panic("probe crash") }()
		for {
			runtime.Gosched()
		}
	case "error":
		return nil, errors.New("probe failure")
	case "print":
		s := strings.Repeat("x", opt("size"))
		fmt.Fprint(os.Stdout, "out:"+s)
		fmt.Fprint(os.Stderr, "err:"+s)
	case "big":
		return &modulev1.AnalyzeResponse{Notes: []string{strings.Repeat("b", opt("size"))}}, nil
	case "count":
		calls++
		return &modulev1.AnalyzeResponse{Notes: []string{fmt.Sprintf("calls=%d table=%d sq31=%d", calls, len(initTable), initTable["31"])}}, nil
	case "digest":
		sum := sha256.Sum256(req.Content)
		return &modulev1.AnalyzeResponse{Notes: []string{hex.EncodeToString(sum[:])}}, nil
	case "where":
		// The SHA-256 of the content, and where it lies in the guest's memory (the guest reads
		// it in place in the request buffer): shows which calls reused a buffer. With "flip",
		// the guest's copy is changed after hashing.
		sum := sha256.Sum256(req.Content)
		addr := 0
		if len(req.Content) > 0 {
			addr = int(uintptr(unsafe.Pointer(&req.Content[0])))
			if req.Options["flip"] != "" {
				for i := range req.Content {
					req.Content[i] ^= 0xff
				}
			}
		}
		return &modulev1.AnalyzeResponse{Notes: []string{hex.EncodeToString(sum[:]), strconv.Itoa(addr)}}, nil
	case "host-digests":
		// The host's digests of the content (or, with "flip", of the content with its first
		// byte changed in the guest's copy): hex, one note per algorithm.
		data := req.Content
		if req.Options["flip"] != "" && len(data) > 0 {
			data[0] ^= 0xff
		}
		var notes []string
		for _, alg := range []guest.Algorithm{guest.SHA512, guest.SSDeep, guest.TLSH, guest.ByteCounts, guest.MD5} {
			notes = append(notes, hex.EncodeToString(guest.Sum(alg, data)))
		}
		return &modulev1.AnalyzeResponse{Notes: notes}, nil
	case "range-counts":
		// The host's byte counts of content[from:to] (or, with "flip", of it with its first
		// byte changed in the guest's copy): hex.
		data := req.Content[opt("from"):opt("to")]
		if req.Options["flip"] != "" && len(data) > 0 {
			data[0] ^= 0xff
		}
		return &modulev1.AnalyzeResponse{Notes: []string{hex.EncodeToString(guest.Sum(guest.ByteCounts, data))}}, nil
	case "text-runs":
		// The runs guest.TextRuns finds of kind and min (or, with "flip", of the content with
		// its first byte changed): how many, and the SHA-256 of their offsets.
		data := req.Content
		if req.Options["flip"] != "" && len(data) > 0 {
			data[0] ^= 0xff
		}
		h, n := sha256.New(), 0
		guest.TextRuns(textruns.Kind(opt("kind")), opt("min"), data, func(start, end int) bool {
			fmt.Fprintf(h, "%d-%d,", start, end)
			n++
			return true
		})
		return &modulev1.AnalyzeResponse{Notes: []string{fmt.Sprintf("runs=%d sha256=%x", n, h.Sum(nil))}}, nil
	case "emit":
		for i := range opt("count") {
			guest.Emit(&modulev1.AnalyzeResponse{Notes: []string{fmt.Sprintf("fragment %d", i)}})
		}
	}
	return &modulev1.AnalyzeResponse{
		Identification: &modulev1.Identification{FileType: "probe"},
		Notes:          []string{fmt.Sprintf("bytes=%d", len(req.Content)), "filename=" + req.Filename},
	}, nil
}

func main() {}
