package compilecache

import (
	"io/fs"
	"syscall"
	"time"
)

// accessTime is info's access time, from the stat the walk already made.
func accessTime(info fs.FileInfo) (time.Time, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(st.Atim.Sec, st.Atim.Nsec), true
}
