# Athena. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
BIN       := $(CURDIR)/bin
MODULES   := $(BIN)/modules
GOFLAGS_WASM := -buildmode=c-shared -trimpath -ldflags=-s
export PATH := $(BIN):$(PATH)

# Pinned code-generation tools, installed into bin/ by `make tools`.
BUF_VERSION          := v1.75.0
PROTOC_GEN_GO        := v1.36.12
PROTOC_GEN_GO_GRPC   := v1.6.2
GRPC_GATEWAY_VERSION := v2.33.0
PROTOC_GEN_GO_LITE   := v0.14.0

# Debian packages the tests use as real components and reference tools.
APT_PACKAGES := redis-server yara ssdeep tlsh-tools file binutils tshark wabt binaryen gcc-mingw-w64-x86-64 python3-pefile gcab

WASM_SHIMS := $(wildcard wasm-modules/*/wasm/main.go)
WASM_NAMES := $(foreach s,$(WASM_SHIMS),$(word 2,$(subst /, ,$(s))))

.PHONY: help
help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

.PHONY: run
run: build ## start the whole mesh locally (REST on 127.0.0.1:8080, gRPC on 127.0.0.1:9090)
	$(BIN)/athena serve all

.PHONY: build
build: wasm ## build bin/athena and the analyzer modules in bin/modules
	$(GO) build -trimpath -o $(BIN)/athena ./cmd/athena

.PHONY: wasm
wasm: ## build every analyzer module into bin/modules/*.wasm
	@mkdir -p $(MODULES)
	@for m in $(WASM_NAMES); do \
		echo "wasm $$m"; \
		(cd wasm-modules && GOOS=wasip1 GOARCH=wasm $(GO) build $(GOFLAGS_WASM) -o $(MODULES)/$$m.wasm ./$$m/wasm) || exit 1; \
	done

.PHONY: test-deps
test-deps: ## install the Debian packages the tests need, when missing
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing:$$missing"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else echo "missing Debian packages:$$missing (install them with apt-get as root)"; exit 1; fi; \
	fi

.PHONY: test
test: test-deps build ## run every test (starts a throwaway redis-server unless REDIS_ADDR is set)
	@# Compile every module into the shared wazero cache without -race first: inside a -race
	@# binary the compiler itself is instrumented and takes minutes per module. wazero keys its
	@# cache by its version, which most test binaries report as "dev" (warmed by a test binary
	@# built without -race) and the CLI's tests as the released one (warmed by bin/athena).
	$(GO) test -count=1 -run '^TestRoutesMatchBuiltModules$$' ./services/orchestrator >/dev/null
	$(BIN)/athena modules --local --modules-dir $(MODULES) >/dev/null
	$(GO) test -race -count=1 -timeout 20m ./...
	cd wasm-modules && $(GO) test -race -count=1 -timeout 20m ./...
	@# The guest SDK's host paths (athena.digest, athena.text_runs, athena.window_filter) run only inside WASM.
	cd wasm-modules && $(GO) build -o $(BIN)/wasirun ./internal/wasirun && \
		GOOS=wasip1 GOARCH=wasm $(GO) test -count=1 -exec $(BIN)/wasirun ./guest/ ./internal/ascii/
	@if [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v gcc >/dev/null; then \
		echo "wasmer engine conformance suite"; \
		CGO_ENABLED=1 $(GO) test -race -tags wasmer -count=1 -timeout 20m ./services/wasmruntime/; \
	else echo "skipping the wasmer engine suite: it needs cgo and gcc"; fi

.PHONY: tools
tools: ## install the pinned code-generation tools into bin/
	@mkdir -p $(BIN)
	@test -x $(BIN)/buf || GOBIN=$(BIN) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	@test -x $(BIN)/protoc-gen-go || GOBIN=$(BIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO)
	@test -x $(BIN)/protoc-gen-go-grpc || GOBIN=$(BIN) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC)
	@test -x $(BIN)/protoc-gen-grpc-gateway || GOBIN=$(BIN) $(GO) install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)
	@test -x $(BIN)/protoc-gen-openapiv2 || GOBIN=$(BIN) $(GO) install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@$(GRPC_GATEWAY_VERSION)
	@test -x $(BIN)/protoc-gen-go-lite || GOBIN=$(BIN) $(GO) install github.com/aperturerobotics/protobuf-go-lite/cmd/protoc-gen-go-lite@$(PROTOC_GEN_GO_LITE)

.PHONY: proto
proto: tools ## regenerate Go code and OpenAPI from proto/ (host and guest)
	$(BIN)/buf lint
	$(BIN)/buf generate
	$(BIN)/buf generate --template buf.gen.guest.yaml

.PHONY: lint
lint: tools ## gofmt, go vet, buf lint, and fail when generated code drifts from proto/
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...
	cd wasm-modules && $(GO) vet ./... && GOOS=wasip1 GOARCH=wasm $(GO) vet ./...
	$(MAKE) --no-print-directory proto
	@git diff --exit-code -- proto/gen wasm-modules/internal/gen gateway/openapi || (echo "generated code drifted: run make proto and commit"; exit 1)

.PHONY: bench
bench: build ## run the Go benchmarks and the REST load benchmark
	$(GO) test -run '^$$' -bench . -benchmem ./...
	cd wasm-modules && $(GO) test -run '^$$' -bench . -benchmem ./...
	$(BIN)/athena bench --duration 10s

.PHONY: clean
clean: ## remove build output
	rm -rf $(BIN)/athena $(MODULES)
