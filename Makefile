# Kametrix. The two commands: `make dev` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help deps dev test bench admin frontend build lambda-zips gateway-config clean-dev

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

deps: ## install what the project needs (apt packages, .venv, tools); idempotent
	@bash scripts/install-deps.sh
	@bash scripts/install-frontend-toolchain.sh

build: deps ## build every function, the Stripe and Vapi sandboxes and the kmx tool
	$(CARGO) build -p functions -p kmx -p kmx-sandbox -p kmx-vapi-sandbox

frontend: deps ## build the dashboard into frontend/dist
	bash scripts/build-frontend.sh

dev: build frontend ## run the whole system on this machine (Ctrl-C stops it)
	target/debug/kmx dev --no-build

test: deps ## quality gates and every test
	bash scripts/test.sh

bench: deps ## benchmarks; figures in README.md
	bash scripts/bench.sh

admin: ## create or repair an admin: make admin EMAIL=... PASSWORD=...
	@if [ -z "$(EMAIL)" ] || [ -z "$(PASSWORD)" ]; then echo "usage: make admin EMAIL=you@example.com PASSWORD='a long passphrase'"; exit 2; fi
	@$(CARGO) build -q -p kmx
	@target/debug/kmx admin --email "$(EMAIL)" --password "$(PASSWORD)"

gateway-config: ## print the nginx config generated from infra/functions.toml
	@$(CARGO) run -q -p kmx -- gateway-config --out /dev/stdout

lambda-zips: deps ## package every function for a Lambda runtime (provided.al2023)
	.venv/bin/cargo-lambda lambda build --release --output-format zip -p functions

clean-dev: ## forget the dev stack's data (.dev/)
	rm -rf .dev
