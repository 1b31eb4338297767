# make demo: grade the model answers and a sample submission, offline.
# make test: the project's own test suite.
# Both create .venv from a fresh clone when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test exercises clean

$(STAMP): pyproject.toml
	@command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null) ; } \
	  || echo "note: bubblewrap is not installed; submissions will run without a sandbox"
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) ; } \
	  || echo "note: chromium is not installed; the HTML report's browser test will be skipped"
	@fc-list :lang=zh 2>/dev/null | grep -q . || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null \
	      && rm -f $$HOME/.cache/matplotlib/fontlist-*.json) ; } \
	  || echo "note: no Chinese font; with --lang zh the report's plots keep English labels"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m nndl.grader.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

exercises: $(STAMP)
	$(BIN)/nndl build

clean:
	rm -rf $(VENV) build *.egg-info
