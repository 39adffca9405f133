# Two commands matter: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test setup validate handbook handbook-offline bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# Bytecode for the checker up front: an editable install leaves it to the first import, which
# cannot write it where PYTHONDONTWRITEBYTECODE is set, and every command would compile again.
setup: $(STAMP)
	@$(BIN)/python -m compileall -q checker

# The sample export's date: the sample was generated for it, so every run gives the same report.
SAMPLE_AS_OF := 2026-10-31

# The checker's reports on the sample export, which the handbook's checker page links to, into $(1)/reports/.
# Their handbook links are relative ($(2)): to the built site beside them, wherever it is served or copied.
define sample_reports
	@mkdir -p $(1)/reports
	$(BIN)/playbook check docs/samples/accounts.csv --as-of $(SAMPLE_AS_OF) --fail-on never --handbook-url $(2) --format json --output $(1)/reports/sample-report.json
	$(BIN)/playbook check docs/samples/accounts.csv --as-of $(SAMPLE_AS_OF) --fail-on never --handbook-url $(2) --format csv --output $(1)/reports/sample-report.csv
	$(BIN)/playbook check docs/samples/accounts.csv --as-of $(SAMPLE_AS_OF) --fail-on never --handbook-url $(2) --format markdown --output $(1)/reports/sample-report.md
	$(BIN)/playbook check docs/samples/accounts.csv --as-of $(SAMPLE_AS_OF) --fail-on never --handbook-url $(2) --format html --output $(1)/reports/sample-report.html
endef

# The handbook, both languages, into site/en/ and site/fi/ (fails on any warning or bad playbook data),
# the learner handout and the trainer copy as PDFs (site/<lang>/handout.pdf, trainer.pdf; checker/handbook/pdf.py),
# with the sample export's report as its report/ section (mkdocs.yml, plugin playbook-report) and
# the sample reports in site/reports/. The two languages build side by side, a core each (either failing fails it).
handbook: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -f docs/en.yml & en=$$!; \
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -f docs/fi.yml; fi=$$?; wait $$en && test $$fi -eq 0
	$(BIN)/python -m checker.handbook.pdf site
	$(call sample_reports,site,..)

# The same handbook as a folder that works opened from disk (file://), for copying to a laptop or
# a USB stick: site-offline/. Open site-offline/index.html; navigation and search work without a server.
handbook-offline: setup
	HANDBOOK_OFFLINE=true NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -f docs/en.yml -d $(CURDIR)/site-offline/en & en=$$!; \
	HANDBOOK_OFFLINE=true NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -f docs/fi.yml -d $(CURDIR)/site-offline/fi; fi=$$?; wait $$en && test $$fi -eq 0
	$(BIN)/python -m checker.handbook.pdf site-offline
	$(call sample_reports,site-offline,../index.html)

run: setup handbook
	$(BIN)/playbook summary
	@echo
	@echo "Checker report on the sample export: site/reports/sample-report.{html,json,csv,md} (also at http://127.0.0.1:8000/reports/)"
	@echo "The same report inside the handbook: http://127.0.0.1:8000/en/report/  (suomeksi: http://127.0.0.1:8000/fi/report/)"
	@echo
	@echo "Handbook: http://127.0.0.1:8000/  (English: http://127.0.0.1:8000/en/  suomeksi: http://127.0.0.1:8000/fi/)"
	@echo "Press Ctrl+C to stop the server."
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory site

# Lint and the direction of imports (pyproject: [tool.ruff], [tool.importlinter]) before the suite.
test: setup
	$(BIN)/ruff check checker tests
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The benchmarks (tests/benchmarks/README.md): scripts that print their ratios, not part of `make test`.
bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python tests/benchmarks/bench_check.py
	$(BIN)/python tests/benchmarks/bench_baseline.py
	$(BIN)/python tests/benchmarks/bench_logs.py
	$(BIN)/python tests/benchmarks/bench_handbook.py

validate: setup
	$(BIN)/playbook validate

clean:
	rm -rf $(VENV) site site-offline build *.egg-info .pytest_cache
