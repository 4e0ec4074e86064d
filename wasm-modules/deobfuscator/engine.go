package deobfuscator

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"time"
)

// Limits bound the speculative search. Inside a wasip1 guest nothing preempts a busy loop, so
// every one of these is checked by counting, and the deadline by an occasional time.Now().
type Limits struct {
	// MaxDepth is the deepest layer decoded.
	MaxDepth int
	// MaxLayerBytes caps one decoded layer (a decompression bomb yields this much).
	MaxLayerBytes int
	// MaxWorkBytes caps the bytes fed to decoders over the whole search.
	MaxWorkBytes int64
	// MaxCandidates caps decode attempts per layer.
	MaxCandidates int
	// MaxLayers caps the layers kept.
	MaxLayers int
	// MaxArtifacts caps the layers returned as artifacts.
	MaxArtifacts int
	// MinRun is the shortest encoded run (base64, hex, base32) worth decoding.
	MinRun int
}

// DefaultLimits returns the module's limits.
func DefaultLimits() Limits {
	return Limits{MaxDepth: 16, MaxLayerBytes: 32 << 20, MaxWorkBytes: 512 << 20, MaxCandidates: 64,
		MaxLayers: 256, MaxArtifacts: 24, MinRun: 16}
}

// keepScore is the score a decoded candidate needs to become a layer.
const keepScore = 0.55

// Layer is one decoded layer.
type Layer struct {
	Data       []byte
	Provenance []string
	Depth      int
	// Parent is the index of the layer it was decoded from; -1 for the sample.
	Parent int
	// Offset is where the encoded input started in the parent.
	Offset int64
	Score  float64
	Kind   string
	// Via names the construct that carried the layer, e.g. "powershell -EncodedCommand".
	Via      string
	Artifact bool
	children int
	whole    bool
}

// Result is the outcome of a search.
type Result struct {
	Layers          []*Layer
	BudgetExhausted bool
	Candidates      int64
	WorkBytes       int64
	MaxDepth        int
	Notes           []string
}

type engine struct {
	lim      Limits
	res      *Result
	seen     map[[32]byte]bool
	deadline time.Time
	// onLayer is called for each kept layer as it is found (streaming).
	onLayer func(*Layer)
	steps   int
	stop    bool
	re      *regexes
}

// regexes are compiled once per Module (a pooled WASM instance serves many calls; compiling
// them costs several milliseconds inside the guest) and are read-only afterwards. They are not
// package globals so the package has no state of its own.
type regexes struct {
	psEnc, fromCharCode, psChars, join, psJoin, format, replace, intList, quoted, charCast, number, hexList *regexp.Regexp
}

func compileRegexes() *regexes {
	return &regexes{
		psEnc:        regexp.MustCompile(`(?i)(?:^|\s)[-/]e(?:n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?)?)?)?)?)?|c)?\s+["']?([A-Za-z0-9+/]{16,}={0,2})`),
		fromCharCode: regexp.MustCompile(`(?i)String\s*\.\s*fromCharCode\s*\(\s*([0-9xa-fA-F+\-^\s,()]+?)\s*\)`),
		psChars:      regexp.MustCompile(`(?i)\[char\[\]\]\s*\(\s*([0-9x,\s]+?)\s*\)\s*-join\s*(?:''|"")`),
		join:         regexp.MustCompile(`\[\s*((?:'[^'\n]*'|"[^"\n]*")(?:\s*,\s*(?:'[^'\n]*'|"[^"\n]*"))*)\s*\]\s*\.\s*join\s*\(\s*(?:''|"")\s*\)`),
		psJoin:       regexp.MustCompile(`(?i)\(?\s*((?:'[^'\n]*'|"[^"\n]*")(?:\s*,\s*(?:'[^'\n]*'|"[^"\n]*"))+)\s*\)?\s*-join\s*(?:''|"")`),
		format:       regexp.MustCompile(`(?i)\(\s*("[^"\n]*"|'[^'\n]*')\s*-f\s*((?:'[^'\n]*'|"[^"\n]*")(?:\s*,\s*(?:'[^'\n]*'|"[^"\n]*"))*)\s*\)`),
		replace:      regexp.MustCompile(`(?i)\(?\s*('[^'\n]*'|"[^"\n]*")\s*\)?\s*-c?replace\s*\(?\s*('[^'\n]*'|"[^"\n]*")\s*,\s*('[^'\n]*'|"[^"\n]*")\s*\)?`),
		intList:      regexp.MustCompile(`(?:\d{1,3}\s*,\s*){7,}\d{1,3}`),
		quoted:       regexp.MustCompile(`'[^'\n]{0,1000}'|"[^"\n]{0,1000}"`),
		charCast:     regexp.MustCompile(`(?i)\[char\]\s*\(?\s*(0x[0-9a-f]+|\d+)\s*\)?(?:\s*\+\s*\[char\]\s*\(?\s*(?:0x[0-9a-f]+|\d+)\s*\)?)+`),
		number:       regexp.MustCompile(`(?i)0x[0-9a-f]+|\d+`),
		hexList:      regexp.MustCompile(`(?:0[xX][0-9a-fA-F]{2}\s*,\s*){7,}0[xX][0-9a-fA-F]{2}`),
	}
}

// Search runs the speculative decoder over content.
func Search(content []byte, lim Limits, deadline time.Time, onLayer func(*Layer)) *Result {
	return search(content, lim, deadline, onLayer, nil)
}

// search is Search with the regular expressions compiled already, or compiled here when re is
// nil and the content is worth it.
func search(content []byte, lim Limits, deadline time.Time, onLayer func(*Layer), re *regexes) *Result {
	e := &engine{lim: lim, res: &Result{}, seen: map[[32]byte]bool{}, deadline: deadline, onLayer: onLayer, re: re}
	if !worthLooking(content, lim.MinRun) {
		return e.res
	}
	e.seen[sha256.Sum256(content)] = true
	if e.re == nil {
		e.re = compileRegexes()
	}
	e.expand(content, -1, 0)
	e.pickArtifacts()
	return e.res
}

// tick counts work and checks the deadline every 32 steps.
func (e *engine) tick(n int) bool {
	if e.stop {
		return false
	}
	e.res.WorkBytes += int64(n)
	e.res.Candidates++
	if e.res.WorkBytes > e.lim.MaxWorkBytes {
		e.halt("work budget of %d bytes reached", e.lim.MaxWorkBytes)
		return false
	}
	e.steps++
	if e.steps%32 == 0 && !e.deadline.IsZero() && time.Now().After(e.deadline) {
		e.halt("deadline reached")
		return false
	}
	return true
}

func (e *engine) halt(format string, args ...any) {
	if !e.stop {
		e.res.Notes = append(e.res.Notes, fmt.Sprintf(format, args...))
	}
	e.stop = true
	e.res.BudgetExhausted = true
}

// candidate is one decoded span of a layer.
type candidate struct {
	offset     int
	provenance []string
	data       []byte
	via        string
	whole      bool
}

// expand decodes the candidates of one layer and recurses into the ones worth keeping.
func (e *engine) expand(data []byte, parent, depth int) {
	if e.stop {
		return
	}
	if depth >= e.lim.MaxDepth {
		if len(e.candidates(data, depth, 1)) > 0 {
			e.halt("depth budget of %d layers reached", e.lim.MaxDepth)
		}
		return
	}
	cands := e.candidates(data, depth, e.lim.MaxCandidates)
	inEntropy := entropy(data)
	for _, c := range cands {
		if e.stop {
			return
		}
		c.data, c.provenance = e.finish(c.data, c.provenance)
		if len(c.data) < 4 {
			continue
		}
		h := sha256.Sum256(c.data)
		if e.seen[h] {
			continue
		}
		e.seen[h] = true
		s := score(c.data, inEntropy)
		binaryFollowUp := magicKind(c.data) == "" && textScore(c.data[:min(len(c.data), 4096)]) < 0.8
		if s < keepScore && !(binaryFollowUp && len(c.data) >= 16 && e.binaryDecodes(c.data)) {
			continue
		}
		if len(e.res.Layers) >= e.lim.MaxLayers {
			e.halt("layer budget of %d reached", e.lim.MaxLayers)
			return
		}
		prov := c.provenance
		if parent >= 0 {
			prov = append(append([]string{}, e.res.Layers[parent].Provenance...), c.provenance...)
		}
		l := &Layer{Data: c.data, Provenance: prov, Depth: depth + 1, Parent: parent, Offset: int64(c.offset),
			Score: s, Kind: classify(c.data), Via: c.via, whole: c.whole}
		idx := len(e.res.Layers)
		e.res.Layers = append(e.res.Layers, l)
		if parent >= 0 {
			e.res.Layers[parent].children++
		}
		e.res.MaxDepth = max(e.res.MaxDepth, l.Depth)
		if e.onLayer != nil {
			e.onLayer(l)
		}
		e.expand(c.data, idx, depth+1)
	}
}

// binaryDecodes reports whether a binary candidate yields anything to the binary decoders;
// only then is it worth keeping as an intermediate layer.
func (e *engine) binaryDecodes(data []byte) bool {
	n := 0
	e.binaryCandidates(data, 1, func(candidate) bool { n++; return false })
	return n > 0
}

// finish applies the cheap deterministic steps that always follow a decode: UTF-16LE text and
// compressed streams are unwrapped in the same layer, so provenance reads base64, gzip, utf16le.
func (e *engine) finish(data []byte, prov []string) ([]byte, []string) {
	for i := 0; i < 4; i++ {
		switch magicKind(data) {
		case "gzip", "zlib":
			kind := magicKind(data)
			if !e.tick(len(data)) {
				return data, prov
			}
			out, truncated, err := inflate(data, kind, e.lim.MaxLayerBytes)
			if err != nil || len(out) == 0 {
				return data, prov
			}
			if truncated {
				e.res.Notes = append(e.res.Notes, fmt.Sprintf("%s layer truncated at %d bytes", kind, e.lim.MaxLayerBytes))
			}
			data, prov = out, append(prov, kind)
			continue
		}
		if u, ok := utf16LE(data); ok {
			data, prov = u, append(prov, "utf16le")
			continue
		}
		break
	}
	return data, prov
}

// pickArtifacts marks the layers returned as artifacts: the final layers of each chain and
// intermediate layers that are files or scripts in their own right, best first, capped.
func (e *engine) pickArtifacts() {
	n := 0
	for _, l := range e.res.Layers {
		if n >= e.lim.MaxArtifacts {
			e.res.Notes = append(e.res.Notes, fmt.Sprintf("artifact cap of %d reached", e.lim.MaxArtifacts))
			return
		}
		interesting := false
		switch l.Kind {
		case "pe", "elf", "macho", "zip", "ole", "pdf", "7z", "rar", "wasm", "png":
			interesting = true
		case "powershell", "javascript", "vbscript", "html", "batch":
			interesting = !l.whole
		case "binary", "gzip", "zlib":
			interesting = false
		}
		leaf := l.children == 0 && l.Kind != "binary" && len(l.Data) >= 8
		if leaf || interesting {
			l.Artifact = true
			n++
		}
	}
}
