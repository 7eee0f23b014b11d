"""Errors in GUI words: every Fix has them, none names a CLI flag, and no view decides by (or
patches) the text of a message."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import jwtdesk.gui
from jwtdesk.core.errors import Fix, InvalidInput, NotFound
from jwtdesk.core.inspect import Cause, Check
from jwtdesk.gui.models.error_text import FIXES, fix_text, for_people
from jwtdesk.gui.views.inspect.verdict import adjusted_checks
from jwtdesk.services import KeyService

GUI = Path(jwtdesk.gui.__file__).parent
# Receivers that hold words meant for people: an error's message, a check's reason, what a
# banner, verdict or status line shows.
_TEXTUAL = re.compile(r"message|reason|error|banner|verdict|status", re.IGNORECASE)
_TEXT_METHODS = {"replace", "startswith", "endswith"}


def test_every_fix_has_gui_words_without_cli_flags() -> None:
    assert set(FIXES) == set(Fix)
    for fix in Fix:
        words = fix_text(fix)
        assert words and "--" not in words and "jwtdesk " not in words, fix


@pytest.mark.parametrize("fix", list(Fix), ids=lambda f: f.value)
def test_for_people_adds_the_gui_fix(fix: Fix) -> None:
    text = for_people(InvalidInput("it is wrong", fix=fix))
    assert text == f"it is wrong; {FIXES[fix]}"
    assert for_people(NotFound("no such keyset")) == "no such keyset"


def test_the_signature_row_is_restated_by_its_cause_not_its_words() -> None:
    tried = Check("signature", "failed", "any words at all", "signature", Cause.KEYS_TRIED)
    other = Check("signature", "failed", "a candidate was mentioned", "signature")
    out = adjusted_checks((tried, other), "keyring locked")
    assert out[0].reason == "any words at all; stored keysets not tried: keyring locked"
    assert out[1] == other  # words alone never trigger it


def _text_decisions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _TEXT_METHODS
            and _TEXTUAL.search(ast.unparse(node.func.value))
        ):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                literal = isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
                if (
                    isinstance(op, ast.In | ast.NotIn)
                    and literal
                    and _TEXTUAL.search(ast.unparse(right))
                ):
                    found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_view_patches_or_matches_message_text() -> None:
    files = sorted(GUI.rglob("*.py"))
    assert len(files) > 40  # the walk sees the whole GUI package
    found = [hit for path in files for hit in _text_decisions(path)]
    assert found == []


def test_the_walk_catches_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "a = exc.message.replace('--x', 'y')\n"
        "b = 'candidate' in check.reason\n"
        "c = self.banner.text.startswith('The key file')\n"
        "d = self.verdict.text().endswith('again')\n"
        "e = label.replace('&', '')\n",
        encoding="utf-8",
    )
    assert len(_text_decisions(sample)) == 4


def test_views_show_errors_through_for_people() -> None:
    """An error's bare message would drop its fix: only error_text reads it."""
    found = []
    for path in sorted(GUI.rglob("*.py")):
        if path.name == "error_text.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "message"
                and isinstance(node.value, ast.Name)
                and node.value.id in ("exc", "error", "err")
            ):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []


def test_a_view_default_fix_applies_only_when_the_error_has_none() -> None:
    plain = InvalidInput("x.bin: not valid JSON.")
    assert for_people(plain, default=Fix.GIVE_HMAC_KEY) == (
        f"x.bin: not valid JSON; {FIXES[Fix.GIVE_HMAC_KEY]}"
    )
    own = InvalidInput("bad", fix=Fix.NAME_ALG)
    assert for_people(own, default=Fix.GIVE_HMAC_KEY) == f"bad; {FIXES[Fix.NAME_ALG]}"


def test_the_export_preview_names_the_checkbox_not_the_flag(
    memory_service: KeyService, qtbot: QtBot
) -> None:
    from jwtdesk.gui.clipboard import ClipboardGuard
    from jwtdesk.gui.views.export.view import ExportView
    from jwtdesk.services.export import ExportService
    from tests.gui.conftest import make_ctx

    memory_service.create("sig", "ES256")
    ExportService(memory_service).create_profile("signed", access="sig", fmt="docker")
    ctx = make_ctx(memory_service)
    view = ExportView(ctx, None, ClipboardGuard(None, 30))
    qtbot.addWidget(view)
    view.show()
    preview = view.preview.toPlainText()
    assert "cannot carry a newline in JWT_PRIVATE_KEY" in preview
    assert view.base64_check.text() in preview and "--multiline" not in preview
    view.base64_check.setChecked(True)  # and the control it names does what it says
    assert "JWT_PRIVATE_KEY_B64=" in view.preview.toPlainText()
    ctx.runner.shutdown()
