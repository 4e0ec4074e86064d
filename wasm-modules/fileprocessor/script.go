package fileprocessor

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"path"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

// language is one text type the sniffer can name.
type language struct {
	id, mime, desc, category string
}

var (
	langText       = language{"text", "text/plain", "text", catText}
	langShell      = language{"shell", "text/x-shellscript", "shell script", catScript}
	langPython     = language{"python", "text/x-script.python", "Python script", catScript}
	langJavaScript = language{"javascript", "application/javascript", "JavaScript source", catScript}
	langPowerShell = language{"powershell", "text/x-powershell", "PowerShell script", catScript}
	langVBScript   = language{"vbscript", "text/vbscript", "VBScript source", catScript}
	langBatch      = language{"batch", "text/x-msdos-batch", "DOS batch file", catScript}
	langPHP        = language{"php", "text/x-php", "PHP script", catScript}
	langPerl       = language{"perl", "text/x-perl", "Perl script", catScript}
	langRuby       = language{"ruby", "text/x-ruby", "Ruby script", catScript}
	langHTML       = language{"html", "text/html", "HTML document", catScript}
	langHTA        = language{"hta", "text/html", "HTML application (HTA)", catScript}
	langXML        = language{"xml", "text/xml", "XML document", catText}
	langSVG        = language{"svg", "image/svg+xml", "SVG image", catImage}
	langJSON       = language{"json", "application/json", "JSON data", catText}
)

// decodeTextHead returns up to n bytes of b as UTF-8 text, converting UTF-16 (with BOM) and
// dropping a UTF-8 BOM, because PowerShell and VBScript files are often saved as UTF-16LE.
func decodeTextHead(b []byte, n int) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}), bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		var order binary.ByteOrder = binary.LittleEndian
		if b[0] == 0xfe {
			order = binary.BigEndian
		}
		b = head(b[2:], 2*n)
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u = append(u, order.Uint16(b[i:]))
		}
		return string(utf16.Decode(u))
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		b = b[3:]
	}
	h := head(b, n)
	// Cut a rune split by the cap so the tail does not count as invalid text.
	for i := 0; i < 3 && len(h) > 0 && !utf8.Valid(h) && len(h) < len(b); i++ {
		h = h[:len(h)-1]
	}
	return string(h)
}

// sniffLanguage names the language of a text by its shebang, its opening markup, then by
// counting constructs typical of each language.
func sniffLanguage(text string) language {
	trimmed := strings.TrimLeft(text, " \t\r\n")
	if strings.HasPrefix(trimmed, "#!") {
		line, _, _ := strings.Cut(trimmed, "\n")
		if l, ok := shebangLanguage(line); ok {
			return l
		}
	}
	lower := strings.ToLower(head2(trimmed, 4096))
	switch {
	case strings.HasPrefix(lower, "<?php") || strings.Contains(lower, "<?php"):
		return langPHP
	case strings.HasPrefix(lower, "<?xml"):
		if strings.Contains(lower, "<svg") {
			return langSVG
		}
		return langXML
	case strings.HasPrefix(lower, "<svg"):
		return langSVG
	case strings.Contains(lower, "<hta:application"):
		return langHTA
	case strings.HasPrefix(lower, "<!doctype html"), strings.HasPrefix(lower, "<html"), strings.HasPrefix(lower, "<head"),
		strings.HasPrefix(lower, "<body"), strings.HasPrefix(lower, "<script"), strings.HasPrefix(lower, "<iframe"),
		strings.HasPrefix(lower, "<!--") && strings.Contains(lower, "<html"):
		return langHTML
	case strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["):
		// The caller validates the whole document; here the opening must look like JSON.
		if looksJSON(trimmed) {
			return langJSON
		}
	}
	return scoreLanguage(text)
}

func head2(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

var reJSONStart = regexp.MustCompile(`^(\{\s*("|\})|\[\s*("|\{|\[|\]|-?\d|true|false|null))`)

func looksJSON(s string) bool {
	return reJSONStart.MatchString(s)
}

func shebangLanguage(line string) (language, bool) {
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return language{}, false
	}
	interp := path.Base(fields[0])
	if interp == "env" {
		for _, f := range fields[1:] {
			if !strings.HasPrefix(f, "-") {
				interp = path.Base(f)
				break
			}
		}
	}
	switch {
	case interp == "sh" || interp == "bash" || interp == "dash" || interp == "zsh" || interp == "ksh" || interp == "ash" || interp == "busybox":
		return langShell, true
	case strings.HasPrefix(interp, "python"):
		return langPython, true
	case interp == "node" || interp == "nodejs" || interp == "deno" || interp == "bun":
		return langJavaScript, true
	case interp == "pwsh" || interp == "powershell":
		return langPowerShell, true
	case strings.HasPrefix(interp, "perl"):
		return langPerl, true
	case strings.HasPrefix(interp, "ruby"):
		return langRuby, true
	case strings.HasPrefix(interp, "php"):
		return langPHP, true
	}
	return language{}, false
}

// cue is one construct that votes for a language.
type cue struct {
	lang   *language
	expr   string
	weight int
}

// languageCues are the constructs counted by scoreLanguage, with their patterns indexed in
// cuePatterns (same order). Like the other compiled patterns in this package they are built
// once and never written after init.
var (
	languageCues = buildLanguageCues()
	cuePatterns  = newPatternSet(cueExprs(languageCues))
)

func cueExprs(cs []cue) []string {
	out := make([]string, len(cs))
	for k, c := range cs {
		out[k] = c.expr
	}
	return out
}

func buildLanguageCues() []cue {
	var out []cue
	add := func(l *language, cs ...cue) {
		for _, c := range cs {
			c.lang = l
			out = append(out, c)
		}
	}
	c := func(expr string, w int) cue { return cue{expr: expr, weight: w} }
	add(&langPowerShell,
		c(`(?i)\$env:|\[system\.|\[convert\]::|\[io\.|\[text\.encoding\]`, 3),
		c(`(?i)\b(write-host|write-output|invoke-expression|invoke-webrequest|new-object|get-[a-z]+|set-[a-z]+|start-process|foreach-object|where-object|out-null|add-type|test-path|remove-item|import-module)\b`, 3),
		c(`(?i)\s-(eq|ne|gt|lt|like|match|band|bxor)\s`, 2),
		c(`\$[A-Za-z_][A-Za-z0-9_]*\s*=`, 1),
		c(`(?i)^\s*param\s*\(`, 3),
		c(`\$_\.|\$\(`, 1),
	)
	add(&langVBScript,
		c(`(?i)^\s*dim\s+\w`, 3),
		c(`(?i)^\s*set\s+\w+\s*=\s*(createobject|getobject|wscript\.|new\s)`, 4),
		c(`(?i)\bwscript\.(echo|shell|createobject|sleep|quit|arguments|scriptfullname)`, 3),
		c(`(?i)^\s*(end\s+(sub|function|if)|on\s+error\s+resume\s+next|option\s+explicit)`, 3),
		c(`(?i)^\s*(private\s+|public\s+)?(sub|function)\s+\w+\s*(\(|$)`, 1),
		c(`(?i)\b(msgbox|createobject|chr\(|vbcrlf)\b`, 2),
		c(`(?i)\bthen\s*$`, 1),
	)
	add(&langBatch,
		c(`(?i)^\s*@?echo\s+off`, 6),
		c(`(?i)^\s*(rem\s|::)`, 2),
		c(`(?i)^\s*set\s+(/[ap]\s+)?\w+=`, 2),
		c(`(?i)^\s*goto\s+:?\w+|^:\w+\s*$`, 2),
		c(`(?i)%~dp0|%errorlevel%|%[a-z_]+%|\bif\s+(not\s+)?exist\b|\bcmd(\.exe)?\s+/c\b`, 2),
	)
	add(&langJavaScript,
		c(`^\s*(var|let|const)\s+[A-Za-z_$][\w$]*\s*(=|;|,)`, 2),
		c(`\bfunction\s*[\w$]*\s*\([^)]*\)\s*\{`, 3),
		c(`=>\s*[{(\w]|===|!==`, 2),
		c(`\b(document|window|console|navigator)\.\w+|\brequire\(\s*['"]|module\.exports|\.prototype\.`, 3),
		c(`(?i)new\s+activexobject\s*\(|\bwscript\.createobject\s*\(`, 4),
		c(`;\s*$`, 1),
	)
	add(&langPython,
		c(`^\s*(import\s+[\w.]+|from\s+[\w.]+\s+import\s)`, 3),
		c(`^\s*(def|class)\s+\w+.*:\s*$`, 4),
		c(`^\s*(elif\s.*|else|try|except.*|finally)\s*:\s*$`, 3),
		c(`__name__\s*==|\bself\.\w+|\bprint\(`, 2),
	)
	add(&langShell,
		c(`^\s*(fi|done|esac|then|do)\s*$`, 3),
		c(`^\s*(export|unset|readonly|local)\s+\w+`, 2),
		c(`^\s*if\s+\[\[?\s|\$\{\w+[:}]|\$\(\s*\w`, 2),
		c(`^\s*\w+=("|'|\$|\w)`, 1),
		c(`^\s*(echo|cd|rm|chmod|mkdir|cp|mv|wget|curl)\s`, 1),
	)
	return out
}

// scoreLanguage counts language cues line by line and picks the clear winner, or plain text.
func scoreLanguage(text string) language {
	scores := map[*language]int{}
	lines := strings.Split(head2(text, maxTextSniff), "\n")
	if len(lines) > 2000 {
		lines = lines[:2000]
	}
	for _, line := range lines {
		if len(line) > 4096 {
			line = line[:4096]
		}
		for mask := cuePatterns.matches(line); mask != 0; mask &= mask - 1 {
			k := bits.TrailingZeros64(mask)
			scores[languageCues[k].lang] += languageCues[k].weight
		}
	}
	// Ranked in a fixed order so ties resolve the same way every run.
	order := []*language{&langBatch, &langPowerShell, &langVBScript, &langPython, &langJavaScript, &langShell}
	best, bestScore, second := &langText, 0, 0
	for _, l := range order {
		s := scores[l]
		if s > bestScore {
			second = bestScore
			best, bestScore = l, s
		} else if s > second {
			second = s
		}
	}
	if bestScore < 4 || bestScore < second+2 {
		return langText
	}
	return *best
}

// indicator is one suspicious construct looked for in scripts.
type indicator struct {
	name     string
	expr     string
	severity analysisv1.Severity
	score    int32
	attack   []string
	title    string
}

// scriptIndicators and their patterns (same order) are built once and never written after init.
var (
	scriptIndicators  = buildScriptIndicators()
	indicatorPatterns = newPatternSet(indicatorExprs(scriptIndicators))
)

func indicatorExprs(inds []indicator) []string {
	out := make([]string, len(inds))
	for k, ind := range inds {
		out[k] = ind.expr
	}
	return out
}

func buildScriptIndicators() []indicator {
	i := func(name, expr string, sev analysisv1.Severity, score int32, title string, attack ...string) indicator {
		return indicator{name, expr, sev, score, attack, title}
	}
	high, med, low := analysisv1.Severity_SEVERITY_HIGH, analysisv1.Severity_SEVERITY_MEDIUM, analysisv1.Severity_SEVERITY_LOW
	return []indicator{
		i("download_cradle", `(?i)net\.webclient|downloadstring|downloadfile|downloaddata|invoke-webrequest|\biwr\s|invoke-restmethod|start-bitstransfer|msxml2\.(server)?xmlhttp|winhttp\.winhttprequest|urldownloadtofile|(curl|wget)\s[^|]*\|\s*(ba|z)?sh\b|certutil(\.exe)?\s.*-urlcache|bitsadmin(\.exe)?\s+/transfer`, high, 400, "downloads and runs remote content", "T1105"),
		i("invoke_expression", `(?i)\biex\b|invoke-expression`, med, 250, "evaluates a string as PowerShell code", "T1059.001"),
		i("encoded_command", `(?i)\s-e(nc|ncodedcommand|ncodedcomman|ncodedcomma|ncoded|c)?\s+[A-Za-z0-9+/=]{16,}`, high, 400, "passes a base64 encoded command to PowerShell", "T1059.001", "T1027"),
		i("hidden_execution", `(?i)-w(indowstyle)?\s+hidden|-noni(nteractive)?\b|-executionpolicy\s+bypass|-ep\s+bypass|-nop(rofile)?\b`, med, 200, "runs PowerShell hidden or with policy bypass", "T1564.003"),
		i("eval", `(?i)\beval\s*\(|\bexecute(global)?\s*\(?\s*\w`, med, 150, "evaluates dynamically built code", "T1027"),
		i("activex_object", `(?i)new\s+activexobject\s*\(|createobject\s*\(`, med, 200, "instantiates COM objects from script", "T1559.001"),
		i("wscript_shell", `(?i)wscript\.shell|shell\.application|\.shellexecute\b`, high, 300, "runs commands through the Windows shell", "T1059"),
		i("child_process", `child_process|\bexecSync\s*\(|\bspawnSync\s*\(`, med, 200, "spawns processes from Node.js", "T1059.007"),
		i("from_char_code", `(?i)fromcharcode|\bchrw?\s*\(\s*\d+\s*\)\s*&`, low, 100, "builds strings from character codes", "T1027"),
		i("base64_decode", `(?i)frombase64string|\batob\s*\(|base64\s+(-d|--decode)|b64decode|base64_decode`, med, 150, "decodes embedded base64", "T1140"),
		i("amsi_bypass", `(?i)amsiutils|amsiinitfailed|amsiscanbuffer`, high, 500, "tampers with AMSI", "T1562.001"),
		i("reflective_load", `(?i)reflection\.assembly\]::load|\[system\.reflection\.assembly\]|virtualalloc|getdelegateforfunctionpointer`, high, 400, "loads code reflectively in memory", "T1620"),
		i("spawns_powershell", `(?i)powershell(\.exe)?\s+-|pwsh(\.exe)?\s+-`, med, 200, "launches PowerShell", "T1059.001"),
		i("run_key", `(?i)currentversion\\run(once)?\b`, med, 250, "writes a Run key for persistence", "T1547.001"),
		i("scheduled_task", `(?i)schtasks(\.exe)?\s+/create|register-scheduledtask`, med, 250, "creates a scheduled task", "T1053.005"),
		i("shadow_delete", `(?i)vssadmin(\.exe)?\s+delete\s+shadows|wmic\s+shadowcopy\s+delete|bcdedit.*recoveryenabled\s+no`, high, 600, "deletes shadow copies / recovery", "T1490"),
		i("webshell", `(?i)(system|shell_exec|passthru|exec|popen|proc_open|assert)\s*\(\s*\$_(get|post|request|cookie|server)`, high, 500, "executes request input (web shell)", "T1505.003"),
		i("reverse_shell", `/dev/tcp/|\bnc(at)?\s+(-\w+\s+)*-e\s|bash\s+-i\s*>&|socket\.socket\(.*\n?.*subprocess`, high, 500, "opens a reverse shell", "T1059.004"),
		i("os_command", `\bos\.system\s*\(|\bsubprocess\.(Popen|call|run|check_output)\s*\(`, low, 80, "runs operating system commands", "T1059.006"),
		i("mshta_regsvr", `(?i)\bmshta(\.exe)?\s|\bregsvr32(\.exe)?\s.*(/i:|scrobj)|\brundll32(\.exe)?\s.*javascript:`, high, 400, "proxies execution through a signed binary", "T1218"),
		i("defender_tamper", `(?i)set-mppreference\s.*-disable|add-mppreference\s.*-exclusion`, high, 500, "disables or excludes Microsoft Defender", "T1562.001"),
	}
}

// analyzeScript fills ScriptInfo with line statistics and indicators, and returns a finding per
// indicator kind (first occurrence, with the count in the evidence).
func analyzeScript(data []byte, lang string) (*analysisv1.ScriptInfo, []*analysisv1.Finding) {
	text := decodeTextHead(data, int(min(int64(len(data)), 8<<20)))
	info := &analysisv1.ScriptInfo{Language: lang}
	lines := strings.Split(text, "\n")
	info.Lines = int32(len(lines))
	if strings.HasSuffix(text, "\n") {
		info.Lines--
	}
	type hit struct {
		first *analysisv1.ScriptIndicator
		count int
	}
	inds := scriptIndicators
	hits := make([]hit, len(inds))
	offset := int64(0)
	firstOffset := make([]int64, len(inds))
	for n, line := range lines {
		if l := int32(utf8.RuneCountInString(line)); l > info.MaxLineLength {
			info.MaxLineLength = l
		}
		scan := line
		if len(scan) > 64<<10 {
			scan = scan[:64<<10]
		}
		// Indicators in pattern order.
		indicatorPatterns.find(scan, func(k int, loc []int) {
			ind := inds[k]
			si := &analysisv1.ScriptIndicator{Name: ind.name, Line: int32(n + 1), Excerpt: excerpt(scan, loc[0], loc[1])}
			if hits[k].count == 0 {
				hits[k].first = si
				firstOffset[k] = offset + int64(loc[0])
			}
			hits[k].count++
			if len(info.Indicators) < maxIndicators {
				info.Indicators = append(info.Indicators, si)
			}
		})
		offset += int64(len(line)) + 1
	}
	var findings []*analysisv1.Finding
	for k, ind := range inds {
		if hits[k].count == 0 {
			continue
		}
		ev := hits[k].first.Excerpt
		if hits[k].count > 1 {
			ev += " (" + itoa(hits[k].count) + " lines)"
		}
		off := firstOffset[k]
		if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
			off = -1 // offsets in decoded UTF-16 text do not map to file bytes one to one
		}
		findings = append(findings, &analysisv1.Finding{
			Id:               "script." + ind.name,
			Title:            ind.title + " (line " + itoa(int(hits[k].first.Line)) + ")",
			Severity:         ind.severity,
			Score:            ind.score,
			AttackTechniques: ind.attack,
			Evidence:         ev,
			Offset:           off,
			Reason:           lang + " script " + ind.title + "; scored as " + severityWord(ind.severity) + " because this construct is common in malicious scripts and rare in benign ones",
		})
	}
	return info, findings
}

// excerpt returns the match with a little context, capped.
func excerpt(line string, start, end int) string {
	from := max(0, start-30)
	to := min(len(line), end+30)
	s := strings.TrimSpace(line[from:to])
	if len(s) > maxFindingEvidence {
		s = s[:maxFindingEvidence]
	}
	return strings.ToValidUTF8(s, "?")
}
