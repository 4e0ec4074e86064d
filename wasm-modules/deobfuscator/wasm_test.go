package deobfuscator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
)

// TestWASMMatchesNative checks that the built module answers exactly what the package does.
func TestWASMMatchesNative(t *testing.T) {
	sample, _ := powershellSample(t)
	inputs := map[string][]byte{"plain": plainText(64 << 10), "powershell": []byte(sample)}
	for _, name := range jsFixtures {
		b, err := os.ReadFile(filepath.Join("testdata", "js", name))
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = b
	}
	hosttest.MatchesNative(t, Name, New(), inputs)
}

// jsFixtures are the javascript-obfuscator outputs in testdata/js.
var jsFixtures = []string{"string-array.js", "string-array-base64.js", "string-array-base64-unicode.js",
	"string-array-rc4.js", "rc4-split-strings.js"}

// plainText is prose with nothing to decode, n bytes long.
func plainText(n int) []byte {
	para := "The quick brown fox jumps over the lazy dog while the analyst reads the report, twice. "
	return []byte(strings.Repeat(para, n/len(para)+1)[:n])
}
