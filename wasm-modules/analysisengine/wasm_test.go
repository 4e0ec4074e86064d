package analysisengine

import (
	"bytes"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// TestWASMMatchesNative checks that the built module answers exactly what the package does:
// inside WASM the host finds the strings (athena.text_runs) and counts the bytes
// (athena.digest), natively the package does, and the reports must not differ.
func TestWASMMatchesNative(t *testing.T) {
	pe := testutil.GoWindowsPE(t)
	// An overlay with more runs than one host call returns, of every kind, whose capability
	// strings show in the report: ASCII, UTF-16LE at both alignments, and one cut off by the
	// end of the file, which must not count.
	wide := func(s string) string {
		var b strings.Builder
		for _, c := range []byte(s) {
			b.WriteByte(c)
			b.WriteByte(0)
		}
		return b.String()
	}
	var overlay bytes.Buffer
	for i := range 3000 {
		overlay.WriteString("an ascii string\x01" + wide("a wide one") + "\x01\x01")
		if i%2 == 0 {
			overlay.WriteByte(0x02)
		}
	}
	overlay.WriteString("\x01" + wide("schtasks /create") + "\x01\x01")
	overlay.WriteString(wide("vboxservice"))
	inputs := map[string][]byte{
		"empty":           {},
		"go pe":           pe,
		"go pe + overlay": append(bytes.Clone(pe), overlay.Bytes()...),
	}
	// Natively: the wide "schtasks" counts, the UTF-16LE "vboxservice" at the very end does not.
	got, err := New().Analyze(&modulev1.AnalyzeRequest{Content: inputs["go pe + overlay"], FileType: "pe"})
	if err != nil {
		t.Fatal(err)
	}
	var evidence []string
	for _, c := range got.GetDetails().GetCode().GetCapabilities() {
		evidence = append(evidence, c.GetEvidence()...)
	}
	if all := strings.Join(evidence, "; "); !strings.Contains(all, `"schtasks /create"`) || strings.Contains(all, "vboxservice") {
		t.Fatalf("capability evidence in the overlay: %s", all)
	}
	hosttest.MatchesNative(t, "analysisengine", New(), inputs)
}
