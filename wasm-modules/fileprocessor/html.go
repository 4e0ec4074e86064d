package fileprocessor

import (
	"bytes"
	"regexp"
	"strings"
)

var (
	reHTMLScript   = regexp.MustCompile(`(?is)<script([^>]{0,512})>(.*?)</script\s*>`)
	reScriptLangVB = regexp.MustCompile(`(?i)(language|type)\s*=\s*["']?[^"'>]*vbscript`)
)

// parseHTML extracts inline <script> blocks of HTML and HTA files as children, so the script
// analyzers (deobfuscator, sandbox) see the code without the markup around it.
func (r *result) parseHTML(data []byte) {
	n := 0
	for _, m := range reHTMLScript.FindAllSubmatchIndex(head(data, 16<<20), maxArtifacts) {
		body := bytes.TrimSpace(data[m[4]:m[5]])
		if len(body) < 32 {
			continue
		}
		n++
		ext := ".js"
		if reScriptLangVB.Match(data[m[2]:m[3]]) {
			ext = ".vbs"
		}
		name := "script" + itoa(n) + ext
		r.addArtifact(body, name, "inline <script> block "+itoa(n)+" of "+strings.ToUpper(r.id.FileType)+" at offset "+itoa(m[0]), "html:script "+itoa(n))
	}
}
