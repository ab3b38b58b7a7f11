# sharebus — `make run` and `make test` are all a fresh machine needs.
SWIFT ?= swift
BIN := .build/debug/sharebus
DATA ?= data
CERTS ?= Certs

.PHONY: reliability run build test deps format lint openapi clean bench bench-quick screenshots fuzz api-fuzz

# System packages a fresh Debian machine may lack (SQLite headers for GRDB, openssl for tests,
# headless Chromium and CJK fonts for the dashboard tests and screenshots).
deps:
	@missing=""; \
	dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing="$$missing libsqlite3-dev"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v strace >/dev/null 2>&1 || missing="$$missing strace"; \
	command -v faketime >/dev/null 2>&1 || missing="$$missing faketime"; \
	dpkg -s libfaketime >/dev/null 2>&1 || missing="$$missing libfaketime"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# Build, create a development PKI in Certs/ if there is none, register the catalog's
# departments, import Catalogs/, and serve https://localhost:8443 on ./data.
run: build
	$(BIN) serve --dev --data $(DATA) --certs $(CERTS) --catalogs Catalogs

# The suites that load the machine on purpose (fault scenarios, thousands of connections, three
# bus nodes and a PostgreSQL crash) and the ones on the throwaway PostgreSQL cluster run one at a
# time after the rest, so they neither slow the timing-sensitive tests down nor are slowed by them.
# `OnBothStores` suites run a test bus on SQLite and on PostgreSQL, so they are among them.
HEAVY_TESTS := ReliabilityTests\.|MultiNode|Postgres|StoreContract|MigrateStore|OnBothStores

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2 --skip '$(HEAVY_TESTS)'
	$(SWIFT) test --skip-build --no-parallel --filter '$(HEAVY_TESTS)'

format:
	swift-format format --in-place --recursive Sources Tests

lint:
	swift-format lint --recursive Sources Tests

# Retakes docs/screenshots/dashboard-*.png: a seeded test bus, seen by headless Chromium.
screenshots: deps
	$(SWIFT) build --build-tests
	SHAREBUS_SCREENSHOTS=docs/screenshots $(SWIFT) test --skip-build --filter 'DashboardTests/screenshots'

# After editing docs/openapi.json.
openapi:
	scripts/embed-openapi.sh

# Benchmarks against RabbitMQ and nginx (both from apt, started and stopped by the script); release
# builds in .build-release and .build-bench. `bench` writes docs/benchmarks.md and docs/benchmarks.json
# (about 12 minutes once built: W1-W6 on SQLite, W1 and W3 on a throw-away PostgreSQL with 1 and 3
# nodes); `bench-quick` runs W1, W4 and a small W5 briefly and leaves docs/ alone. One workload alone:
# BENCH_ONLY=w6 BENCH_SECONDS=5 scripts/bench.sh --quick (see the script's header).
bench:
	scripts/bench.sh

bench-quick:
	scripts/bench.sh --quick

# libFuzzer targets of Fuzz/ (built with -sanitize=fuzzer in .build-fuzz), each run FUZZ_SECONDS
# (default 60) from its seeds in Fuzz/Corpus/; a crash or broken invariant fails and leaves the
# reproducer in .build-fuzz/artifacts/<target>/.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# schemathesis against docs/openapi.json on a temporary `serve --dev` bus, as a department and an
# operator: no 5xx, no answer outside the document.
api-fuzz: build
	SCHEMATHESIS_BUILD=0 scripts/schemathesis.sh

# Fault scenarios against the real binary in their long versions (Tests/ReliabilityTests; crash, disk full,
# fsync/write errors, clock jumps, slow peers, audit tampering), then scripts/schemathesis.sh if present;
# writes docs/reliability.md. Needs root (tmpfs mount, strace). `make test` runs the short versions.
reliability: deps
	$(SWIFT) build --build-tests
	scripts/reliability.sh

clean:
	rm -rf .build
