# One obvious way to start anything: make run, make test, make bench.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
NODE_STAMP := node_modules/.package-lock.json
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run dev test test-postgres bench lint messages clean

install: $(STAMP)

# Rebuilt when the locks change; a venv made with a too-old Python is replaced.
$(STAMP): requirements.lock requirements-dev.lock
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Replacing $(VENV): it was made with a Python older than 3.12."; rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then python=$$(PYTHON="$(PYTHON)" sh scripts/find-python) && "$$python" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	@touch $(STAMP)

# ical.js (what Thunderbird and Nextcloud use) reads our invites in the tests. Without npm
# those tests skip and say so; CI installs Node and refuses skips.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the ical.js calendar checks will be skipped (install Node.js to run them)."; fi

# gunicorn with debug off, a Celery worker and beat on 127.0.0.1:8000 (PORT=... for another port);
# `make dev` is the same with Django's development server (autoreload) and debug on.
run: install
	$(PY) scripts/run.py

dev: install
	$(PY) scripts/run.py --dev

test: install $(NODE_STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: install $(NODE_STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/traffpunkt} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/signup_burst.py
	$(PY) bench/reminder_fanout.py
	$(PY) bench/calendar_feed.py
	$(PY) bench/report.py
	$(PY) bench/scale.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: install
	$(PY) manage.py makemessages -l sv -l en --ignore=.venv --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache node_modules
