"""One rule, two front ends: the GUI and the CLI give the same answer because both call the
same function below the UI (new-keyset validation, revealing a secret, the signing preset)."""

from __future__ import annotations

import json

import jwt
import pytest
from pytestqt.qtbot import QtBot

from jwtdesk.cli import main
from jwtdesk.core import tokens
from jwtdesk.core.keysets import Purpose
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.views.build.view import BuildView
from jwtdesk.gui.views.keys.details import read_secret_text
from jwtdesk.gui.views.keys.dialogs import NewKeysetDialog

pytestmark = pytest.mark.secret_service


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("bad name!", ""),  # the name's rules
        ("taken", ""),  # a free name
        ("fine", "two\nlines"),  # a label is one printable line
    ],
)
def test_the_new_keyset_dialog_and_keys_new_refuse_with_the_same_words(
    ctx: AppContext, qtbot: QtBot, capsys: pytest.CaptureFixture[str], name: str, service: str
) -> None:
    ctx.keys.create("taken", "HS256")
    dialog = NewKeysetDialog(ctx.keys.names())
    qtbot.addWidget(dialog)
    dialog.name.setText(name)
    dialog.service.setText(service)
    dialog.alg.setCurrentIndex(dialog.alg.findData("HS256"))
    assert not dialog.ok.isEnabled()
    gui = dialog.error.text
    code, _, err = cli(capsys, "keys", "new", name, "--alg", "HS256", "--service", service)
    assert code == 1
    assert err == f"jwtdesk: error: {gui}\n"


@pytest.mark.parametrize("alg", ["HS256", "ES256"])
def test_reveal_in_the_gui_shows_what_keys_show_reveal_prints_and_both_are_audited(
    ctx: AppContext, capsys: pytest.CaptureFixture[str], alg: str
) -> None:
    ks = ctx.keys.create("api", alg)
    assert ks.current is not None
    gui = read_secret_text(ctx.keys, "api", ks.current.kid, recheck=False)
    code, out, _ = cli(capsys, "keys", "show", "api", "--reveal", "--yes", "--json")
    assert code == 0
    assert json.loads(out)["secret"] == gui
    assert gui.startswith("-----BEGIN PRIVATE KEY-----") == (alg == "ES256")
    reveals = [e for e in ctx.keys.audit.read() if e.action == "reveal"]
    assert [(e.keyset, e.kid, e.outcome) for e in reveals] == [("api", ks.current.kid, "ok")] * 2


def test_the_build_view_and_token_build_default_to_the_same_preset(
    ctx: AppContext, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    view = BuildView(ctx)
    qtbot.addWidget(view)
    for purpose in Purpose:
        ctx.keys.create(purpose.value, "HS256", purpose=purpose)
    for purpose in Purpose:
        view.keyset_combo.setCurrentIndex(view.keyset_combo.findData(purpose.value))
        preset = tokens.preset_for(purpose)
        assert view.form.preset() is preset
        code, out, err = cli(capsys, "token", "build", "--keyset", purpose.value)
        assert code == 0, err
        claims = jwt.decode(out.strip(), options={"verify_signature": False})
        lifetime = tokens.PRESETS[preset].default_lifetime
        assert lifetime is not None  # preset_for never gives custom, which has none
        assert claims["exp"] - claims["iat"] == lifetime.total_seconds()
