# The workbook's commands. A newcomer needs two: `make setup` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup test lab book booktest bench student clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(STAMP)

test: setup  ## run every unit test and execute every lab (quick profile, offline)
	$(BIN)/python -m pytest

lab: setup  ## start JupyterLab on the labs
	$(BIN)/jupyter lab labs/

BOOK_JS := book/node_modules/.installed

$(BOOK_JS): book/package.json book/package-lock.json
	npm ci --prefix book --ignore-scripts --no-audit --no-fund
	touch $@

book: setup $(BOOK_JS)  ## the HTML book in _build/html, every lab executed (cached)
	$(BIN)/jupyter-book build . --config book/_config.yml --toc book/_toc.yml -W -n --keep-going

booktest: setup  ## the built book in headless Chromium, offline (after make book)
	WORKBOOK_BOOK_HTML=_build/html $(BIN)/python -m pytest tests/test_book_browser.py

bench: setup  ## speed benchmark (not a test): NumPy vs PyTorch vs matmul peak
	$(BIN)/python tools/benchmark.py

student: setup  ## student edition of the labs (solutions replaced by stubs) into student/
	$(BIN)/python -m utils.student_edition labs/ student/

clean:
	rm -rf _build student
