# sharebus — `make run` and `make test` are all a fresh machine needs.
SWIFT ?= swift
BIN := .build/debug/sharebus
DATA ?= data
CERTS ?= Certs

.PHONY: run build test deps format lint openapi clean bench bench-quick screenshots

# System packages a fresh Debian machine may lack (SQLite headers for GRDB, openssl for tests,
# headless Chromium and CJK fonts for the dashboard tests and screenshots).
deps:
	@missing=""; \
	dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing="$$missing libsqlite3-dev"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
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

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

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
# (about 8 minutes once built); `bench-quick` runs W1, W4 and a small W5 briefly and leaves docs/ alone.
bench:
	scripts/bench.sh

bench-quick:
	scripts/bench.sh --quick

clean:
	rm -rf .build
