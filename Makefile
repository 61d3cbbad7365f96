# Herald. `make run` starts the whole system locally; `make test` runs every test.
# SAM builds each function through its build-<LogicalId> target (Metadata: BuildMethod: makefile).

SHELL := /bin/bash
GO ?= go
# Lambda runs arm64 (template.yaml, Architectures); the local stack overrides this for the host.
LAMBDA_GOOS ?= linux
LAMBDA_GOARCH ?= arm64
LAMBDA_BUILD_FLAGS = -trimpath -tags lambda.norpc -ldflags="-s -w"
GOBUILD = GOOS=$(LAMBDA_GOOS) GOARCH=$(LAMBDA_GOARCH) CGO_ENABLED=0 $(GO) build $(LAMBDA_BUILD_FLAGS)
BUILD_DIR ?= build
TEST_TIMEOUT ?= 20m
MODULE := github.com/heraldhq/herald

# LogicalId:directory under functions/, one per function in template.yaml.
FUNCTIONS := Authorizer:authorizer EventsApi:events ConsumersApi:consumers Stream:stream Bridge:bridge Janitor:janitor Inbox:inbox NotificationsApi:notifications TriggersApi:triggers Router:router Deliver:deliver
LOGICAL_IDS := $(foreach f,$(FUNCTIONS),$(word 1,$(subst :, ,$(f))))

.PHONY: all build build-local run invoke test test-chaos test-chaos-short test-rest test-unit bench cost fuzz lint sizes clean emulators chromium build-bench-baseline $(addprefix build-,$(LOGICAL_IDS))
all: build

define build_function
build-$(1):
	$$(GOBUILD) -o $$(ARTIFACTS_DIR)/bootstrap ./functions/$(2)
endef
$(foreach f,$(FUNCTIONS),$(eval $(call build_function,$(word 1,$(subst :, ,$(f))),$(word 2,$(subst :, ,$(f))))))

# The baseline of the binary size and cold start benchmarks: the smallest aws-lambda-go
# function, built exactly as the functions are.
build-bench-baseline:
	$(GOBUILD) -o $(ARTIFACTS_DIR)/bootstrap ./cmd/benchreport/testdata/minimal

# build: every function as SAM would, into build/<LogicalId>/bootstrap.
build:
	@for id in $(LOGICAL_IDS); do \
		$(MAKE) --no-print-directory build-$$id ARTIFACTS_DIR=$(BUILD_DIR)/$$id || exit 1; \
	done

# build-local: herald-local, heraldctl and every function built for this machine, into
# $(BUILD_DIR)/local: herald-local, heraldctl and functions/<LogicalId>/bootstrap, each
# function with its build-<LogicalId> target as herald-local builds it. make test runs the
# whole-system suites (test/…) with these (HERALD_TEST_BUILD), so that nothing is built twice.
LOCAL_BUILD_DIR = $(BUILD_DIR)/local
HOST_GOOS = $(shell $(GO) env GOOS)
HOST_GOARCH = $(shell $(GO) env GOARCH)
build-local:
	@# One go build compiles what the functions share, once; the links then run side by side
	@# (separate go commands would each compile a shared package they find missing).
	GOOS=$(HOST_GOOS) GOARCH=$(HOST_GOARCH) CGO_ENABLED=0 $(GO) build $(LAMBDA_BUILD_FLAGS) ./functions/...
	$(GO) build -o $(LOCAL_BUILD_DIR)/herald-local ./cmd/herald-local
	$(GO) build -o $(LOCAL_BUILD_DIR)/heraldctl ./cmd/heraldctl
	@printf '%s\n' $(LOGICAL_IDS) | xargs -P "$$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)" -I{} \
		$(MAKE) --no-print-directory build-{} ARTIFACTS_DIR=$(LOCAL_BUILD_DIR)/functions/{} LAMBDA_GOOS=$(HOST_GOOS) LAMBDA_GOARCH=$(HOST_GOARCH)

# sizes: the size of each built function binary, in bytes.
sizes: build
	@for id in $(LOGICAL_IDS); do printf '%-12s %10d bytes\n' $$id $$(stat -c %s $(BUILD_DIR)/$$id/bootstrap); done

# The local AWS emulators (dynalite, fauxqs), pinned by local/package-lock.json.
emulators: local/node_modules/.package-lock.json
local/node_modules/.package-lock.json: local/package.json local/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the local emulators: install Node.js 20 or newer" >&2; exit 1; }
	cd local && npm ci --no-audit --no-fund
	@touch $@

# chromium: Debian's Chromium, which the browser suite (test/browser) drives headless, installed
# when it is missing. Under CI=true that suite fails rather than skips without it.
# Off CI a machine without apt-get is told and goes on: the suite then skips.
CHROMIUM ?= /usr/bin/chromium
export HERALD_CHROMIUM := $(CHROMIUM)
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if ! command -v apt-get >/dev/null; then \
			echo "$(CHROMIUM) is missing and there is no apt-get: install Chromium (and set CHROMIUM) to run the browser suite" >&2; \
			[ "$$CI" != true ] || exit 1; exit 0; \
		fi; \
		echo "installing Debian's chromium for the browser suite"; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# run: the whole stack on this machine (cmd/herald-local); Ctrl-C stops it.
run: emulators
	$(GO) build -o $(BUILD_DIR)/herald-local ./cmd/herald-local
	$(BUILD_DIR)/herald-local

# invoke: one invocation of a function's real binary against the running local stack,
# e.g. make invoke FN=EventsApi EVENT=events/events-httpapi-health.json
invoke:
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<LogicalId> EVENT=events/<file>.json" >&2; exit 2; }
	$(GO) build -o $(BUILD_DIR)/herald-local ./cmd/herald-local
	$(BUILD_DIR)/herald-local invoke $(FN) $(EVENT)

# test: unit, fuzz seed corpora and integration tests against real NATS, dynalite, fauxqs,
# and the whole-system suites (test/…) against herald-local, with every binary built once
# (build-local). The no-loss suite spends its time waiting for queues' visibility timeouts,
# so it runs beside everything else rather than after it.
GO_TEST = $(GO) test -count=1 -timeout $(TEST_TIMEOUT)
CHAOS_PKG := ./test/chaos
# Tests are compiled as the functions are (no cgo, lambda.norpc, -trimpath): they test
# what ships, and the functions' builds and the tests' share one build cache instead of
# compiling every dependency twice.
test: export CGO_ENABLED := 0
test: export GOFLAGS := -trimpath -tags=lambda.norpc
test: emulators chromium build-local
	@# vet compiles every package once, in one go command, before two run side by side.
	$(GO) vet ./...
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './local/*')); \
		if [ -n "$$bad" ]; then echo "not gofmt-ed: $$bad" >&2; exit 1; fi
	@# Only here are the suites given build-local's binaries: run alone, they build their own.
	@HERALD_TEST_BUILD=$(abspath $(LOCAL_BUILD_DIR)) $(MAKE) --no-print-directory -j2 --output-sync=line test-chaos-short test-rest

test-chaos-short:
	$(GO_TEST) $(CHAOS_PKG)

# test-rest: every package but the no-loss suite.
test-rest:
	$(GO_TEST) $$($(GO) list ./... | grep -vx '$(MODULE)/$(CHAOS_PKG:./%=%)')

# test-chaos: the no-loss suite at length: events published while the Bridge, Router,
# Deliver, NATS and the SQS emulator are killed (SIGKILL) 25 times at random moments; make
# test runs it with 6 kills. CHAOS_SEED replays a run's schedule.
CHAOS_KILLS ?= 25
test-chaos: emulators
	HERALD_CHAOS_KILLS=$(CHAOS_KILLS) $(if $(CHAOS_SEED),HERALD_CHAOS_SEED=$(CHAOS_SEED)) \
		$(GO) test -count=1 -timeout 30m -run '^TestChaosNoLoss$$' -v ./test/chaos | grep -E '^(=== RUN|--- |\s+chaos_test|PASS|FAIL|ok)'; exit $${PIPESTATUS[0]}

# test-unit: the tests that need no emulator, no NATS server and no local stack: every
# package whose tests do not reach devstack/testenv, devstack/emulator or test/stacktest.
TEST_NEEDS_STACK := herald/(devstack/(testenv|emulator)|test/stacktest)( |$$)
test-unit:
	$(GO) test -count=1 $$($(GO) list -test -f '{{if .ForTest}}{{.ForTest}} {{join .Deps " "}}{{end}}' ./... | \
		awk '{ bad[$$1] += ($$0 ~ /$(subst /,\/,$(TEST_NEEDS_STACK))/); seen[$$1] = 1 } END { for (p in seen) if (!bad[p]) print p }' | sort)

# bench: every benchmark, one package at a time, then BENCHMARKS.md rewritten from the
# figures (cmd/benchreport; its notes section is kept). The raw go test output is kept in
# BENCH_RAW. BENCH_OUT=other.md writes elsewhere.
BENCH_OUT ?= BENCHMARKS.md
BENCH_RAW ?= $(BUILD_DIR)/bench.txt
bench: emulators
	@mkdir -p $(dir $(BENCH_RAW))
	GO=$(GO) $(GO) run ./cmd/benchreport -o $(BENCH_OUT) -raw $(BENCH_RAW)

# cost: what Herald costs on AWS per million events (cmd/herald-cost, docs/cost.md): a
# fixed workload of COST_EVENTS events (a webhook trigger and a consumer on every one)
# driven through herald-local, every billable call the stack makes counted, priced at
# cmd/herald-cost/prices.json beside EventBridge. It prints the breakdown and rewrites
# the "Cost per million events" section of BENCHMARKS.md (BENCH_OUT), which make bench keeps.
COST_EVENTS ?= 10000
cost: emulators build-local
	$(GO) run ./cmd/herald-cost -events $(COST_EVENTS) -herald-local $(LOCAL_BUILD_DIR)/herald-local \
		-functions $(LOCAL_BUILD_DIR)/functions -md $(BENCH_OUT)

# Fuzz targets, run at length (make test runs their seed corpora only).
FUZZ_TARGETS := internal/event:FuzzDecode internal/event:FuzzSubjectRoundTrip internal/reply:FuzzParseAckSubject \
	internal/reply:FuzzVerify internal/match:FuzzFilter internal/match:FuzzMatcher internal/match:FuzzParseEvent devstack/template:FuzzParse
FUZZTIME ?= 60s

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzzing $$name in ./$$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
	done

lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }

clean:
	rm -rf $(BUILD_DIR) .aws-sam
