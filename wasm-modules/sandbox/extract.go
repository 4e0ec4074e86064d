package sandbox

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf16"
)

// scripts are the runnable pieces of a sample.
type scripts struct {
	code    []string
	srcURLs []string
	notes   []string
}

var (
	scriptBlock = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)
	attrLang    = regexp.MustCompile(`(?is)\b(?:language|type)\s*=\s*["']?([^"'\s>]+)`)
	attrSrc     = regexp.MustCompile(`(?is)\bsrc\s*=\s*["']?([^"'\s>]+)`)
	cdata       = regexp.MustCompile(`(?s)^\s*<!\[CDATA\[(.*)\]\]>\s*$`)
	htmlComment = regexp.MustCompile(`(?s)^\s*<!--(.*?)(//\s*)?-->\s*$`)
)

// scriptLanguage is the language reported in details.sandbox.
func scriptLanguage(fileType string) string {
	switch fileType {
	case "html", "hta", "wsf":
		return "jscript (" + fileType + ")"
	case "jscript":
		return "jscript"
	}
	return "javascript"
}

// extractScripts finds the JavaScript to run: the whole file for scripts, the JavaScript /
// JScript blocks of HTML, HTA and WSF files. VBScript blocks are noted, not run.
func extractScripts(fileType string, content []byte) scripts {
	text := decodeText(content)
	switch fileType {
	case "html", "hta", "wsf":
		return blocks(text)
	case "javascript", "jscript", "js":
		return scripts{code: []string{text}}
	}
	// Unknown or missing type: a document with script tags is markup, anything else is code.
	if scriptBlock.MatchString(text) {
		return blocks(text)
	}
	return scripts{code: []string{text}}
}

func blocks(text string) scripts {
	var out scripts
	for _, m := range scriptBlock.FindAllStringSubmatch(text, -1) {
		attrs, body := m[1], m[2]
		if l := attrLang.FindStringSubmatch(attrs); l != nil {
			lang := strings.ToLower(l[1])
			if strings.Contains(lang, "vbs") {
				out.notes = append(out.notes, "VBScript block not emulated")
				continue
			}
			if !strings.Contains(lang, "javascript") && !strings.Contains(lang, "jscript") &&
				!strings.Contains(lang, "ecmascript") && lang != "module" {
				continue
			}
		}
		if s := attrSrc.FindStringSubmatch(attrs); s != nil {
			if strings.Contains(s[1], "://") {
				out.srcURLs = append(out.srcURLs, s[1])
			}
		}
		if c := cdata.FindStringSubmatch(body); c != nil {
			body = c[1]
		} else if c := htmlComment.FindStringSubmatch(body); c != nil {
			body = c[1]
		}
		if strings.TrimSpace(body) != "" {
			out.code = append(out.code, body)
		}
	}
	return out
}

// decodeText turns the sample into a Go string: UTF-16 with a byte-order mark is decoded (WSH
// runs Unicode scripts), a UTF-8 BOM is dropped, anything else is taken byte for byte.
func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		le := b[0] == 0xff
		b = b[2:]
		u := make([]uint16, len(b)/2)
		for i := range u {
			if le {
				u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		return string(utf16.Decode(u))
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return string(b[3:])
	}
	return string(b)
}
