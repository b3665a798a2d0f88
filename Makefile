# switchbench — every entry point a user, a developer or CI needs.
# Tiers of `make test` run in order and stop at the first failure; each one fails loudly when it cannot run.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
MODE ?= full
JEST := NODE_OPTIONS=--experimental-vm-modules node_modules/.bin/jest

.PHONY: all deps build lint generate verify test test-static test-unit test-chart test-native test-switches test-integration test-fault test-cluster test-e2e \
        native images plugin-archive install-plugin cluster-up cluster-down demo bench bench-native bench-switches bench-operator bench-cluster paper clean

all: build

# npm ci only when the lock file changed since the last install.
deps: node_modules/.switchbench-deps
node_modules/.switchbench-deps: package-lock.json package.json
	npm ci --no-audit --no-fund
	touch $@

build: deps native
	npm run build

native:
	$(MAKE) -C native

lint: deps
	npm run lint
	npm run format:check
	npm run typecheck

test: test-static test-unit test-chart test-native test-switches test-integration test-fault test-cluster test-e2e

test-static: lint verify

# Every generated artefact from its source: TS types from crds/, the README's API tables, the dashboard.
GENERATORS := .ci/generate/chart-values.mjs .ci/generate/run-spec.mjs .ci/generate/figures.mjs .ci/generate/types.mjs .ci/generate/api-docs.mjs .ci/generate/dashboard.mjs .ci/generate/troubleshooting.mjs
generate: deps
	for g in $(GENERATORS); do node $$g; done

# Fails naming any generated file that is stale against its source.
verify: deps
	for g in $(GENERATORS); do node $$g --check; done

test-unit: deps native
	bash .ci/install-prometheus.sh  # promtool checks the metric names
	# luajit runs the generated Snabb programs (hostile-strings.test.ts); zsh reads the plugin's completion
	bash -c '. .ci/cluster/lib.sh && ensure_packages luajit zsh'
	$(JEST) -c test/jest.unit.config.mjs

# The Helm chart through the real helm (built from its Go module, cached) and promtool.
test-chart: deps
	bash .ci/cluster/build-binaries.sh helm
	bash .ci/install-prometheus.sh
	$(JEST) -c test/chart/jest.config.mjs

test-native: native
	bash test/native/run.sh

test-switches: native deps
	bash test/switches/run.sh

test-integration: deps
	$(JEST) -c test/integration/jest.config.mjs

# Faults injected into a running operator (its own tier: longer budget); prints its figures.
test-fault: build
	$(JEST) -c test/fault/jest.config.mjs

test-cluster: deps
	$(JEST) -c test/cluster/jest.config.mjs

# The kubectl plugin: the bundle and the one native module it cannot hold (resvg, for PNGs) under
# $(PREFIX)/lib/kubectl-switchbench, and an executable kubectl-switchbench in $(PREFIX)/bin.
PREFIX ?= /usr/local
PLUGIN_LIB = $(PREFIX)/lib/kubectl-switchbench
# The plugin's release archive and krew manifest in dist/plugin/ (RELEASE_URL=… for the manifest's uri).
plugin-archive: deps
	bash .ci/plugin/archive.sh

# The archive, unpacked into $(PLUGIN_LIB), its launcher and completion hook linked into $(PREFIX)/bin.
install-plugin: plugin-archive
	bash -c '. .ci/cluster/lib.sh && ensure_packages fonts-dejavu-core'  # the text of PNG figures
	rm -rf $(PLUGIN_LIB) && install -d $(PLUGIN_LIB) $(PREFIX)/bin
	tar -xzf dist/plugin/kubectl-switchbench-$$(node -p 'require("./package.json").version')-linux-amd64.tar.gz -C $(PLUGIN_LIB)
	ln -sf $(PLUGIN_LIB)/kubectl-switchbench $(PLUGIN_LIB)/kubectl_complete-switchbench $(PREFIX)/bin/

images: build
	bash images/build.sh

cluster-up:
	bash .ci/cluster/up.sh $(MODE)

cluster-down:
	bash .ci/cluster/down.sh

demo: deps
	bash .ci/demo/demo.sh

test-e2e: build
	$(JEST) -c test/e2e/jest.config.mjs

bench: bench-native bench-switches bench-operator

bench-native: native
	$(MAKE) -C native bench

bench-operator: build
	node test/bench/operator.mjs
	node test/bench/fleet.mjs

bench-switches: native
	bash test/switches/bench.sh

# In-cluster (through the operator) against the host harness, interleaved; sets up the local cluster
# as make demo does. A benchmark, not a test: it prints ratios.
bench-cluster: native
	bash test/bench/cluster.sh

# The paper's Figure 2, Figure 3 and Table 1 through the operator and the plugin, on the local
# cluster (about 20 minutes warm): regenerates docs/paper-reproduction.md and docs/figures/paper/.
paper: deps
	bash test/paper/paper.sh

clean:
	rm -rf dist
	$(MAKE) -C native clean
