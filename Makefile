# Tadamun: two commands. `make run` sets everything up and serves the site;
# `make test` sets up the same way and runs the whole suite.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: run test setup lint format fonts clean-db messages security fuzz scan

run: setup
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) run_all

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed
	@mkdir -p var
	$(MANAGE) compile_translations
	$(MANAGE) migrate --no-input -v 1
	$(MANAGE) collectstatic --no-input -v 0

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The security suite (issue 7): bandit over the code — 0 findings of medium severity or
# worse, each reviewed exception marked `# nosec <id>` where it is — then the attacking tests of
# tadamun/security_suite at full size (SECURITY_FULL=1: 10,000 deliveries under 50 faults),
# which print their figures (-s), then the black-box scanners (`make scan`). The tests are part
# of `make test` too, at a smaller size.
security: setup
	$(VENV)/bin/bandit -q -r tadamun -x '*/tests/*,*/migrations/*' --severity-level medium
	SECURITY_FULL=1 $(PY) -m pytest -q -s tadamun/security_suite $(PYTEST_ARGS)
	scripts/scan

# Fuzzing (issue 7), not in CI: atheris (libFuzzer, coverage-guided) on the inbound mail parser
# and the Markdown renderer, FUZZ_SECONDS each (default 10 minutes). The seed corpus is
# fuzz/corpus/<target>/, what the fuzzer learns goes to var/fuzz/<target>/, and a crashing input
# is written to fuzz/crashes/ (commit it: test_fuzz_regressions.py replays it in `make test`).
# Uses .venv when atheris installs there, else a separate .venv-fuzz (Python 3.12 preferred).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= inbound_mail markdown
fuzz: $(VENV)/.installed
	@mkdir -p var fuzz/crashes
	@if $(PY) -m pip install -q --disable-pip-version-check -r requirements-fuzz.txt; then \
	  echo "$(PY)" > var/fuzz-python; \
	else \
	  py312=$$(command -v python3.12 || ls -d "$$HOME"/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1); \
	  test -x .venv-fuzz/bin/python || $${py312:-$$(scripts/find-python)} -m venv .venv-fuzz; \
	  .venv-fuzz/bin/python -m pip install -q --disable-pip-version-check -r requirements-fuzz.txt; \
	  echo .venv-fuzz/bin/python > var/fuzz-python; \
	fi
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p var/fuzz/$$target; \
	  echo "== fuzz $$target: $(FUZZ_SECONDS) s"; \
	  $$(cat var/fuzz-python) fuzz/fuzz_$$target.py var/fuzz/$$target fuzz/corpus/$$target \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=4096 -max_len=16384 \
	    -dict=fuzz/$$target.dict -print_final_stats=1 -artifact_prefix=fuzz/crashes/$$target- || exit 1; \
	done

# Black-box scanners (issue 7): wapiti and sqlmap (Debian packages) against the site served on
# loopback from a throw-away database with the demo data; fails on any finding of medium
# severity or worse (scripts/scan).
scan: setup
	scripts/scan

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Rebuild the committed, subsetted web fonts and vendored scripts from npm (needs Node.js).
fonts:
	scripts/build-assets

# Re-extract translatable strings into locale/ar (needs gettext's xgettext).
messages: setup
	$(MANAGE) makemessages -l ar --no-obsolete --add-location file --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*' --ignore 'var/*'

clean-db:
	rm -f var/tadamun.sqlite3
