# Everything a fresh clone needs: `make run` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job: the dashboard on http://localhost:$(PORT) (headless: no browser is opened).
# serve.py serves app.py and runs the default comparison while the browser loads the page.
PORT ?= 8501
run: $(STAMP)
	$(BIN)/streamlit run dashboard/serve.py --server.headless true --server.port $(PORT) \
		--browser.gatherUsageStats false

# Compare every shipped scenario on the command line.
demo: $(STAMP)
	$(BIN)/sim compare $(sort $(wildcard scenarios/*.toml))

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Sample reports: three contrasting models (plain retail, 3-level fission, 链动2+1), zh and en.
REPORT_SCENARIOS := retail_baseline fission_distribution liandong_2plus1
.PHONY: reports
reports: $(STAMP)
	$(BIN)/sim report $(REPORT_SCENARIOS) --seed 1 --lang zh --out reports/sample_report.zh.html --quiet
	$(BIN)/sim report $(REPORT_SCENARIOS) --seed 1 --lang en --out reports/sample_report.en.html --quiet

bench: $(STAMP)
	$(BIN)/python bench/run_benchmarks.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
