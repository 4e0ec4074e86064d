package ai

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3/shared"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// Kind selects the wire protocol and client of a provider.
type Kind string

// Provider kinds.
const (
	// KindAnthropic talks to the Anthropic Messages API.
	KindAnthropic Kind = "anthropic"
	// KindOpenAI talks to the OpenAI chat completions API.
	KindOpenAI Kind = "openai"
	// KindDeepSeek talks to DeepSeek's OpenAI-compatible API.
	KindDeepSeek Kind = "deepseek"
	// KindOpenAICompatible talks to any OpenAI-compatible server (Ollama, vLLM, llama.cpp).
	KindOpenAICompatible Kind = "openai-compatible"
	// KindHeuristic is built in: it turns the static findings into an assessment, no network.
	KindHeuristic Kind = "heuristic"
)

// Output modes say how an OpenAI-style provider is asked for structured output.
const (
	// OutputJSONSchema uses response_format {type: json_schema, strict: true}.
	OutputJSONSchema = "json_schema"
	// OutputTools forces a call of the submit_assessment function tool.
	OutputTools = "tools"
	// OutputJSONObject uses response_format {type: json_object} (JSON mode, schema in the prompt).
	OutputJSONObject = "json_object"
)

// Default model ids come from the SDKs' own model constants, so updating the SDK moves them;
// every one is overridable with ATHENA_AI_<PROVIDER>_MODEL.
const (
	defaultAnthropicModel = anthropic.ModelClaudeSonnet5_5
	defaultOpenAIModel    = shared.ChatModelGPT5_4Mini
	// deepseek-chat is DeepSeek's stable alias for its current chat model.
	defaultDeepSeekModel  = "deepseek-chat"
	defaultHeuristicModel = "heuristic-v1"

	defaultAnthropicBaseURL = "https://api.anthropic.com/"
	defaultOpenAIBaseURL    = "https://api.openai.com/v1/"
	defaultDeepSeekBaseURL  = "https://api.deepseek.com/"
)

// Price is what a model costs, in US dollars per million tokens.
type Price struct {
	// InputPerMTok is the price of one million prompt tokens.
	InputPerMTok float64
	// OutputPerMTok is the price of one million completion tokens.
	OutputPerMTok float64
}

// cost returns the cost of one call.
func (p Price) cost(in, out int64) float64 {
	return (float64(in)*p.InputPerMTok + float64(out)*p.OutputPerMTok) / 1e6
}

// ProviderConfig configures one provider.
type ProviderConfig struct {
	// Name is how requests and reports refer to the provider (anthropic, openai, deepseek,
	// openai-compatible, heuristic, or any name for a second instance of a kind).
	Name string
	// Kind selects the protocol.
	Kind Kind
	// Model is the model id sent to the provider.
	Model string
	// BaseURL is the API root; empty means the provider's public endpoint.
	BaseURL string
	// APIKey authenticates; a provider that needs one and has none is unconfigured.
	APIKey string
	// Timeout bounds one attempt.
	Timeout time.Duration
	// MaxConcurrency bounds the calls in flight to this provider.
	MaxConcurrency int
	// RatePerSecond is the token-bucket rate of calls; 0 means unlimited.
	RatePerSecond float64
	// Burst is the token-bucket size; 0 means 1.
	Burst int
	// MaxRetries is the number of retries after the first attempt on 429, 5xx and timeouts.
	MaxRetries int
	// MaxOutputTokens caps the answer.
	MaxOutputTokens int64
	// OutputMode is json_schema, tools or json_object for OpenAI-style providers.
	OutputMode string
}

// Config configures the AI engine.
type Config struct {
	// Providers are the providers known to the engine; heuristic is always added.
	Providers []ProviderConfig
	// DefaultStrategy is used when a request does not choose one.
	DefaultStrategy analysisv1.AIStrategy
	// DefaultProviders are used when a request does not choose any.
	DefaultProviders []string
	// Fallback is tried, in order, after the chosen providers fail (single, specialized, hedged).
	Fallback []string
	// Routes maps a file type (pe, javascript…) or a category (executable, script, document,
	// archive, network, default) to providers, for the specialized strategy.
	Routes map[string][]string
	// HedgeDelay is how long the hedged strategy waits before starting the next provider.
	HedgeDelay time.Duration
	// AllowExternal is the server policy: content leaves the mesh only when it and the
	// request both allow it. Default false.
	AllowExternal bool
	// RequestBudgetUSD caps the spend of one request; 0 means no cap.
	RequestBudgetUSD float64
	// DailyBudgetUSD caps the spend of one UTC day across requests; 0 means no cap.
	DailyBudgetUSD float64
	// Prices are per model id; models missing here are charged at DefaultPrice.
	Prices map[string]Price
	// DefaultPrice is charged for models without a price, so budgets hold for them too.
	DefaultPrice Price
	// PromptVersion names the prompt and schema; it is part of the cache key.
	PromptVersion string
	// CacheTTL is how long assessments stay cached.
	CacheTTL time.Duration
	// MaxExcerptBytes caps one excerpt; MaxExcerptTotalBytes caps all of them together.
	MaxExcerptBytes, MaxExcerptTotalBytes int
	// BreakerFailures is the number of consecutive failures that opens a breaker.
	BreakerFailures uint32
	// BreakerCooldown is how long a breaker stays open before it lets one call through.
	BreakerCooldown time.Duration
	// RetryBase and RetryMax bound the exponential backoff between retries.
	RetryBase, RetryMax time.Duration
	// MaxRetryAfter caps how long a Retry-After header can make a retry wait.
	MaxRetryAfter time.Duration
	// SuspiciousThreshold and MaliciousThreshold map scores to verdicts (300 and 700).
	SuspiciousThreshold, MaliciousThreshold int32
}

// defaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.DefaultStrategy == analysisv1.AIStrategy_AI_STRATEGY_UNSPECIFIED {
		c.DefaultStrategy = analysisv1.AIStrategy_AI_STRATEGY_SINGLE
	}
	if len(c.DefaultProviders) == 0 {
		c.DefaultProviders = []string{string(KindHeuristic)}
	}
	if c.Routes == nil {
		c.Routes = defaultRoutes()
	}
	if c.HedgeDelay <= 0 {
		c.HedgeDelay = 2 * time.Second
	}
	if c.DefaultPrice == (Price{}) {
		c.DefaultPrice = Price{InputPerMTok: 15, OutputPerMTok: 75}
	}
	if c.PromptVersion == "" {
		c.PromptVersion = "ai-prompt-v1"
	}
	if c.CacheTTL <= 0 {
		c.CacheTTL = 7 * 24 * time.Hour
	}
	if c.MaxExcerptBytes <= 0 {
		c.MaxExcerptBytes = 4 << 10
	}
	if c.MaxExcerptTotalBytes <= 0 {
		c.MaxExcerptTotalBytes = 16 << 10
	}
	if c.BreakerFailures == 0 {
		c.BreakerFailures = 5
	}
	if c.BreakerCooldown <= 0 {
		c.BreakerCooldown = 30 * time.Second
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 500 * time.Millisecond
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 10 * time.Second
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = 30 * time.Second
	}
	if c.SuspiciousThreshold <= 0 {
		c.SuspiciousThreshold = 300
	}
	if c.MaliciousThreshold <= 0 {
		c.MaliciousThreshold = 700
	}
	return c
}

// withDefaults fills zero fields of one provider.
func (p ProviderConfig) withDefaults() ProviderConfig {
	if p.Name == "" {
		p.Name = string(p.Kind)
	}
	switch p.Kind {
	case KindAnthropic:
		if p.Model == "" {
			p.Model = defaultAnthropicModel
		}
		if p.BaseURL == "" {
			p.BaseURL = defaultAnthropicBaseURL
		}
	case KindOpenAI:
		if p.Model == "" {
			p.Model = defaultOpenAIModel
		}
		if p.BaseURL == "" {
			p.BaseURL = defaultOpenAIBaseURL
		}
		if p.OutputMode == "" {
			p.OutputMode = OutputJSONSchema
		}
	case KindDeepSeek:
		if p.Model == "" {
			p.Model = defaultDeepSeekModel
		}
		if p.BaseURL == "" {
			p.BaseURL = defaultDeepSeekBaseURL
		}
		// DeepSeek has function calling but no json_schema response format.
		if p.OutputMode == "" {
			p.OutputMode = OutputTools
		}
	case KindOpenAICompatible:
		if p.OutputMode == "" {
			p.OutputMode = OutputJSONSchema
		}
	case KindHeuristic:
		p.Model = defaultHeuristicModel
	}
	if p.Timeout <= 0 {
		p.Timeout = 60 * time.Second
	}
	if p.MaxConcurrency <= 0 {
		p.MaxConcurrency = 4
	}
	if p.Burst <= 0 {
		p.Burst = 1
	}
	if p.MaxRetries < 0 {
		p.MaxRetries = 0
	}
	if p.MaxOutputTokens <= 0 {
		p.MaxOutputTokens = 2048
	}
	return p
}

// configured reports whether the provider can be called, and if not, why.
func (p ProviderConfig) configured() (bool, string) {
	switch p.Kind {
	case KindHeuristic:
		return true, ""
	case KindOpenAICompatible:
		if p.BaseURL == "" {
			return false, "no base URL"
		}
		if p.Model == "" {
			return false, "no model"
		}
		return true, ""
	case KindAnthropic, KindOpenAI, KindDeepSeek:
		if p.APIKey == "" {
			return false, "no API key"
		}
		return true, ""
	default:
		return false, "unknown kind " + string(p.Kind)
	}
}

// external reports whether a call sends content out of the mesh. Hosted APIs always do; an
// OpenAI-compatible server does unless its base URL is on loopback.
func (p ProviderConfig) external() bool {
	switch p.Kind {
	case KindHeuristic:
		return false
	case KindOpenAICompatible:
		// Without a base URL nothing can be sent anywhere.
		return p.BaseURL != "" && !loopbackURL(p.BaseURL)
	default:
		return true
	}
}

// loopbackURL reports whether u's host is localhost or a loopback address.
func loopbackURL(u string) bool {
	parsed, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := parsed.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultRoutes is the specialized strategy's table when none is configured: hosted models
// where they are strongest, and heuristic wherever nothing else answers.
func defaultRoutes() map[string][]string {
	return map[string][]string{
		"executable": {"anthropic", "openai"},
		"script":     {"openai", "anthropic", "deepseek"},
		"document":   {"anthropic", "openai"},
		"archive":    {"heuristic"},
		"network":    {"deepseek", "openai"},
		"default":    {"anthropic", "openai", "deepseek", "openai-compatible"},
	}
}

// category maps a file type to the routing category the specialized strategy uses.
func category(fileType string) string {
	switch fileType {
	case "pe", "elf", "macho", "dotnet", "dex", "class", "wasm":
		return "executable"
	case "javascript", "powershell", "vbscript", "shell", "batch", "python", "html", "hta", "php", "perl":
		return "script"
	case "pdf", "ooxml", "ole", "rtf", "docx", "xlsx", "pptx", "doc", "xls":
		return "document"
	case "zip", "gzip", "rar", "7z", "tar", "cab", "iso", "bzip2", "xz":
		return "archive"
	case "pcap", "pcapng":
		return "network"
	default:
		return "default"
	}
}

// ConfigFromEnv builds a Config from environment variables (lookup is os.Getenv in main).
// Providers without a key are still listed, as unconfigured.
func ConfigFromEnv(lookup func(string) string) Config {
	get := func(k string) string { return strings.TrimSpace(lookup(k)) }
	model := func(provider string) string {
		return get("ATHENA_AI_" + strings.ToUpper(strings.ReplaceAll(provider, "-", "_")) + "_MODEL")
	}
	cfg := Config{
		AllowExternal: parseBool(get("ATHENA_AI_ALLOW_EXTERNAL")),
		PromptVersion: get("ATHENA_AI_PROMPT_VERSION"),
	}
	local := ProviderConfig{Name: "openai-compatible", Kind: KindOpenAICompatible, BaseURL: get("ATHENA_AI_LOCAL_BASE_URL"),
		APIKey: get("ATHENA_AI_LOCAL_API_KEY"), Model: model("openai-compatible"), OutputMode: get("ATHENA_AI_LOCAL_OUTPUT_MODE")}
	if local.Model == "" {
		local.Model = get("ATHENA_AI_LOCAL_MODEL")
	}
	cfg.Providers = []ProviderConfig{
		{Name: "anthropic", Kind: KindAnthropic, APIKey: get("ANTHROPIC_API_KEY"), BaseURL: get("ANTHROPIC_BASE_URL"), Model: model("anthropic")},
		{Name: "openai", Kind: KindOpenAI, APIKey: get("OPENAI_API_KEY"), BaseURL: get("OPENAI_BASE_URL"), Model: model("openai")},
		{Name: "deepseek", Kind: KindDeepSeek, APIKey: get("DEEPSEEK_API_KEY"), BaseURL: get("DEEPSEEK_BASE_URL"), Model: model("deepseek")},
		local,
		{Name: "heuristic", Kind: KindHeuristic},
	}
	timeout := parseDuration(get("ATHENA_AI_TIMEOUT"))
	retries, retriesSet := parseInt(get("ATHENA_AI_MAX_RETRIES"))
	for i := range cfg.Providers {
		cfg.Providers[i].Timeout = timeout
		cfg.Providers[i].MaxRetries = 2
		if retriesSet {
			cfg.Providers[i].MaxRetries = retries
		}
	}
	if s := get("ATHENA_AI_STRATEGY"); s != "" {
		cfg.DefaultStrategy = parseStrategy(s)
	}
	cfg.DefaultProviders = splitList(get("ATHENA_AI_PROVIDERS"))
	cfg.Fallback = splitList(get("ATHENA_AI_FALLBACK"))
	cfg.HedgeDelay = parseDuration(get("ATHENA_AI_HEDGE_DELAY"))
	cfg.RequestBudgetUSD = parseFloat(get("ATHENA_AI_REQUEST_BUDGET_USD"))
	cfg.DailyBudgetUSD = parseFloat(get("ATHENA_AI_DAILY_BUDGET_USD"))
	cfg.Prices = parsePrices(get("ATHENA_AI_PRICES"))
	if r := parseRoutes(get("ATHENA_AI_ROUTES")); len(r) > 0 {
		cfg.Routes = r
	}
	return cfg
}

// parseStrategy accepts single, ensemble… or the full enum name.
func parseStrategy(s string) analysisv1.AIStrategy {
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "AI_STRATEGY_") {
		name = "AI_STRATEGY_" + name
	}
	return analysisv1.AIStrategy(analysisv1.AIStrategy_value[name])
}

// parsePrices reads "model=in:out;model2=in:out" in USD per million tokens.
func parsePrices(s string) map[string]Price {
	out := map[string]Price{}
	for _, item := range strings.Split(s, ";") {
		name, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			continue
		}
		in, outp, ok := strings.Cut(val, ":")
		if !ok {
			continue
		}
		out[strings.TrimSpace(name)] = Price{InputPerMTok: parseFloat(in), OutputPerMTok: parseFloat(outp)}
	}
	return out
}

// parseRoutes reads "executable=anthropic,openai;script=openai".
func parseRoutes(s string) map[string][]string {
	out := map[string][]string{}
	for _, item := range strings.Split(s, ";") {
		key, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			continue
		}
		out[strings.TrimSpace(key)] = splitList(val)
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseBool(s string) bool {
	b, err := strconv.ParseBool(s)
	return err == nil && b
}

func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 {
		return 0
	}
	return f
}

func parseInt(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

func parseDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0
	}
	return d
}
