package fileprocessor

// Caps that bound the work done on one sample. A guest cannot be preempted, so every loop over
// attacker-controlled counts is bounded by one of these.
const (
	maxIdentifyMembers = 2000             // zip central-directory names read for identification
	maxTextSniff       = 64 << 10         // bytes of text inspected to guess a language
	maxJSONValidate    = 16 << 20         // bytes of a JSON candidate validated in full
	maxSections        = 256              // sections reported per executable
	maxImports         = 4096             // imported functions reported per PE
	maxExports         = 4096             // exported names reported per PE
	maxResources       = 4096             // resource leaves walked per PE
	maxLibraries       = 512              // libraries reported per ELF / Mach-O
	maxLoadCommands    = 4096             // Mach-O load commands walked
	maxMembers         = 1000             // archive members listed
	maxArtifacts       = 200              // children returned per sample
	maxArtifactBytes   = 32 << 20         // bytes of one extracted child
	maxTotalExtracted  = 128 << 20        // bytes of all children of one sample
	maxRatio           = 200              // uncompressed/compressed ratio that marks a bomb
	maxNestingDepth    = 8                // request depth beyond which containers are not opened
	maxPDFObjects      = 100000           // PDF objects indexed
	maxPDFStreams      = 2000             // PDF streams decoded
	maxPDFDecoded      = 16 << 20         // bytes one PDF stream may decode to
	maxCFBSectors      = 1 << 20          // sectors followed in an OLE chain
	maxCFBEntries      = 65536            // OLE directory entries
	maxVBAModules      = 256              // VBA modules decompressed
	maxStringsDefault  = 2000             // strings returned unless the request says otherwise
	maxStringsHard     = 100000           // strings returned at most
	maxIndicators      = 200              // script indicators reported
	maxFindingEvidence = 200              // characters of evidence kept per finding
	maxScanBytes       = int64(256 << 20) // bytes of a sample inspected at all
	entropyExactBytes  = 2 << 20          // regions up to this size get an exact entropy
	entropyWindow      = 64 << 10         // larger regions: window size ...
	entropyWindows     = 16               // ... and window count of the estimate
)
