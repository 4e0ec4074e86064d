//go:build !linux

package compilecache

import (
	"io/fs"
	"time"
)

// accessTime is not read off Linux: recency is then the modification time alone.
func accessTime(fs.FileInfo) (time.Time, bool) { return time.Time{}, false }
