package fileprocessor

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

var (
	rePDFVersion = regexp.MustCompile(`%PDF-(\d\.\d)`)
	rePDFName    = regexp.MustCompile(`/[A-Za-z0-9#_.+-]{1,64}`)
	rePDFJSRef   = regexp.MustCompile(`/JS\s*(\d{1,10})\s+\d{1,5}\s+R`)
	rePDFFilter  = regexp.MustCompile(`/Filter\s*(\[[^\]]{0,512}\]|/[A-Za-z0-9]+)`)
	rePDFURI     = regexp.MustCompile(`/URI\s*\(((?:\\.|[^\\)]){1,1000})\)`)
	rePDFJSLit   = regexp.MustCompile(`/JS\s*\(`)
	rePDFJSHex   = regexp.MustCompile(`/JS\s*<([0-9A-Fa-f\s]+)>`)
	rePDFInfo    = regexp.MustCompile(`/(Title|Author|Subject|Keywords|Creator|Producer|CreationDate|ModDate)\s*\(((?:\\.|[^\\)]){0,512})\)`)
	rePDFFName   = regexp.MustCompile(`/(?:UF|F)\s*\(((?:\\.|[^\\)]){1,256})\)`)
)

// pdfKeywords are the names counted in PDFInfo.keywords (pdfid's list, minus the noise).
var pdfKeywords = []string{"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/URI", "/SubmitForm",
	"/XFA", "/AcroForm", "/RichMedia", "/ObjStm", "/Encrypt", "/JBIG2Decode", "/GoToR", "/GoToE", "/ImportData"}

type pdfObject struct {
	num    int
	dict   []byte
	stream []byte // raw stream bytes, nil when the object has none
	offset int64
}

// splitPDFObjects indexes "N G obj ... endobj" spans; a tolerant scan rather than an xref walk,
// because malicious PDFs routinely ship broken cross-reference tables.
func splitPDFObjects(data []byte) ([]pdfObject, bool) {
	locs, truncated := findPDFObjHeaders(data)
	objs := make([]pdfObject, 0, len(locs))
	for i, l := range locs {
		num := l.num
		start := l.end
		end := len(data)
		if i+1 < len(locs) {
			end = locs[i+1].start
		}
		body := data[start:end]
		o := pdfObject{num: num, offset: int64(l.start)}
		if s := bytes.Index(body, []byte("stream")); s >= 0 && !bytes.HasPrefix(body[s:], []byte("streamend")) {
			o.dict = body[:s]
			ds := s + len("stream")
			if ds < len(body) && body[ds] == '\r' {
				ds++
			}
			if ds < len(body) && body[ds] == '\n' {
				ds++
			}
			rest := body[ds:]
			if e := bytes.Index(rest, []byte("endstream")); e >= 0 {
				rest = rest[:e]
			}
			o.stream = bytes.TrimRight(rest, "\r\n")
		} else {
			if e := bytes.Index(body, []byte("endobj")); e >= 0 {
				body = body[:e]
			}
			o.dict = body
		}
		objs = append(objs, o)
	}
	return objs, truncated
}

// pdfFilters returns the filter chain declared in a stream dictionary, abbreviations expanded.
func pdfFilters(dict []byte) []string {
	m := rePDFFilter.FindSubmatch(dict)
	if m == nil {
		return nil
	}
	var out []string
	for _, n := range rePDFName.FindAll(m[1], 16) {
		name := normalizePDFName(string(n[1:]))
		switch name {
		case "Fl":
			name = "FlateDecode"
		case "AHx":
			name = "ASCIIHexDecode"
		case "A85":
			name = "ASCII85Decode"
		case "LZW":
			name = "LZWDecode"
		case "RL":
			name = "RunLengthDecode"
		case "DCT":
			name = "DCTDecode"
		case "CCF":
			name = "CCITTFaxDecode"
		}
		out = append(out, name)
	}
	return out
}

// normalizePDFName resolves #xx escapes in a name.
func normalizePDFName(n string) string {
	if !strings.Contains(n, "#") {
		return n
	}
	var sb strings.Builder
	for i := 0; i < len(n); i++ {
		if n[i] == '#' && i+2 < len(n) {
			if v, err := strconv.ParseUint(n[i+1:i+3], 16, 8); err == nil {
				sb.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		sb.WriteByte(n[i])
	}
	return sb.String()
}

var errPDFUnsupported = errors.New("filter not decoded")

// decodePDFStream applies the filter chain within maxPDFDecoded. parms holds each filter's
// predictor (pdfDecodeParms); it may be shorter than filters.
func decodePDFStream(raw []byte, filters []string, parms []pdfPredictor) ([]byte, error) {
	out := raw
	for i, f := range filters {
		var err error
		switch f {
		case "FlateDecode":
			out, err = inflate(out, maxPDFDecoded)
		case "ASCIIHexDecode":
			out, err = asciiHexDecode(out)
		case "ASCII85Decode":
			out, err = ascii85Decode(out)
		case "LZWDecode":
			out, err = lzwDecode(out, maxPDFDecoded)
		case "RunLengthDecode":
			out, err = runLengthDecode(out, maxPDFDecoded)
		default:
			return out, errPDFUnsupported
		}
		if err != nil {
			return out, err
		}
		if (f == "FlateDecode" || f == "LZWDecode") && i < len(parms) {
			if out, err = parms[i].unpredict(out); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// inflate decodes zlib, falling back to raw deflate; data decoded before an error is kept
// because truncated streams are common and still informative.
func inflate(b []byte, limit int64) ([]byte, error) {
	var rd io.Reader
	if zr, err := zlib.NewReader(bytes.NewReader(b)); err == nil {
		rd = zr
	} else {
		rd = flate.NewReader(bytes.NewReader(b))
	}
	out, err := readCapped(rd, limit)
	if errors.Is(err, io.ErrUnexpectedEOF) && len(out) > 0 {
		return out, nil
	}
	return out, err
}

func asciiHexDecode(b []byte) ([]byte, error) {
	if i := bytes.IndexByte(b, '>'); i >= 0 {
		b = b[:i]
	}
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if c > ' ' {
			clean = append(clean, c)
		}
	}
	if len(clean)%2 == 1 {
		clean = append(clean, '0')
	}
	out := make([]byte, len(clean)/2)
	_, err := hex.Decode(out, clean)
	return out, err
}

func ascii85Decode(b []byte) ([]byte, error) {
	b = bytes.TrimPrefix(bytes.TrimSpace(b), []byte("<~"))
	if i := bytes.Index(b, []byte("~>")); i >= 0 {
		b = b[:i]
	}
	out := make([]byte, 0, len(b))
	var group [5]byte
	n := 0
	flush := func(count int) {
		var v uint64
		for i := 0; i < 5; i++ {
			v = v*85 + uint64(group[i]-'!')
		}
		w := []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
		out = append(out, w[:count]...)
	}
	for _, c := range b {
		switch {
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
		case c >= '!' && c <= 'u':
			group[n] = c
			n++
			if n == 5 {
				flush(4)
				n = 0
			}
		case c <= ' ':
		default:
			return out, errors.New("ascii85: invalid byte")
		}
	}
	if n > 0 {
		for i := n; i < 5; i++ {
			group[i] = 'u'
		}
		flush(n - 1)
	}
	return out, nil
}

// lzwDecode implements PDF's LZWDecode (MSB-first codes, 9-12 bits, EarlyChange 1), which the
// standard library's compress/lzw does not.
func lzwDecode(b []byte, limit int64) ([]byte, error) {
	var out []byte
	dict := make([][]byte, 258, 4096)
	reset := func() {
		dict = dict[:258]
		for i := 0; i < 256; i++ {
			dict[i] = []byte{byte(i)}
		}
	}
	reset()
	width := 9
	var acc uint32
	nbits := 0
	var prev []byte
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		nbits += 8
		for nbits >= width {
			code := int(acc>>(nbits-width)) & (1<<width - 1)
			nbits -= width
			switch {
			case code == 256:
				reset()
				width, prev = 9, nil
				continue
			case code == 257:
				return out, nil
			}
			var entry []byte
			switch {
			case code < len(dict):
				entry = dict[code]
			case code == len(dict) && prev != nil:
				entry = append(append([]byte{}, prev...), prev[0])
			default:
				return out, errors.New("lzw: invalid code")
			}
			out = append(out, entry...)
			if int64(len(out)) > limit {
				return out[:limit], errTooLarge
			}
			if prev != nil && len(dict) < 4096 {
				dict = append(dict, append(append([]byte{}, prev...), entry[0]))
			}
			prev = entry
			if len(dict)+1 >= 1<<width && width < 12 {
				width++
			}
		}
	}
	return out, nil
}

func runLengthDecode(b []byte, limit int64) ([]byte, error) {
	var out []byte
	for i := 0; i < len(b); {
		n := int(b[i])
		i++
		switch {
		case n == 128:
			return out, nil
		case n < 128:
			end := min(len(b), i+n+1)
			out = append(out, b[i:end]...)
			i = end
		default:
			if i >= len(b) {
				return out, nil
			}
			out = append(out, bytes.Repeat([]byte{b[i]}, 257-n)...)
			i++
		}
		if int64(len(out)) > limit {
			return out[:limit], errTooLarge
		}
	}
	return out, nil
}

// pdfLiteral decodes a PDF literal string starting just after its "(" and returns the bytes
// up to the balancing ")".
func pdfLiteral(b []byte) []byte {
	var out []byte
	depth := 1
	for i := 0; i < len(b) && len(out) < maxArtifactBytes; i++ {
		c := b[i]
		switch c {
		case '\\':
			if i+1 >= len(b) {
				return out
			}
			i++
			switch e := b[i]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r', '\n':
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7'; k++ {
						i++
						v = v*8 + int(b[i]-'0')
					}
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		case '(':
			depth++
			out = append(out, c)
		case ')':
			depth--
			if depth == 0 {
				return out
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

func (r *result) parsePDF(data []byte) {
	info := &analysisv1.PDFInfo{Metadata: map[string]string{}}
	r.details.Pdf = info
	if m := rePDFVersion.FindSubmatch(head(data, 1024)); m != nil {
		info.Version = string(m[1])
	}
	objs, truncated := splitPDFObjects(data)
	if truncated {
		r.note("PDF object index truncated at " + itoa(maxPDFObjects))
	}
	info.ObjectCount = int32(len(objs))
	jsRefs := map[int]bool{}
	for _, m := range rePDFJSRef.FindAllSubmatch(data, 1000) {
		n, _ := strconv.Atoi(string(m[1]))
		jsRefs[n] = true
	}
	// scan collects the text searched for keywords: the file plus decoded object streams.
	scan := [][]byte{data}
	decodedBudget := int64(4 * maxPDFDecoded)
	jsCount := 0
	for _, o := range objs {
		if o.stream == nil {
			continue
		}
		info.StreamCount++
		if int(info.StreamCount) > maxPDFStreams {
			continue
		}
		st := &analysisv1.PDFStream{Object: int32(o.num), Filters: pdfFilters(o.dict), RawSize: int64(len(o.stream)), DecodedSize: -1}
		dict := normalizeNames(o.dict)
		switch {
		case jsRefs[o.num] || bytes.Contains(dict, []byte("/JavaScript")) && !bytes.Contains(dict, []byte("/Names")):
			st.Kind = "javascript"
		case bytes.Contains(dict, []byte("/EmbeddedFile")):
			st.Kind = "embedded_file"
		case bytes.Contains(dict, []byte("/ObjStm")):
			st.Kind = "object_stream"
		case bytes.Contains(dict, []byte("/XFA")) || bytes.Contains(dict, []byte("/XDP")):
			st.Kind = "xfa"
		case bytes.Contains(dict, []byte("/Image")):
			st.Kind = "image"
		case bytes.Contains(dict, []byte("/Metadata")):
			st.Kind = "metadata"
		case bytes.Contains(dict, []byte("/FontFile")) || bytes.Contains(dict, []byte("/Length1")):
			st.Kind = "font"
		default:
			st.Kind = "content"
		}
		info.Streams = append(info.Streams, st)
		if st.Kind == "image" || st.Kind == "font" || decodedBudget <= 0 {
			continue
		}
		dec, err := decodePDFStream(o.stream, st.Filters, pdfDecodeParms(o.dict, len(st.Filters)))
		if err != nil {
			st.Error = err.Error()
			if !errors.Is(err, errPDFUnsupported) && len(dec) == 0 {
				continue
			}
		}
		if errors.Is(err, errPDFUnsupported) {
			continue
		}
		st.DecodedSize = int64(len(dec))
		decodedBudget -= int64(len(dec))
		switch st.Kind {
		case "object_stream":
			scan = append(scan, dec)
		case "javascript":
			jsCount++
			r.addArtifact(dec, "object"+itoa(o.num)+".js", "JavaScript in PDF object "+itoa(o.num), "pdf:object "+itoa(o.num), "pdf:"+strings.Join(st.Filters, "+"))
		case "embedded_file":
			name := "object" + itoa(o.num) + ".bin"
			r.addArtifact(dec, name, "file embedded in PDF object "+itoa(o.num), "pdf:object "+itoa(o.num), "pdf:"+strings.Join(st.Filters, "+"))
		default:
			// A content stream is not worth a child unless it holds something identifiable.
			if id := Identify(dec); len(dec) >= 64 && (id.Category == catExecutable || id.Category == catArchive || id.Category == catScript || id.FileType == "ole" || id.FileType == "pdf") {
				r.addArtifact(dec, "object"+itoa(o.num)+".bin", id.Description+" in PDF stream "+itoa(o.num), "pdf:object "+itoa(o.num), "pdf:"+strings.Join(st.Filters, "+"))
			}
		}
	}
	// Inline /JS (string) and /JS <hex> actions, in the file and in object streams.
	for _, buf := range scan {
		for _, loc := range rePDFJSLit.FindAllIndex(buf, 200) {
			js := pdfLiteral(buf[loc[1]:])
			if len(bytes.TrimSpace(js)) > 0 {
				jsCount++
				r.addArtifact(js, "inline"+itoa(jsCount)+".js", "inline JavaScript action in PDF at offset "+itoa(loc[0]), "pdf:/JS literal")
			}
		}
		for _, m := range rePDFJSHex.FindAllSubmatch(buf, 200) {
			if js, err := asciiHexDecode(m[1]); err == nil && len(js) > 0 {
				jsCount++
				r.addArtifact(js, "inline"+itoa(jsCount)+".js", "hex-encoded JavaScript action in PDF", "pdf:/JS hex")
			}
		}
	}
	counts := map[string]int32{}
	obfuscated := ""
	for _, buf := range scan {
		for _, n := range rePDFName.FindAll(buf, 1<<20) {
			name := string(n)
			norm := normalizePDFName(name)
			if norm != name && obfuscated == "" && isKeyword(norm) {
				obfuscated = name + " = " + norm
			}
			if isKeyword(norm) {
				counts[norm]++
			}
		}
		for _, m := range rePDFURI.FindAllSubmatch(buf, 500) {
			if len(info.Uris) < 500 {
				info.Uris = append(info.Uris, strings.ToValidUTF8(string(pdfLiteral(append(append([]byte{}, m[1]...), ')'))), "?"))
			}
		}
		for _, m := range rePDFInfo.FindAllSubmatch(buf, 100) {
			if _, ok := info.Metadata[string(m[1])]; !ok {
				info.Metadata[string(m[1])] = strings.ToValidUTF8(string(pdfLiteral(append(append([]byte{}, m[2]...), ')'))), "?")
			}
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		info.Keywords = append(info.Keywords, &analysisv1.NameCount{Name: k, Count: counts[k]})
	}
	info.Encrypted = counts["/Encrypt"] > 0
	r.pdfFindings(data, info, counts, jsCount, obfuscated)
}

func isKeyword(n string) bool {
	for _, k := range pdfKeywords {
		if k == n {
			return true
		}
	}
	return false
}

func normalizeNames(b []byte) []byte {
	if !bytes.Contains(b, []byte("#")) {
		return b
	}
	return rePDFName.ReplaceAllFunc(b, func(n []byte) []byte { return []byte(normalizePDFName(string(n))) })
}

func (r *result) pdfFindings(data []byte, info *analysisv1.PDFInfo, counts map[string]int32, jsCount int, obfuscated string) {
	at := func(name string) int64 { return int64(bytes.Index(data, []byte(name))) }
	if counts["/JavaScript"]+counts["/JS"] > 0 {
		r.id.hint("pdf:javascript")
		r.add(&analysisv1.Finding{Id: "pdf.javascript", Title: "PDF contains JavaScript", Severity: analysisv1.Severity_SEVERITY_HIGH, Score: 300,
			AttackTechniques: []string{"T1059.007"}, Evidence: "/JavaScript x" + itoa(int(counts["/JavaScript"])) + ", /JS x" + itoa(int(counts["/JS"])) + ", " + itoa(jsCount) + " script(s) extracted", Offset: at("/J"),
			Reason: "JavaScript in PDFs is rare in business documents and is how most PDF exploits start"})
	}
	if counts["/OpenAction"] > 0 || counts["/AA"] > 0 {
		sev, score := analysisv1.Severity_SEVERITY_LOW, int32(80)
		if counts["/JavaScript"]+counts["/JS"]+counts["/Launch"] > 0 {
			sev, score = analysisv1.Severity_SEVERITY_MEDIUM, 200
		}
		r.add(&analysisv1.Finding{Id: "pdf.auto_action", Title: "PDF runs an action when opened", Severity: sev, Score: score,
			AttackTechniques: []string{"T1204.002"}, Evidence: "/OpenAction x" + itoa(int(counts["/OpenAction"])) + ", /AA x" + itoa(int(counts["/AA"])), Offset: max(at("/OpenAction"), at("/AA")),
			Reason: "automatic actions run without a click; scored higher when they can reach JavaScript or Launch"})
	}
	if counts["/Launch"] > 0 {
		r.add(&analysisv1.Finding{Id: "pdf.launch", Title: "PDF launches an external program", Severity: analysisv1.Severity_SEVERITY_HIGH, Score: 400,
			AttackTechniques: []string{"T1204.002", "T1059"}, Evidence: cap200(pdfContext(data, "/Launch")), Offset: at("/Launch"),
			Reason: "/Launch actions start programs or open files, used to drop and run payloads"})
	}
	if counts["/EmbeddedFile"] > 0 {
		r.id.hint("pdf:embedded")
		r.add(&analysisv1.Finding{Id: "pdf.embedded_file", Title: "PDF carries embedded files", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 150,
			AttackTechniques: []string{"T1027.009"}, Evidence: cap200(pdfFileNames(data)), Offset: at("/EmbeddedFile"),
			Reason: "embedded files are a way to smuggle executables and scripts past mail filters"})
	}
	if counts["/SubmitForm"]+counts["/ImportData"]+counts["/GoToR"]+counts["/GoToE"] > 0 {
		r.add(&analysisv1.Finding{Id: "pdf.remote_action", Title: "PDF submits or fetches remote data", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100,
			AttackTechniques: []string{"T1566.001"}, Evidence: "/SubmitForm x" + itoa(int(counts["/SubmitForm"])) + ", /GoToR x" + itoa(int(counts["/GoToR"])), Offset: -1,
			Reason: "form submission and remote go-to actions are used for credential phishing and NTLM leaks"})
	}
	if counts["/XFA"] > 0 {
		r.add(&analysisv1.Finding{Id: "pdf.xfa", Title: "PDF has an XFA form", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 80,
			AttackTechniques: []string{"T1059.007"}, Evidence: "/XFA x" + itoa(int(counts["/XFA"])), Offset: at("/XFA"),
			Reason: "XFA forms can carry scripts and have been an exploit vector"})
	}
	if counts["/RichMedia"]+counts["/JBIG2Decode"] > 0 {
		r.add(&analysisv1.Finding{Id: "pdf.exploit_surface", Title: "PDF uses RichMedia or JBIG2", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 80,
			AttackTechniques: []string{"T1203"}, Evidence: "/RichMedia x" + itoa(int(counts["/RichMedia"])) + ", /JBIG2Decode x" + itoa(int(counts["/JBIG2Decode"])), Offset: -1,
			Reason: "Flash content and JBIG2 images were the targets of several reader exploits"})
	}
	if obfuscated != "" {
		r.add(&analysisv1.Finding{Id: "pdf.name_obfuscation", Title: "PDF hides names with #xx escapes", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250,
			AttackTechniques: []string{"T1027"}, Evidence: cap200(obfuscated), Offset: -1,
			Reason: "escaping letters of /JavaScript or /OpenAction has no purpose except evading keyword scanners"})
	}
	if info.Encrypted {
		r.id.hint("pdf:encrypted")
		r.add(&analysisv1.Finding{Id: "pdf.encrypted", Title: "PDF is encrypted", Severity: analysisv1.Severity_SEVERITY_INFO, Score: 0,
			AttackTechniques: []string{"T1027.013"}, Evidence: "/Encrypt", Offset: at("/Encrypt"),
			Reason: "encryption limits what static analysis can see; context only"})
	}
	if len(info.Uris) > 0 {
		r.add(&analysisv1.Finding{Id: "pdf.uri", Title: itoa(len(info.Uris)) + " link(s) in PDF", Severity: analysisv1.Severity_SEVERITY_INFO, Score: 0,
			Evidence: cap200(info.Uris[0]), Offset: at("/URI"), Reason: "links are context; the network module judges the targets"})
	}
}

func pdfContext(data []byte, name string) string {
	i := bytes.Index(data, []byte(name))
	if i < 0 {
		return name
	}
	return strings.ToValidUTF8(string(data[i:min(len(data), i+120)]), "?")
}

func pdfFileNames(data []byte) string {
	var names []string
	for _, m := range rePDFFName.FindAllSubmatch(data, 20) {
		names = append(names, string(pdfLiteral(append(append([]byte{}, m[1]...), ')'))))
	}
	if len(names) == 0 {
		return "/EmbeddedFile"
	}
	return strings.Join(names, ", ")
}

// pdfObjHeader is where an "N G obj" header starts and ends, and its object number.
type pdfObjHeader struct {
	start, end, num int
}

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// findPDFObjHeaders finds "N G obj" headers by locating each "obj" keyword and reading the two
// numbers backwards; a regular expression with submatches over a multi-megabyte file was the
// slowest part of PDF parsing (and far slower inside WASM).
func findPDFObjHeaders(data []byte) ([]pdfObjHeader, bool) {
	var out []pdfObjHeader
	for p := 0; ; {
		i := bytes.Index(data[p:], []byte("obj"))
		if i < 0 {
			return out, false
		}
		kw := p + i
		p = kw + 3
		if p < len(data) && !isPDFSpace(data[p]) && data[p] != '<' && data[p] != '[' && data[p] != '/' && data[p] != '%' {
			continue // "objx...", e.g. part of a longer word
		}
		// Backwards: spaces, generation digits, spaces, object number digits.
		j := kw - 1
		k := j
		for k >= 0 && kw-k < 64 && isPDFSpace(data[k]) {
			k--
		}
		if k == j {
			continue
		}
		genEnd := k
		for k >= 0 && genEnd-k < 5 && isDigit(data[k]) {
			k--
		}
		if k == genEnd {
			continue
		}
		sp := k
		for k >= 0 && sp-k < 64 && isPDFSpace(data[k]) {
			k--
		}
		if k == sp {
			continue
		}
		numEnd := k
		for k >= 0 && numEnd-k < 10 && isDigit(data[k]) {
			k--
		}
		if k == numEnd || k >= 0 && isDigit(data[k]) {
			continue
		}
		num, _ := strconv.Atoi(string(data[k+1 : numEnd+1]))
		if len(out) >= maxPDFObjects {
			return out, true
		}
		out = append(out, pdfObjHeader{start: k + 1, end: kw + 3, num: num})
	}
}
