# jwtdesk: `make run` starts it, `make test` checks everything (see README).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# Debian packages the tests use: a real Secret Service, a session bus, a virtual screen,
# Redis, and the xcb libraries Qt's platform plugins load; for `make dist`: dpkg-dev
# (dpkg-shlibdeps), desktop-file-utils, appstream (appstreamcli) and x11-utils (xwininfo);
# what builds the audit's C scanner: gcc, OpenSSL and Python headers (without them it falls
# back to Python, see setup.py).
DEBS    := gnome-keyring dbus dbus-x11 xvfb xauth redis-server libxcb-cursor0 libxkbcommon-x11-0 \
           gcc libssl-dev python3-dev \
           libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 \
           libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3 \
           dpkg-dev desktop-file-utils appstream x11-utils

.PHONY: run test lint pytest debs venv bench screenshots clean dist dist-check

# The desktop app (the CLI is `$(BIN)/jwtdesk`).
run: $(STAMP)
	$(BIN)/python -m jwtdesk.gui

test: debs $(STAMP) lint pytest dist-check

debs:
	@missing=$$(for p in $(DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml setup.py jwtdesk/core/_hmacscan.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,packaging]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check jwtdesk tests benchmarks tools packaging
	$(BIN)/ruff format --check jwtdesk tests benchmarks tools packaging
	$(BIN)/mypy --strict jwtdesk
	$(BIN)/lint-imports

# pytest inside a private D-Bus session with a throwaway, unlocked gnome-keyring and a
# temporary HOME: a developer's real keyring and settings are never touched.
pytest: $(STAMP)
	tools/with-test-keyring.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_inspect.py
	$(BIN)/python benchmarks/bench_export.py
	$(BIN)/python benchmarks/bench_gui.py
	$(BIN)/python benchmarks/bench_revoke.py
	$(BIN)/python benchmarks/bench_audit.py
	$(BIN)/python benchmarks/bench_scan.py
	$(BIN)/python benchmarks/bench_har.py
	$(BIN)/python benchmarks/bench_frozen.py $(if $(wildcard dist/jwtdesk/jwtdesk),--reuse)

# The one-folder app (dist/jwtdesk/, PyInstaller; build/pyinstaller is reused between runs)
# and the .deb built from it (dist/jwtdesk_<version>_<arch>.deb). See packaging/README.md.
dist: debs $(STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/jwtdesk.spec
	$(BIN)/python packaging/build_deb.py

# Installs the .deb system-wide (dpkg -i, as root), runs the installed CLI and GUI under a
# throwaway Secret Service and Xvfb, then removes it (dpkg -r): tests/packaging.
dist-check: dist
	JWTDESK_DIST_CHECK=1 tools/with-test-keyring.sh $(BIN)/python -m pytest tests/packaging -q

# A PNG of every view and dialog in screenshots/: the app on a virtual screen (Xvfb) with a
# demo data set, in a throwaway keyring and a temporary HOME.
screenshots: debs $(STAMP)
	QT_QPA_PLATFORM=xcb tools/with-test-keyring.sh \
		xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
