package analysisengine

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/athena-mesh/athena/internal/windowfilter"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	"github.com/athena-mesh/athena/wasm-modules/internal/ascii"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

// A term is one piece of evidence a rule looks for:
//
//	imp:Name   an imported function (A/W and Ex suffix variants match: imp:RegSetValue matches
//	           RegSetValueExA), case-insensitive
//	str:text   a string in the file or recovered from the stack, case-insensitive substring
//	code:kind  a disassembly marker (peb_access, int_2d, rdtsc, cpuid_hypervisor, api_hash_loop,
//	           keyboard_hook)
type term = string

// variant is one way to show a capability: every group must have at least one matching term.
type variant struct {
	groups [][]term
	attack []string
}

// capabilityRule is a row of the declarative capability table.
type capabilityRule struct {
	name     string // capability id; the finding id is capability.<name>
	title    string
	severity analysisv1.Severity
	score    int32
	variants []variant
	reason   string
}

// capabilityRules is the capability table. Adding a capability is adding a row.
var capabilityRules = []capabilityRule{
	{
		name: "process_injection", title: "Injects code into another process",
		severity: analysisv1.Severity_SEVERITY_HIGH, score: 700,
		reason: "allocating and writing memory in another process and starting it there is code injection",
		variants: []variant{
			{groups: [][]term{{"imp:VirtualAllocEx", "imp:NtAllocateVirtualMemory", "imp:ZwAllocateVirtualMemory"}, {"imp:WriteProcessMemory", "imp:NtWriteVirtualMemory"}, {"imp:CreateRemoteThread", "imp:NtCreateThreadEx", "imp:RtlCreateUserThread"}}, attack: []string{"T1055", "T1055.002"}},
			{groups: [][]term{{"imp:QueueUserAPC", "imp:NtQueueApcThread"}, {"imp:WriteProcessMemory", "imp:NtWriteVirtualMemory"}}, attack: []string{"T1055", "T1055.004"}},
			{groups: [][]term{{"imp:SetThreadContext", "imp:NtSetContextThread"}, {"imp:WriteProcessMemory", "imp:NtWriteVirtualMemory"}, {"imp:ResumeThread", "imp:NtResumeThread"}}, attack: []string{"T1055", "T1055.012"}},
			{groups: [][]term{{"imp:NtMapViewOfSection", "imp:ZwMapViewOfSection"}, {"imp:NtCreateSection", "imp:ZwCreateSection", "imp:CreateFileMapping"}, {"imp:OpenProcess", "imp:CreateProcess", "imp:NtOpenProcess"}}, attack: []string{"T1055"}},
		},
	},
	{
		name: "keylogging", title: "Captures keystrokes",
		severity: analysisv1.Severity_SEVERITY_HIGH, score: 650,
		reason: "a low-level keyboard hook or key-state polling loop records what the user types",
		variants: []variant{
			{groups: [][]term{{"code:keyboard_hook"}}, attack: []string{"T1056.001"}},
			{groups: [][]term{{"imp:SetWindowsHookEx"}, {"imp:CallNextHookEx", "imp:GetKeyboardState", "imp:ToAscii", "imp:ToUnicode", "imp:MapVirtualKey", "imp:GetMessage"}}, attack: []string{"T1056.001"}},
			{groups: [][]term{{"imp:GetAsyncKeyState"}, {"imp:GetForegroundWindow", "imp:GetKeyState", "imp:MapVirtualKey", "imp:GetWindowText"}}, attack: []string{"T1056.001"}},
			{groups: [][]term{{"imp:GetRawInputData"}, {"imp:RegisterRawInputDevices"}}, attack: []string{"T1056.001"}},
		},
	},
	{
		name: "anti_debugging", title: "Detects a debugger",
		severity: analysisv1.Severity_SEVERITY_MEDIUM, score: 350,
		reason: "malware checks for a debugger to hide its behaviour from analysts",
		variants: []variant{
			{groups: [][]term{{"imp:IsDebuggerPresent", "imp:CheckRemoteDebuggerPresent", "imp:NtSetInformationThread", "imp:OutputDebugString", "code:peb_access", "code:int_2d"}}, attack: []string{"T1622"}},
			{groups: [][]term{{"imp:NtQueryInformationProcess", "imp:ZwQueryInformationProcess"}, {"imp:GetCurrentProcess", "str:ProcessDebugPort"}}, attack: []string{"T1622"}},
		},
	},
	{
		name: "anti_vm", title: "Detects virtual machines or sandboxes",
		severity: analysisv1.Severity_SEVERITY_MEDIUM, score: 300,
		reason: "checks for hypervisors, VM artifacts and timing differences are sandbox evasion",
		variants: []variant{
			{groups: [][]term{{"code:cpuid_hypervisor", "str:vmware", "str:vboxservice", "str:vboxguest", "str:qemu-ga", "str:sbiedll.dll", "str:VBOX HARDDISK"}}, attack: []string{"T1497.001"}},
			{groups: [][]term{{"code:rdtsc"}, {"code:cpuid", "code:cpuid_hypervisor", "imp:GetTickCount", "imp:QueryPerformanceCounter"}}, attack: []string{"T1497.003"}},
		},
	},
	{
		name: "persistence", title: "Installs itself to survive a reboot",
		severity: analysisv1.Severity_SEVERITY_HIGH, score: 600,
		reason: "autostart registry values, services and scheduled tasks restart the program at boot or logon",
		variants: []variant{
			{groups: [][]term{{"imp:RegSetValue", "imp:RegCreateKey", "imp:RegOpenKey", "imp:SHSetValue", "str:reg add"}, {`str:\CurrentVersion\Run`, `str:\Winlogon`}}, attack: []string{"T1547.001"}},
			{groups: [][]term{{"imp:CreateService"}, {"imp:OpenSCManager"}}, attack: []string{"T1543.003"}},
			{groups: [][]term{{"str:schtasks", "str:ITaskService", "str:Schedule.Service"}}, attack: []string{"T1053.005"}},
			{groups: [][]term{{`str:\Start Menu\Programs\Startup`}}, attack: []string{"T1547.001"}},
		},
	},
	{
		name: "credential_access", title: "Reads stored credentials",
		severity: analysisv1.Severity_SEVERITY_HIGH, score: 750,
		reason: "dumping LSASS memory, the SAM hive or browser secrets yields passwords and hashes",
		variants: []variant{
			{groups: [][]term{{"str:lsass.exe", "str:lsass"}, {"imp:MiniDumpWriteDump", "imp:ReadProcessMemory", "imp:OpenProcess"}}, attack: []string{"T1003.001"}},
			{groups: [][]term{{`str:\SAM`, `str:SAM\SAM\Domains`}, {"imp:RegSaveKey", "imp:RegOpenKey", "str:reg save"}}, attack: []string{"T1003.002"}},
			{groups: [][]term{{"imp:CryptUnprotectData"}, {"str:Login Data", "str:logins.json", "str:Cookies"}}, attack: []string{"T1555.003"}},
			{groups: [][]term{{"imp:CredEnumerate", "imp:CredRead"}}, attack: []string{"T1555.004"}},
		},
	},
	{
		name: "network", title: "Talks to the network",
		severity: analysisv1.Severity_SEVERITY_LOW, score: 150,
		reason: "network APIs let the program reach a command-and-control server or fetch payloads",
		variants: []variant{
			{groups: [][]term{{"imp:InternetOpen", "imp:InternetOpenUrl", "imp:InternetConnect", "imp:HttpSendRequest", "imp:HttpOpenRequest", "imp:WinHttpOpen", "imp:WinHttpSendRequest", "imp:WinHttpConnect"}}, attack: []string{"T1071.001"}},
			{groups: [][]term{{"imp:URLDownloadToFile", "imp:URLDownloadToCacheFile"}}, attack: []string{"T1105"}},
			{groups: [][]term{{"imp:WSAStartup", "imp:socket", "imp:connect", "imp:WSAConnect"}, {"imp:send", "imp:recv", "imp:WSASend", "imp:WSARecv", "imp:connect"}}, attack: []string{"T1095"}},
		},
	},
	{
		name: "crypto_api", title: "Uses the Windows cryptography API",
		severity: analysisv1.Severity_SEVERITY_INFO, score: 50,
		reason: "encryption is used by ransomware and to hide configuration or traffic",
		variants: []variant{
			{groups: [][]term{{"imp:CryptEncrypt", "imp:CryptDecrypt", "imp:CryptGenKey", "imp:CryptImportKey", "imp:CryptDeriveKey", "imp:BCryptEncrypt", "imp:BCryptDecrypt", "imp:BCryptGenerateSymmetricKey"}}, attack: []string{"T1027.013"}},
		},
	},
	{
		name: "privilege_escalation", title: "Raises its privileges",
		severity: analysisv1.Severity_SEVERITY_MEDIUM, score: 400,
		reason: "enabling SeDebugPrivilege, stealing tokens or bypassing UAC gives the program more rights than it was started with",
		variants: []variant{
			{groups: [][]term{{"imp:AdjustTokenPrivileges"}, {"imp:LookupPrivilegeValue", "str:SeDebugPrivilege"}}, attack: []string{"T1134"}},
			{groups: [][]term{{"imp:DuplicateTokenEx", "imp:ImpersonateLoggedOnUser"}, {"imp:CreateProcessWithToken", "imp:CreateProcessAsUser", "imp:SetThreadToken"}}, attack: []string{"T1134.001"}},
			{groups: [][]term{{"str:fodhelper.exe", "str:eventvwr.exe", `str:ms-settings\shell\open\command`, "str:computerdefaults.exe"}}, attack: []string{"T1548.002"}},
		},
	},
	{
		name: "self_deletion", title: "Deletes its own file",
		severity: analysisv1.Severity_SEVERITY_MEDIUM, score: 350,
		reason: "deleting the executable after it ran removes evidence",
		variants: []variant{
			{groups: [][]term{{"imp:GetModuleFileName"}, {"str:/c del ", "str:del /f", "str:del \"", "str:ping 127.0.0.1 -n", "str:choice /c"}, {"imp:CreateProcess", "imp:ShellExecute", "imp:WinExec", "imp:system"}}, attack: []string{"T1070.004"}},
			{groups: [][]term{{"imp:GetModuleFileName"}, {"imp:MoveFileEx"}, {"imp:DeleteFile"}}, attack: []string{"T1070.004"}},
		},
	},
	{
		name: "ransomware", title: "Shows ransomware traits",
		severity: analysisv1.Severity_SEVERITY_CRITICAL, score: 900,
		reason: "encrypting enumerated files and deleting shadow copies is what ransomware does",
		variants: []variant{
			{groups: [][]term{{"imp:CryptEncrypt", "imp:BCryptEncrypt", "imp:CryptGenKey", "imp:CryptImportKey"}, {"imp:FindFirstFile", "imp:FindNextFile"}, {"str:vssadmin", "str:shadowcopy", "str:recoveryenabled", "str:wbadmin", "str:your files", "str:decrypt"}}, attack: []string{"T1486", "T1490"}},
		},
	},
	{
		name: "api_hashing", title: "Resolves APIs by hash",
		severity: analysisv1.Severity_SEVERITY_MEDIUM, score: 400,
		reason: "a rotate-and-add loop over names resolves functions without importing them, hiding intent from import analysis",
		variants: []variant{
			{groups: [][]term{{"code:api_hash_loop"}}, attack: []string{"T1027.007", "T1106"}},
		},
	},
}

// evidence is what the rules are matched against.
type evidence struct {
	imports map[string]string // normalized name -> as imported
	// joined is the lower-cased strings, each followed by a NUL (which no string or term
	// contains), and starts[i] is where string i begins in it. The first string holding each
	// of the table's str: terms is found in one pass over joined (hits), instead of a
	// strings.Contains per string and term: thousands of each, 10 ms and more inside WASM.
	joined   string
	starts   []int
	hits     map[string]int // lower-cased term -> offset of its first match in joined, or -1
	original []string
	code     map[string]int
}

func newEvidence(imports, strs []string, code map[string]int) *evidence {
	e := &evidence{imports: map[string]string{}, code: code, original: strs, starts: make([]int, 0, len(strs))}
	for _, i := range imports {
		e.imports[normalizeImport(i)] = i
	}
	n := 0
	for _, s := range strs {
		n += len(s) + 1
	}
	joined := make([]byte, 0, n)
	for _, s := range strs {
		e.starts = append(e.starts, len(joined))
		joined = append(joined, s...)
		joined = append(joined, 0)
	}
	// Lowered in one pass: the strings of an executable are ASCII, whose lowering keeps every
	// byte in place (a call per string cost the module 7% of its time inside WASM).
	// strings.ToLower may change a non-ASCII string's length: then string by string.
	if !ascii.Lower(joined) {
		joined, e.starts = joined[:0], e.starts[:0]
		for _, s := range strs {
			e.starts = append(e.starts, len(joined))
			joined = appendLower(joined, s)
			joined = append(joined, 0)
		}
	}
	e.joined = unsafe.String(unsafe.SliceData(joined), len(joined)) // joined is not written again: no copy
	return e
}

// appendLower appends strings.ToLower(s) to b, ASCII in place and eight bytes at a time:
// ToLower allocates a string for each of thousands of strings.
func appendLower(b []byte, s string) []byte {
	out, isASCII := ascii.AppendLower(b, s)
	if !isASCII {
		return append(b, strings.ToLower(s)...)
	}
	return out
}

// firstString returns the index of the first string containing v (lower-cased, without NUL),
// or -1.
func (e *evidence) firstString(v string) int {
	if e.hits == nil {
		e.hits = tableIndex().first(e.joined)
	}
	at, ok := e.hits[v]
	if !ok {
		at = strings.Index(e.joined, v) // a term not in the table (tests)
	}
	if at < 0 || len(e.starts) == 0 {
		return -1
	}
	// The last string starting at or before the match holds it: a match cannot cross a NUL.
	i, found := slices.BinarySearch(e.starts, at)
	if !found {
		i--
	}
	return i
}

// normalizeImport folds the A/W and Ex/ExA/ExW spellings of a Windows API to one name.
func normalizeImport(name string) string {
	n := strings.ToLower(name)
	n = strings.TrimPrefix(n, "_")
	for _, suf := range []string{"exa", "exw", "ex", "a", "w"} {
		if strings.HasSuffix(n, suf) && len(n) > len(suf)+3 {
			return strings.TrimSuffix(n, suf)
		}
	}
	return n
}

// match returns a description of the evidence for t, or "".
func (e *evidence) match(t term) string {
	kind, value, _ := strings.Cut(t, ":")
	switch kind {
	case "imp":
		if orig, ok := e.imports[normalizeImport(value)]; ok {
			return "imports " + orig
		}
	case "str":
		if i := e.firstString(strings.ToLower(value)); i >= 0 {
			return "string " + quoteShort(e.original[i])
		}
	case "code":
		if n := e.code[value]; n > 0 {
			return "code " + value
		}
	}
	return ""
}

// tableTerms returns the str: terms of the capability table, lower-cased.
func tableTerms() []string {
	var terms []string
	for _, r := range capabilityRules {
		for _, v := range r.variants {
			for _, g := range v.groups {
				for _, t := range g {
					if kind, value, _ := strings.Cut(t, ":"); kind == "str" && value != "" {
						terms = append(terms, strings.ToLower(value))
					}
				}
			}
		}
	}
	return terms
}

// firstMatches returns, for each term, the offset of its first match in s, or -1.
func firstMatches(s string, terms []string) map[string]int { return newTermIndex(terms).first(s) }

// tableIndex is the index of the capability table's str: terms, built once per instance: a
// pooled guest analyzes many samples, and building it is a quarter of the search inside WASM.
var tableIndex = sync.OnceValue(func() *termIndex { return newTermIndex(tableTerms()) })

// termIndex finds the first match of each of a set of terms in one pass, comparing at each
// byte only the terms that start with it, last byte first. The state is in slices, not maps:
// inside WASM a map lookup per candidate cost more than the strings.Contains calls this
// replaces.
type termIndex struct {
	uniq    []string
	byFirst [256][]int32 // first byte -> indexes into uniq
	// starts has the bit of every two bytes a term begins with (of every second byte after a
	// one-byte term's): most positions are rejected with one bit test.
	starts [256 * 256 / 64]uint64
	// filter has the first four bytes of every term, when no term is shorter: the host probes
	// it at every position (athena.window_filter) and only the positions where a term may
	// begin are compared here. Inside WASM the byte loop of first cost 15 ns a byte, 2.5 ms on
	// the strings of a 1.6 MB Go binary. Nil when a term is shorter than four bytes.
	filter *windowfilter.Filter
}

func newTermIndex(terms []string) *termIndex {
	x := &termIndex{filter: new(windowfilter.Filter)}
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		if t != "" && !seen[t] {
			seen[t] = true
			x.byFirst[t[0]] = append(x.byFirst[t[0]], int32(len(x.uniq)))
			x.uniq = append(x.uniq, t)
			for c := range 256 {
				if len(t) == 1 || t[1] == byte(c) {
					k := int(t[0])<<8 | c
					x.starts[k/64] |= 1 << (k % 64)
				}
			}
			if len(t) < 4 {
				x.filter = nil
			} else if x.filter != nil {
				x.filter.AddWindow(binary.BigEndian.Uint32([]byte(t[:4])))
			}
		}
	}
	return x
}

// first returns, for each term, the offset of its first match in s, or -1.
func (x *termIndex) first(s string) map[string]int {
	at := make([]int, len(x.uniq))
	for k := range at {
		at[k] = -1
	}
	left := len(x.uniq)
	if x.filter != nil {
		// Every term is at least four bytes long: a match at i ends a window at i+3 that passes.
		if len(s) >= 4 {
			guest.WindowFilter(x.filter, unsafe.Slice(unsafe.StringData(s), len(s)), 3, len(s), func(base int, mask uint32) {
				for ; mask != 0 && left > 0; mask &= mask - 1 {
					i := base + bits.TrailingZeros32(mask) - 3
					for _, k := range x.byFirst[s[i]] {
						t := x.uniq[k]
						if at[k] < 0 && len(s)-i >= len(t) && s[i:i+len(t)] == t {
							at[k] = i
							left--
						}
					}
				}
			})
		}
		left = 0
	}
	for i := 0; i < len(s) && left > 0; i++ {
		if i+1 < len(s) {
			if k := int(s[i])<<8 | int(s[i+1]); x.starts[k/64]&(1<<(k%64)) == 0 {
				continue
			}
		}
		for _, k := range x.byFirst[s[i]] {
			t := x.uniq[k]
			if at[k] < 0 && len(s)-i >= len(t) && s[i+len(t)-1] == t[len(t)-1] && s[i:i+len(t)] == t {
				at[k] = i
				left--
			}
		}
	}
	hits := make(map[string]int, len(x.uniq))
	for k, t := range x.uniq {
		hits[t] = at[k]
	}
	return hits
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "\"" + s + "\""
}

// capabilityMatch is a matched capability.
type capabilityMatch struct {
	rule     *capabilityRule
	attack   []string
	evidence []string
}

// detect evaluates the table.
func detect(e *evidence) []capabilityMatch {
	var out []capabilityMatch
	for i := range capabilityRules {
		r := &capabilityRules[i]
		var m *capabilityMatch
		for _, v := range r.variants {
			ev, ok := matchVariant(e, v)
			if !ok {
				continue
			}
			if m == nil {
				m = &capabilityMatch{rule: r}
			}
			for _, a := range v.attack {
				m.attack = appendUnique(m.attack, a)
			}
			for _, x := range ev {
				m.evidence = appendUnique(m.evidence, x)
			}
		}
		if m != nil {
			out = append(out, *m)
		}
	}
	return out
}

func matchVariant(e *evidence, v variant) ([]string, bool) {
	var ev []string
	for _, g := range v.groups {
		found := ""
		for _, t := range g {
			if found = e.match(t); found != "" {
				break
			}
		}
		if found == "" {
			return nil, false
		}
		ev = append(ev, found)
	}
	return ev, true
}
