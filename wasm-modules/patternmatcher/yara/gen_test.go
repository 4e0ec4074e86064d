package yara

import (
	"fmt"
	"strings"
)

// generatedRules returns combinatorial rules: every word with every modifier set and a rotating
// condition, plus regex and hex forms of the same words.
func generatedRules() string {
	words := []string{"hello", "world", "quick", "VirtualAlloc", "program", "eval", "powershell",
		"This program cannot be run", "line", "bar", "foo", "abc", "secret key", "Kernel32.dll", "EICAR"}
	mods := []string{"", "nocase", "wide", "wide ascii", "fullword", "nocase fullword", "xor", "base64", "wide nocase", "xor(1-40)"}
	conds := []string{"$a", "#a >= 2", "$a in (0..50)", "not $a", "@a[1] > 10", "#a == 1"}
	var b strings.Builder
	n := 0
	for wi, w := range words {
		for mi, m := range mods {
			if strings.HasPrefix(m, "base64") && len(w) < 4 {
				continue
			}
			fmt.Fprintf(&b, "rule gen_t_%d_%d { strings: $a = %q %s condition: %s }\n", wi, mi, w, m, conds[n%len(conds)])
			n++
		}
		re := strings.Replace(w, "o", "[o0]", -1)
		re = strings.Replace(re, ".", "\\.", -1)
		fmt.Fprintf(&b, "rule gen_r_%d { strings: $a = /%s/ condition: $a }\n", wi, re)
		fmt.Fprintf(&b, "rule gen_ri_%d { strings: $a = /%s/i condition: #a > 1 }\n", wi, re)
		var hx []string
		for i := 0; i < len(w); i++ {
			if i%3 == 1 {
				hx = append(hx, "??")
			} else {
				hx = append(hx, fmt.Sprintf("%02X", w[i]))
			}
		}
		fmt.Fprintf(&b, "rule gen_h_%d { strings: $a = { %s } condition: $a }\n", wi, strings.Join(hx, " "))
	}
	return b.String()
}
