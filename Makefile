# The workbook's commands. A newcomer needs two: `make setup` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup constraints lint test lab uitest bookjs book booktest saved bench student grade mutants clean

setup: $(STAMP)

# The Python version is checked first (the venv's if it exists, else $(PYTHON)), so an old
# python3 gets our message, not pip's. Packages: lower bounds in pyproject.toml, the exact
# versions CI tested in constraints.txt (refresh with `make constraints`).
$(STAMP): pyproject.toml constraints.txt
	@if [ -x $(BIN)/python ]; then py=$(BIN)/python; else py='$(PYTHON)'; fi; \
	$$py -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  v=$$($$py --version 2>&1) || v="not found"; \
	  echo "make setup needs Python 3.11 or newer; $$py is: $$v." >&2; \
	  if [ -x $(BIN)/python ]; then echo "Remove the old environment (rm -rf $(VENV)), then:" >&2; fi; \
	  echo "install Python 3.11+ and run: make setup PYTHON=python3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -c constraints.txt -e '.[dev]'
	touch $(STAMP)

constraints: setup  ## rewrite constraints.txt from .venv (after upgrading packages there)
	{ sed -n '/^#/p' constraints.txt; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^dl[-_]workbook'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

test: setup  ## run every unit test and execute every lab (quick profile, offline)
	$(BIN)/python -m pytest

lint: setup  ## ruff: the code and the labs' code cells, and the formatting of the code
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

LAB_PORT ?= 8888
LAB_ARGS ?=
lab: setup  ## JupyterLab on labs/ (WORKBOOK_PROFILE=quick make lab: small sizes, fast runs)
	@echo "Profile: $${WORKBOOK_PROFILE:-full} (WORKBOOK_PROFILE=quick make lab for small, fast runs)."
	@echo "Open the http://127.0.0.1:$(LAB_PORT)/lab?token=... URL JupyterLab prints below; Ctrl-C stops it."
	$(BIN)/jupyter lab labs/ --ServerApp.port=$(LAB_PORT) $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

uitest: setup  ## lab 03 in JupyterLab driven by headless Chromium (quick); screenshots in _build/ui/
	WORKBOOK_UITEST=1 $(BIN)/python -m pytest tests/test_ui_lab.py -p no:cacheprovider

BOOK_JS := book/node_modules/.installed

$(BOOK_JS): book/package.json book/package-lock.json
	npm ci --prefix book --ignore-scripts --no-audit --no-fund
	touch $@

bookjs: $(BOOK_JS)  ## the book's pinned JavaScript (MathJax, RequireJS, widget manager)

book: setup $(BOOK_JS)  ## the HTML book in _build/html, every lab executed (cached)
	$(BIN)/jupyter-book build . --config book/_config.yml --toc book/_toc.yml -W -n --keep-going

booktest: setup $(BOOK_JS)  ## the built book in headless Chromium, offline (after make book)
	WORKBOOK_BOOK_HTML=_build/html $(BIN)/python -m pytest tests/test_book_browser.py

saved: setup  ## regenerate the saved-code modules of utils from the labs' cells tagged save
	$(BIN)/python tools/save_code.py

bench: setup  ## speed benchmark (not a test): NumPy vs its GEMMs vs PyTorch; contention table
	$(BIN)/python tools/benchmark.py

student: setup  ## the student edition (nbgrader: solutions become stubs) in student/
	$(BIN)/python tools/grade.py student

grade: setup  ## autograde both editions of every lab (quick) -> _build/grades.csv
	$(BIN)/python tools/grade.py grade

MUTANTS_ARGS ?=
mutants: setup  ## mutation testing: each exercise's grader vs mutants of its reference (mutmut)
	$(BIN)/python tools/mutants.py $(MUTANTS_ARGS)

clean:
	rm -rf _build student
