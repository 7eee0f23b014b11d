"""The version has one source, ``jwtdesk.__version__``: package metadata, --version, About box
(tests/gui/test_main_window.py) and the .deb's name (tests/packaging) all show it."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from jwtdesk import __version__
from jwtdesk.cli import main as cli_main


def test_package_metadata_is_the_module_version() -> None:
    # setuptools reads jwtdesk.__version__ (pyproject: dynamic version); a stale install differs.
    assert version("jwtdesk") == __version__


def test_cli_and_gui_print_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--version"]) == 0
    assert capsys.readouterr().out == f"jwtdesk {__version__}\n"
    from jwtdesk.gui.app import main as gui_main

    assert gui_main(["jwtdesk-gui", "--version"]) == 0
    assert capsys.readouterr().out == f"jwtdesk {__version__}\n"
