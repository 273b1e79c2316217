# Disclosure Log — the two commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test demo bench lint typecheck check kill-test schemas clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/disclosure-log

demo: $(STAMP)
	$(VENV)/bin/disclosure-log --demo

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check desktop tests
	$(VENV)/bin/ruff format --check desktop tests

typecheck: $(STAMP)
	$(VENV)/bin/mypy desktop

check: lint typecheck test

bench: $(STAMP)
	$(PY) -m tests.bench.run $(BENCH_ARGS)

# The kill -9 harness at release strength (make test runs 200 cycles).
kill-test: $(STAMP)
	$(PY) -m pytest tests/reliability/test_kill.py --cycles=$${CYCLES:-5000}

# JSON Schemas published in resources/schemas are generated from the models.
schemas: $(STAMP)
	$(PY) -c 'import json; from desktop.policy import policy_json_schema as s; print(json.dumps(s(), indent=2))' > resources/schemas/policy.schema.json
	$(PY) -c 'import json; from desktop.domain.checklist import rule_pack_json_schema as s; print(json.dumps(s(), indent=2))' > resources/schemas/rule-pack.schema.json
	$(PY) -c 'import json; from desktop.reports.model import report_json_schema as s; print(json.dumps(s(), indent=2))' > resources/schemas/report.schema.json

# Qt Linguist files for every tr() string in desktop/ui: the English source and a Welsh scaffold
# (translations left unfinished for a translator), compiled to the .qm files the app loads. English
# gets the singular of each "%n" message from resources/translations/english_plurals.py. Run
# again whenever the GUI's wording changes (a test fails while the .qm files are behind the .ts).
.PHONY: translations
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -silent -no-obsolete -locations relative -extensions py \
		-source-language en_GB -target-language en_GB desktop/ui \
		-ts resources/translations/disclosure_log_en.ts
	$(VENV)/bin/pyside6-lupdate -silent -no-obsolete -locations relative -extensions py \
		-source-language en_GB -target-language cy_GB desktop/ui \
		-ts resources/translations/disclosure_log_cy.ts
	$(PY) resources/translations/english_plurals.py
	for lang in en cy; do $(VENV)/bin/pyside6-lrelease -silent \
		resources/translations/disclosure_log_$$lang.ts -qm resources/translations/disclosure_log_$$lang.qm; done

# The release (installer/README.md): dist/disclosure-log/ (PyInstaller one folder), the .deb,
# SHA256SUMS and SHA256SUMS.sig (RELEASE_GPG_KEY, else a throwaway key), reproducible from
# SOURCE_DATE_EPOCH. msi: dist/disclosure-log.msi with wixl from STAGE (default the one-folder
# build, a stand-in for the Windows one). sign: the same MSI, Authenticode-signed with osslsigncode
# (SIGN_CERT, SIGN_PASS_FILE or SIGN_PASS; the .exe files in STAGE first). installer-test checks
# them all (apt: binutils gnupg lintian wixl msitools osslsigncode); not part of make test.
BUILD_STAMP := $(VENV)/.installed-build

$(BUILD_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,build]'
	touch $(BUILD_STAMP)

.PHONY: installer installer-test msi sign
installer: $(BUILD_STAMP)
	PY=$(PY) installer/linux/build.sh

msi: $(STAMP)
	PY=$(PY) STAGE=$(STAGE) installer/windows/build-msi.sh

sign: $(STAMP)
	PY=$(PY) STAGE=$(STAGE) SIGN=1 installer/windows/build-msi.sh

installer-test: installer
	PY=$(PY) installer/windows/build-msi.sh
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m installer tests/installer

# The importer under coverage-guided fuzzing (atheris; issue 6), for FUZZ_SECONDS: every input
# within 2 s and a 300 MB process. Inputs that crash are saved to build/fuzz/ (replay one with
# `$(PY) -m tests.fuzz.fuzz_import build/fuzz/crash-...`). The suite runs the seeds; not make test.
FUZZ_STAMP   := $(VENV)/.installed-fuzz
FUZZ_SECONDS ?= 600

$(FUZZ_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,fuzz]'
	touch $(FUZZ_STAMP)

.PHONY: fuzz
fuzz: $(FUZZ_STAMP)
	mkdir -p build/fuzz
	$(PY) -m tests.fuzz.fuzz_import -max_total_time=$(FUZZ_SECONDS) -timeout=2 \
		-rss_limit_mb=300 -artifact_prefix=build/fuzz/ -print_final_stats=1

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
