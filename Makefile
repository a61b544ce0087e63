# Set-up is two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean bench system-packages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Serve the bundled demo portals on loopback, crawl them, write output/.
demo: $(STAMP)
	$(BIN)/govlaw demo crawl --output output

# Debian's Chromium (the browser fallback and the HTML report's test), and
# PostgreSQL and Redis (the distributed mode's tests start private servers), and a CJK
# font so that the HTML report's screenshots show Chinese rather than boxes.
system-packages:
	scripts/system-packages.sh chromium=chromium initdb=postgresql redis-server=redis-server \
		/usr/share/fonts/truetype/wqy/wqy-microhei.ttc=fonts-wqy-microhei

test: $(STAMP) system-packages
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) output/* .pytest_cache
