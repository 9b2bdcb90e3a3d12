# Jumin — the README's commands. Recipes stay short; the work is in deploy/local/*.sh.
#   make up      install/start PostgreSQL + RabbitMQ if missing, provision `jumin`, run all processes
#   make test    same prerequisites, provision `jumin_test` (database and vhost), pytest (every tier) + ruff + mypy
#   make reset   clear the development data (database `jumin`, vhost `jumin`, var/traces), after asking
#   make test-fast   as make test without the e2e, chaos and fuzz tiers
#   make test-unit   the unit tier only: no services, no provisioning (seconds)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# uv installed by bootstrap.sh lives in ~/.local/bin.
export PATH := $(HOME)/.local/bin:$(PATH)

JUMIN_DB_NAME ?= jumin
TEST_DB       ?= jumin_test
# The tests' broker vhost: named after the test database, never the development vhost `jumin`
# (JUMIN_AMQP_VHOST from the environment is overridden, so `make up`'s queues are never touched).
TEST_VHOST    ?= $(TEST_DB)
BENCH_DB      ?= jumin_bench
BENCH_PIPELINE_DB ?= jumin_bench_pipeline
PYTEST_ARGS   ?=
UV_RUN        := uv run --locked
TYPED_SRC      = $(wildcard libs/*/src services/*/src simulators/*/src) bench
LOCAL         := deploy/local
# The unit tier's folders (the root conftest.py marks tests by path): collected alone, so no
# integration module is even imported.
UNIT_TESTS     = $(wildcard libs/*/tests/unit services/*/tests/unit simulators/*/tests/*unit)
FAST_TIERS    := not e2e and not chaos and not fuzz

reset: ## clear the development data (database jumin, vhost jumin, var/traces) after asking; FORCE=1 skips the question
	$(LOCAL)/reset.sh $(if $(filter 1,$(FORCE)),--yes) $(JUMIN_DB_NAME)

.PHONY: reset help up status logs test test-fast test-unit lint fmt typecheck bench-registry bench-pipeline bootstrap provision

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

bootstrap: ## install + start PostgreSQL/RabbitMQ if missing; uv sync the workspace
	$(LOCAL)/bootstrap.sh

provision: bootstrap ## provision the dev database (jumin): roles, schema, vhost, users, migrations, dev keys
	$(LOCAL)/provision.sh $(JUMIN_DB_NAME)

up: provision ## run every process in the foreground under supervisord (crashed ones restart; Ctrl-C stops all)
	$(LOCAL)/up.sh $(JUMIN_DB_NAME)

status: ## the processes of a running `make up`: state, pid, uptime
	$(LOCAL)/ctl.sh status

logs: ## follow the log files of a running `make up` (P=relay-0 for one process)
	$(LOCAL)/ctl.sh logs $(P)

# Every test target runs on the test vhost; a test vhost equal to the development one is refused.
test test-fast: export JUMIN_AMQP_VHOST := $(TEST_VHOST)
test test-fast: test-vhost-guard

.PHONY: test-vhost-guard
test-vhost-guard:
	@if [[ "$(TEST_VHOST)" == "$(JUMIN_DB_NAME)" || "$(TEST_VHOST)" == jumin ]]; then \
	  echo "TEST_VHOST=$(TEST_VHOST) is the development vhost: tests never run there" >&2; exit 1; fi

test: bootstrap ## everything CI runs: provision jumin_test (database + vhost; + jumin_test_consumer for the kit's tests), pytest every tier (PYTEST_ARGS=...), ruff check, mypy
	$(LOCAL)/provision.sh $(TEST_DB)
	$(LOCAL)/provision.sh $(TEST_DB)_consumer
	$(LOCAL)/with-env.sh $(TEST_DB) $(UV_RUN) pytest --durations=30 $(PYTEST_ARGS)
	$(UV_RUN) ruff check .
	$(UV_RUN) mypy $(TYPED_SRC)

test-fast: bootstrap ## as `make test` without the e2e, chaos and fuzz tiers (unit + integration)
	$(LOCAL)/provision.sh $(TEST_DB)
	$(LOCAL)/provision.sh $(TEST_DB)_consumer
	$(LOCAL)/with-env.sh $(TEST_DB) $(UV_RUN) pytest -m '$(FAST_TIERS)' $(PYTEST_ARGS)
	$(UV_RUN) ruff check .
	$(UV_RUN) mypy $(TYPED_SRC)

test-unit: ## the unit tier only, in seconds: no PostgreSQL, RabbitMQ or provisioning needed
	$(UV_RUN) pytest -m 'unit and not fuzz' $(UNIT_TESTS) $(PYTEST_ARGS)

lint: ## ruff check, ruff format --check, mypy
	$(UV_RUN) ruff check .
	$(UV_RUN) ruff format --check .
	$(UV_RUN) mypy $(TYPED_SRC)

typecheck: ## mypy only
	$(UV_RUN) mypy $(TYPED_SRC)

fmt: ## ruff format + autofixable lint fixes
	$(UV_RUN) ruff format .
	$(UV_RUN) ruff check --fix .

bench-registry: bootstrap ## provision jumin_bench, run bench/registry (python -m bench.registry)
	$(LOCAL)/provision.sh $(BENCH_DB)
	$(LOCAL)/with-env.sh $(BENCH_DB) $(UV_RUN) python -m bench.registry

bench-pipeline: bootstrap ## provision jumin_bench_pipeline, run bench/pipeline (outbox → relay → RabbitMQ → consumer kits)
	$(LOCAL)/provision.sh $(BENCH_PIPELINE_DB)
	JUMIN_AMQP_RECIPIENTS=cs,koseki,moj,intermediate,certificates,witness \
	  $(LOCAL)/with-env.sh $(BENCH_PIPELINE_DB) $(UV_RUN) python -m bench.pipeline

.PHONY: demo bench-e2e token

SUB  ?= clerk01
ROLE ?= clerk

token: ## print a development staff token: make token SUB=reviewer01 ROLE=reviewer (ROLE may list several: ROLE="clerk viewer")
	@$(UV_RUN) jumin-registry token --sub '$(SUB)' $(foreach r,$(ROLE),--role '$(r)')

demo: ## a scripted day at the counter against a running `make up`: what the registry recorded, what CS received
	$(UV_RUN) python demo

bench-e2e: bootstrap ## BENCH_E2E_CHANGES (2000) approved changes through registry → relay → cs_adapter → CS simulator, then paced runs (BENCH_E2E_PACED_RATES 10,20/s)
	$(UV_RUN) python -m bench.e2e
