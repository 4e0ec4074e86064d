package main

import (
	"flag"
	"os"

	"github.com/athena-mesh/athena/services/orchestrator/ai"
)

// aiFlags are the AI settings of `athena serve`; provider keys and base URLs come from the
// providers' standard environment variables (docs/ai.md).
type aiFlags struct {
	allowExternal bool
}

func (a *aiFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&a.allowExternal, "ai-allow-external", false, "server policy: let sample content reach external AI providers when a request allows it")
}

func (a *aiFlags) config() *ai.Config {
	cfg := ai.ConfigFromEnv(os.Getenv)
	if a.allowExternal {
		cfg.AllowExternal = true
	}
	return &cfg
}
