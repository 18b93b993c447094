# jiceng: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
JICENG := $(VENV)/bin/jiceng
PYTEST := $(VENV)/bin/pytest
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint format serve clean bench bench-smoke bench-dispatch bench-onboarding screenshots prod-check catalogs messages

install: $(VENV)/.installed node_modules/.package-lock.json catalogs

# The Uyghur and Kazakh catalogs: .po in the repository, .mo compiled here (Babel), never committed.
catalogs: $(VENV)/.installed
	@$(VENV)/bin/python -m jiceng.core.catalogs

# After marking new strings: refresh the .po files (needs Debian's gettext), then translate them
# (docs/glossary.md) before committing; a test fails while any msgstr is empty.
messages: install
	cd src/jiceng && ../../$(JICENG) makemessages -l ug -l kk_Arab --no-location --ignore "static/*"
	$(VENV)/bin/python -m jiceng.core.catalogs tidy

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "jiceng needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,prod,aliyun,tencent]'
	@touch $@

# Front-end libraries come from the npm registry, never from a CDN, and are never committed.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: install
	$(JICENG) migrate --noinput -v0
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(JICENG) seed-demo
	$(JICENG) collectstatic --noinput -v0
	@echo
	@echo "基层治理平台演示：http://$(HOST):$(PORT)/  （账号见上方；Ctrl-C 停止）"
	@echo "演示环境没有短信网关：发给群众的短信（评价链接、验证码）写入 var/outbox/messages.log"
	@echo "后台任务进程（派单建议、自动派单、大批量导出）、短信发送进程和每 5 分钟一次的超时巡检（同时预先统计三率月度汇总）与网站一起启动，一起停止"
	@export NOTIFY_BACKEND=$${NOTIFY_BACKEND:-jiceng.tickets.notify.FileBackend}; \
	export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	$(JICENG) worker --interval 0.5 --no-startup-delay & worker=$$!; \
	$(JICENG) send-notifications --every 2 & sender=$$!; \
	( while true; do $(JICENG) sweep >/dev/null 2>&1; sleep 300; done ) & sweeper=$$!; \
	trap 'kill $$worker $$sender $$sweeper 2>/dev/null' EXIT INT TERM; \
	$(JICENG) runserver $(HOST):$(PORT)

serve: install
	$(JICENG) migrate --noinput -v0
	$(JICENG) runserver $(HOST):$(PORT)

# pytest's exit status 5 means no test ran: that is a failure of the suite, said plainly.
# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto
test: install
	@$(PYTEST) -n $(TEST_WORKERS) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests ran; that is a failure"; exit 1; fi; \
	exit $$status

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache

# Intake speed and the monthly 三率 ranking over 1M tickets, on PostgreSQL (BENCH_DATABASE_URL,
# default postgres://postgres@127.0.0.1:5432/jiceng_bench). Writes bench/results.json and
# docs/benchmarks.md. The first run generates the 1M tickets (a few minutes); later runs reuse them.
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || echo "wrk is missing (Debian: apt-get install wrk): HTTP intake is measured with a Python load generator, which reports lower rates"
	$(VENV)/bin/python bench/run.py $(BENCH_ARGS)
	$(VENV)/bin/python bench/dispatch.py

# CI's check that `make bench` still runs on a fresh database: 10,000 tickets, one short round
# of each part (BENCH_SMOKE_DATABASE_URL, default …/jiceng_bench_smoke). Writes no report.
bench-smoke: install
	$(VENV)/bin/python bench/run.py --smoke

# The dispatch model and hot spots only (no database, about three minutes).
# The onboarding workbook of issue 27: 21,500 rows checked and applied on a fresh SQLite database
bench-onboarding: install
	$(VENV)/bin/python bench/onboarding.py

bench-dispatch: install
	$(VENV)/bin/python bench/dispatch.py

# The key pages on a phone and a desktop, into docs/screenshots/ (needs /usr/bin/chromium).
screenshots: install
	$(VENV)/bin/python scripts/screenshots.py
	JICENG_SCREENSHOTS=docs/screenshots $(PYTEST) -q tests/test_residents_use_kazakh_and_uyghur_in_a_real_browser.py

# jiceng as deploy/ describes it (gunicorn, DEBUG=false, behind Debian's nginx with TLS) on
# loopback ports, checked and stopped again. DATABASE_URL may name an empty PostgreSQL database.
prod-check: install
	bash deploy/prod-check.sh
