package orchestrator

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
)

// maxRulesBytes bounds the user rulesets passed to the pattern-matcher with every call.
const maxRulesBytes = 16 << 20

// rulesDir holds the user YARA rulesets. It rereads the directory at most once a second, so a
// changed ruleset is picked up (and changes the pipeline version) without a restart.
type rulesDir struct {
	dir string

	mu      sync.Mutex
	checked time.Time
	stamp   string
	res     []*modulev1.Resource
	hash    string
}

func (d *rulesDir) load(log *slog.Logger) ([]*modulev1.Resource, string) {
	if d.dir == "" {
		return nil, "none"
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if time.Since(d.checked) < time.Second && d.hash != "" {
		return d.res, d.hash
	}
	d.checked = time.Now()
	var files []string
	_ = filepath.WalkDir(d.dir, func(path string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && (strings.HasSuffix(path, ".yar") || strings.HasSuffix(path, ".yara")) {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	var stamp strings.Builder
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			stamp.WriteString(f + "|" + st.ModTime().String() + "|" + st.Name() + "\n")
		}
	}
	if stamp.String() == d.stamp && d.hash != "" {
		return d.res, d.hash
	}
	h := sha256.New()
	var res []*modulev1.Resource
	total := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			log.Warn("skip ruleset", "file", f, "error", err)
			continue
		}
		if total+len(b) > maxRulesBytes {
			log.Warn("skip ruleset: user rules exceed the size limit", "file", f, "limit", maxRulesBytes)
			continue
		}
		total += len(b)
		rel, _ := filepath.Rel(d.dir, f)
		res = append(res, &modulev1.Resource{Name: "rules/" + filepath.ToSlash(rel), Data: b})
		h.Write([]byte(rel))
		h.Write(b)
	}
	d.stamp, d.res, d.hash = stamp.String(), res, hex.EncodeToString(h.Sum(nil))[:16]
	return d.res, d.hash
}
