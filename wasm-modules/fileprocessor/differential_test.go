package fileprocessor

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// fileMIMEToTypes maps what `file --mime-type` says to the file types of ours that agree with it.
// Only files whose libmagic answer is a key here count: these are the types we claim. text/plain
// accepts our script types because libmagic calls a script without a shebang plain text (the
// scripts the test writes itself are checked against the language they were written in), and
// application/octet-stream accepts types libmagic 5.44 has no MIME for.
var fileMIMEToTypes = map[string][]string{
	"application/x-pie-executable":                  {"elf"},
	"application/x-sharedlib":                       {"elf"},
	"application/x-executable":                      {"elf"},
	"application/x-object":                          {"elf"},
	"application/x-coredump":                        {"elf"},
	"application/vnd.microsoft.portable-executable": {"pe"},
	"application/x-dosexec":                         {"pe", "dosexec"},
	"application/x-mach-binary":                     {"macho"},
	"application/x-java-applet":                     {"java"},
	"application/pdf":                               {"pdf"},
	"application/zip":                               {"zip", "jar", "apk"},
	"application/java-archive":                      {"jar"},
	"application/gzip":                              {"gzip"},
	"application/x-bzip2":                           {"bzip2"},
	"application/x-xz":                              {"xz"},
	"application/zstd":                              {"zstd"},
	"application/x-7z-compressed":                   {"7z"},
	"application/x-rar":                             {"rar"},
	"application/x-tar":                             {"tar"},
	"application/vnd.ms-cab-compressed":             {"cab"},
	"application/x-iso9660-image":                   {"iso"},
	"application/vnd.debian.binary-package":         {"deb"},
	"application/x-archive":                         {"ar"},
	"application/x-rpm":                             {"rpm"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   {"ooxml"},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {"ooxml"},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {"ooxml"},
	"application/msword":            {"ole"},
	"application/vnd.ms-excel":      {"ole"},
	"application/vnd.ms-powerpoint": {"ole"},
	"application/x-msi":             {"ole"},
	"application/x-ole-storage":     {"ole"},
	"application/CDFV2":             {"ole"},
	"text/rtf":                      {"rtf"},
	"image/png":                     {"png"},
	"image/jpeg":                    {"jpeg"},
	"image/gif":                     {"gif"},
	"image/bmp":                     {"bmp"},
	"image/x-ms-bmp":                {"bmp"},
	"image/webp":                    {"webp"},
	"image/tiff":                    {"tiff"},
	"image/vnd.microsoft.icon":      {"ico"},
	"image/svg+xml":                 {"svg"},
	"application/vnd.tcpdump.pcap":  {"pcap"},
	"application/wasm":              {"wasm"},
	"application/vnd.sqlite3":       {"sqlite"},
	"application/x-ms-shortcut":     {"lnk"},
	"text/x-shellscript":            {"shell"},
	"text/x-script.python":          {"python"},
	"text/x-perl":                   {"perl"},
	"text/x-ruby":                   {"ruby"},
	"text/x-php":                    {"php"},
	"text/x-msdos-batch":            {"batch"},
	"text/html":                     {"html", "hta"},
	"text/xml":                      {"xml", "svg"},
	"application/json":              {"json"},
	"application/javascript":        {"javascript"},
	"text/javascript":               {"javascript"},
	"text/plain":                    {"text", "javascript", "powershell", "vbscript", "batch", "python", "shell", "pem", "json", "reg"},
	"application/x-empty":           {"empty"},
	"application/octet-stream":      {"data", "pcapng", "lnk", "zstd", "woff", "registry"},
}

func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed (make test-deps installs it)", name)
	}
}

// corpusFile is one file of the test-time corpus; want is set when the test wrote it and knows
// its type.
type corpusFile struct {
	path string
	want string
}

// buildCorpus collects files from the machine (ELF binaries and libraries, documents, archives
// and images under /usr/share), builds Windows PEs when the cross toolchains exist, and writes
// scripts with known languages.
func buildCorpus(t *testing.T) []corpusFile {
	t.Helper()
	var out []corpusFile
	seen := map[string]bool{}
	add := func(p, want string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, corpusFile{p, want})
		}
	}
	// ELF binaries: every 4th of /usr/bin, sorted, so the sample is stable across runs.
	for _, dir := range []string{"/usr/bin", "/usr/lib/x86_64-linux-gnu"} {
		entries, _ := os.ReadDir(dir)
		n := 0
		for i, e := range entries {
			if !e.Type().IsRegular() || i%4 != 0 || n >= 120 {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if b := readHead(p, 4); string(b) == "\x7fELF" {
				add(p, "")
				n++
			}
		}
	}
	perExt := map[string]int{}
	caps := map[string]int{".pdf": 40, ".zip": 30, ".jar": 30, ".gz": 40, ".bz2": 10, ".xz": 10, ".png": 40, ".jpg": 20, ".gif": 20,
		".svg": 15, ".json": 20, ".xml": 20, ".html": 20, ".py": 30, ".sh": 20, ".pl": 15, ".exe": 20, ".dll": 20, ".class": 5,
		".tar": 10, ".bmp": 10, ".ico": 10, ".wasm": 5, ".rtf": 5, ".txt": 20, ".docx": 5, ".xlsx": 5, ".doc": 5, ".xls": 5}
	visited := 0
	for _, root := range []string{"/usr/share", "/usr/lib/python3"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			visited++
			if err != nil || visited > 300000 {
				return filepath.SkipDir
			}
			if !d.Type().IsRegular() {
				return nil
			}
			ext := strings.ToLower(filepath.Ext(p))
			if c, ok := caps[ext]; ok && perExt[ext] < c {
				if info, err := d.Info(); err == nil && info.Size() > 0 && info.Size() < 64<<20 {
					perExt[ext]++
					add(p, "")
				}
			}
			return nil
		})
	}
	// The committed fixtures cover types the machine lacks (LNK, ISO, CAB, OLE, OOXML).
	fx, _ := filepath.Glob("testdata/fixtures/*")
	for _, p := range fx {
		add(p, "")
	}
	dir := t.TempDir()
	out = append(out, buildWindowsPEs(t, dir)...)
	for name, s := range knownScripts() {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s.text), 0o644); err != nil {
			t.Fatal(err)
		}
		add(p, s.lang)
	}
	return out
}

func readHead(p string, n int) []byte {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, n)
	k, _ := f.Read(b)
	return b[:k]
}

// buildWindowsPEs compiles an EXE and a DLL with MinGW and an EXE with GOOS=windows go build.
func buildWindowsPEs(t *testing.T, dir string) []corpusFile {
	t.Helper()
	var out []corpusFile
	src := filepath.Join(dir, "w.c")
	os.WriteFile(src, []byte("#include <windows.h>\n__declspec(dllexport) int add1(int a){return a+1;}\nint main(void){MessageBoxA(0,\"x\",\"y\",0);return 0;}\n"), 0o644)
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err == nil {
		for _, v := range []struct{ name, flag string }{{"mingw.exe", ""}, {"mingw.dll", "-shared"}} {
			args := []string{"-O1", "-o", filepath.Join(dir, v.name), src}
			if v.flag != "" {
				args = append([]string{v.flag}, args...)
			}
			if b, err := exec.Command("x86_64-w64-mingw32-gcc", args...).CombinedOutput(); err != nil {
				t.Logf("mingw build %s: %v\n%s", v.name, err, b)
				continue
			}
			out = append(out, corpusFile{filepath.Join(dir, v.name), "pe"})
		}
	}
	gosrc := filepath.Join(dir, "gowin")
	os.MkdirAll(gosrc, 0o755)
	os.WriteFile(filepath.Join(gosrc, "go.mod"), []byte("module gowin\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(gosrc, "main.go"), []byte("package main\n\nfunc main() { println(\"hi\") }\n"), 0o644)
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "gowin.exe"), ".")
	cmd.Dir = gosrc
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "GOWORK=off", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("GOOS=windows go build: %v\n%s", err, b)
	} else {
		out = append(out, corpusFile{filepath.Join(dir, "gowin.exe"), "pe"})
	}
	return out
}

type knownScript struct{ lang, text string }

func knownScripts() map[string]knownScript {
	return map[string]knownScript{
		"a.sh":   {"shell", "#!/bin/sh\nset -e\nfor f in *.txt; do\n  echo \"$f\"\ndone\n"},
		"b.sh":   {"shell", "#!/usr/bin/env bash\nif [ -z \"$HOME\" ]; then\n  exit 1\nfi\n"},
		"c.sh":   {"shell", "export PATH=/usr/local/bin:$PATH\nif [ -f /etc/hosts ]; then\n  echo found\nfi\nfor x in a b; do\n  echo $x\ndone\n"},
		"a.py":   {"python", "#!/usr/bin/python3\nimport sys\nprint(sys.argv)\n"},
		"b.py":   {"python", "import os\nimport json\n\n\ndef load(p):\n    with open(p) as f:\n        return json.load(f)\n\n\nclass Cfg:\n    def __init__(self):\n        self.x = 1\n"},
		"a.js":   {"javascript", "var fs = require('fs');\nfunction read(p) {\n  return fs.readFileSync(p, 'utf8');\n}\nmodule.exports = { read };\n"},
		"b.js":   {"javascript", "const el = document.getElementById('x');\nel.addEventListener('click', () => {\n  console.log('hi');\n});\n"},
		"c.js":   {"javascript", "var s = new ActiveXObject(\"Scripting.FileSystemObject\");\nvar f = s.OpenTextFile(\"c:\\\\x.txt\", 1);\nWScript.Echo(f.ReadAll());\n"},
		"a.ps1":  {"powershell", "param([string]$Path)\n$items = Get-ChildItem -Path $Path\nforeach ($i in $items) {\n  Write-Host $i.Name\n}\n"},
		"b.ps1":  {"powershell", "$wc = New-Object System.Net.WebClient\n$wc.DownloadFile('http://x/y', \"$env:TEMP\\y.exe\")\nStart-Process \"$env:TEMP\\y.exe\"\n"},
		"a.vbs":  {"vbscript", "Option Explicit\nDim fso, f\nSet fso = CreateObject(\"Scripting.FileSystemObject\")\nSet f = fso.OpenTextFile(\"x.txt\")\nWScript.Echo f.ReadAll\n"},
		"b.vbs":  {"vbscript", "On Error Resume Next\nDim sh\nSet sh = WScript.CreateObject(\"WScript.Shell\")\nsh.Run \"notepad\", 1, False\nIf Err.Number <> 0 Then\n  MsgBox \"fail\"\nEnd If\n"},
		"a.bat":  {"batch", "@echo off\r\nsetlocal\r\nset OUT=%TEMP%\\out.txt\r\nif exist %OUT% del %OUT%\r\ngoto :eof\r\n"},
		"b.cmd":  {"batch", "@ECHO OFF\r\nREM build\r\ncall make.bat\r\n"},
		"a.php":  {"php", "<?php\n$x = $_GET['q'];\necho htmlspecialchars($x);\n"},
		"a.html": {"html", "<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>x</p></body></html>\n"},
		"a.hta":  {"hta", "<html><head><title>x</title><HTA:APPLICATION ID=\"a\" APPLICATIONNAME=\"a\"></head><body><script language=\"VBScript\">MsgBox 1</script></body></html>\n"},
		"a.json": {"json", "{\"name\": \"x\", \"list\": [1, 2, 3], \"nested\": {\"ok\": true}}\n"},
		"a.xml":  {"xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root><item id=\"1\">x</item></root>\n"},
		"a.txt":  {"text", "Dear customer,\n\nyour order has shipped and will arrive soon.\n\nRegards\n"},
		"b.txt":  {"text", "The quick brown fox jumps over the lazy dog.\nPack my box with five dozen liquor jugs.\n"},
	}
}

// fileMIMEs runs `file --mime-type -b` over the paths in batches.
func fileMIMEs(t *testing.T, paths []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 0; i < len(paths); i += 200 {
		batch := paths[i:min(i+200, len(paths))]
		args := append([]string{"--mime-type", "-b", "--"}, batch...)
		b, err := exec.Command("file", args...).Output()
		if err != nil {
			t.Fatalf("file: %v", err)
		}
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if len(lines) != len(batch) {
			t.Fatalf("file printed %d lines for %d paths", len(lines), len(batch))
		}
		for j, l := range lines {
			out[batch[j]] = strings.TrimSpace(l)
		}
	}
	return out
}

// TestDifferentialFile checks identification against libmagic over the machine corpus: at
// least 98% agreement per claimed type, and every self-written script must be identified as
// the language it was written in.
func TestDifferentialFile(t *testing.T) {
	// Slow (external tools, compilers, big inputs): overlap with the other slow tests.
	t.Parallel()
	requireTool(t, "file")
	corpus := buildCorpus(t)
	paths := make([]string, len(corpus))
	for i, c := range corpus {
		paths[i] = c.path
	}
	mimes := fileMIMEs(t, paths)
	type tally struct{ agree, total int }
	perType := map[string]*tally{}
	var mismatches []string
	for _, c := range corpus {
		data, err := os.ReadFile(c.path)
		if err != nil {
			continue
		}
		id := Identify(data)
		if c.want != "" && id.FileType != c.want {
			t.Errorf("%s: identified %q, written as %q", filepath.Base(c.path), id.FileType, c.want)
		}
		fm := mimes[c.path]
		allowed, claimed := fileMIMEToTypes[fm]
		if !claimed {
			continue
		}
		key := allowed[0]
		if perType[key] == nil {
			perType[key] = &tally{}
		}
		perType[key].total++
		if slices.Contains(allowed, id.FileType) || id.MIME == fm {
			perType[key].agree++
		} else {
			mismatches = append(mismatches, c.path+": file="+fm+" ours="+id.FileType+" ("+id.MIME+")")
		}
	}
	keys := make([]string, 0, len(perType))
	total, agree := 0, 0
	for k, v := range perType {
		keys = append(keys, k)
		total += v.total
		agree += v.agree
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := perType[k]
		t.Logf("%-10s %4d/%-4d agree", k, v.agree, v.total)
		// Per type only where the sample is big enough for a percentage to mean something.
		if v.total >= 20 && v.agree*100 < v.total*98 {
			t.Errorf("%s: agreement %d/%d below 98%%", k, v.agree, v.total)
		}
	}
	for _, m := range mismatches {
		t.Log("mismatch: " + m)
	}
	t.Logf("overall %d/%d", agree, total)
	if total < 100 {
		t.Fatalf("corpus too small: %d files with a claimed libmagic type", total)
	}
	if agree*100 < total*98 {
		t.Errorf("overall agreement %d/%d below 98%%", agree, total)
	}
}

var (
	reReadelfSection = regexp.MustCompile(`^\s*\[\s*(\d+)\]\s(.*)$`)
	reReadelfNeeded  = regexp.MustCompile(`\(NEEDED\)\s+Shared library: \[(.*)\]`)
)

// TestDifferentialReadelf compares section names and DT_NEEDED entries with readelf's.
func TestDifferentialReadelf(t *testing.T) {
	// Slow (external tools, compilers, big inputs): overlap with the other slow tests.
	t.Parallel()
	requireTool(t, "readelf")
	var elfs []string
	for _, c := range buildCorpusELF() {
		elfs = append(elfs, c)
	}
	if len(elfs) < 20 {
		t.Fatalf("only %d ELF files found", len(elfs))
	}
	for _, p := range elfs {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Skip(err)
			}
			resp, err := New().Analyze(analyzeReq(data))
			if err != nil {
				t.Fatal(err)
			}
			info := resp.GetDetails().GetFile().GetElf()
			if info == nil {
				t.Fatalf("no ELF details")
			}
			var got []string
			for _, s := range info.Sections {
				got = append(got, s.Name)
			}
			want := readelfSections(t, p)
			if !slices.Equal(got, want) {
				t.Errorf("sections:\n got %q\nwant %q", got, want)
			}
			if want := readelfNeeded(t, p); !slices.Equal(info.Libraries, want) && !(len(want) == 0 && len(info.Libraries) == 0) {
				t.Errorf("DT_NEEDED: got %q, want %q", info.Libraries, want)
			}
		})
	}
}

func buildCorpusELF() []string {
	var out []string
	for _, dir := range []string{"/usr/bin", "/usr/lib/x86_64-linux-gnu"} {
		entries, _ := os.ReadDir(dir)
		n := 0
		for i, e := range entries {
			if !e.Type().IsRegular() || i%7 != 0 || n >= 40 {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if string(readHead(p, 4)) == "\x7fELF" {
				out = append(out, p)
				n++
			}
		}
	}
	return out
}

func readelfSections(t *testing.T, p string) []string {
	t.Helper()
	b, err := exec.Command("readelf", "-S", "-W", p).Output()
	if err != nil {
		t.Fatalf("readelf -S: %v", err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		m := reReadelfSection.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if m[1] == "0" {
			out = append(out, "")
			continue
		}
		// "[Nr] Name Type ...": the name is the first field; readelf pads it with spaces.
		fields := strings.Fields(m[2])
		if len(fields) > 0 && fields[0] != "Name" {
			out = append(out, fields[0])
		}
	}
	return out
}

func readelfNeeded(t *testing.T, p string) []string {
	t.Helper()
	b, err := exec.Command("readelf", "-d", "-W", p).Output()
	if err != nil {
		t.Fatalf("readelf -d: %v", err)
	}
	var out []string
	for _, m := range reReadelfNeeded.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	return out
}
