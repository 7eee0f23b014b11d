"""Inspect shows where a pasted token came from and how it travelled; a dropped HAR file lists
its tokens and choosing one inspects it. Against the in-memory keyring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from jwtdesk.core.extract import extract_all
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.views.inspect.sources import FoundTokensModel, describe, short_mask
from jwtdesk.gui.views.inspect.view import InspectView
from tests.core.har_samples import ACCESS, ID_TOKEN, REFRESH, login_flow_chrome
from tests.gui.test_inspect import drop_file, paste


@pytest.fixture
def view(ctx: AppContext, qtbot: QtBot) -> InspectView:
    widget = InspectView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    return widget


def finding_ids(view: InspectView) -> set[str]:
    return {f.id for f in view.findings_model.findings()}


def test_a_pasted_set_cookie_shows_its_source_and_transport_findings(
    view: InspectView, qtbot: QtBot
) -> None:
    paste(qtbot, view, f"Set-Cookie: jwt_token={ACCESS}; Path=/; Max-Age=86400")
    qtbot.waitUntil(lambda: view.report is not None, timeout=5000)
    assert "cookie 'jwt_token' of the Set-Cookie header" in view.extracted_label.text()
    assert view.extracted_label.isVisible()
    found = finding_ids(view)
    assert {"cookie-no-httponly", "cookie-no-secure", "cookie-no-samesite"} <= found
    assert "cookie-outlives-token" in found and "missing-iss" not in found
    assert "on how it travelled" in view.findings_title.text()
    assert view.sources_panel.isHidden()  # one token: no list


def test_several_pasted_tokens_are_listed_and_one_can_be_chosen(
    view: InspectView, qtbot: QtBot
) -> None:
    text = f"curl 'http://api.example/x?id_token={ID_TOKEN}' -H 'Authorization: Bearer {ACCESS}'"
    view.set_token(text)
    assert view.sources_panel.isVisible() and view.sources_panel.model.rowCount() == 2
    assert view.extracted is not None and view.extracted.token == ACCESS  # Bearer first
    assert "token-over-http" in finding_ids(view)
    view.sources_panel.table.selectRow(0)
    assert view.extracted.token == ID_TOKEN
    assert "token-in-url" in finding_ids(view)
    assert view.token_edit.toPlainText() == text  # what was pasted is never rewritten
    assert "2 tokens found; inspecting number 1" in view.extracted_label.text()


def test_code_that_stores_a_token_shows_findings_without_a_token(view: InspectView) -> None:
    view.set_token("localStorage.setItem('jwt_token', token);")
    assert "No token in the pasted code" in view.extracted_label.text()
    assert finding_ids(view) == {"token-in-web-storage"}


def test_a_split_token_is_found_and_the_break_explained(view: InspectView) -> None:
    view.set_token(f"Authorization: Bearer {ACCESS[:40]}\n{ACCESS[40:]}")
    assert view.extracted is not None and view.extracted.token == ACCESS[:40] + "\n" + ACCESS[40:]
    assert "runs across a line break" in view.extracted_label.text()


@pytest.fixture
def har_file(tmp_path: Path) -> Path:
    path = tmp_path / "login.har"
    path.write_text(json.dumps(login_flow_chrome()))
    return path


def test_a_dropped_har_lists_its_tokens_and_choosing_one_inspects_it(
    view: InspectView, qtbot: QtBot, har_file: Path
) -> None:
    drop_file(view, har_file)
    qtbot.waitUntil(view.sources_panel.isVisible, timeout=10_000)
    panel = view.sources_panel
    assert (
        panel.model.rowCount() == 3 and "3 token(s) in login.har (4 entries)" in panel.title.text()
    )
    shown = {panel.model.index(r, 0).data() for r in range(3)}
    assert shown == {short_mask(t) for t in (ACCESS, REFRESH, ID_TOKEN)}  # masked in the list
    assert all(text.endswith(".••••••••") for text in shown)
    assert view.token_edit.toPlainText() == view.picker.har.found[0].token  # type: ignore[union-attr]
    assert "in login.har: seen in" in view.extracted_label.text()
    refresh_row = next(
        r
        for r in range(3)
        if view.picker.har.found[r].token == REFRESH  # type: ignore[union-attr]
    )
    panel.table.selectRow(refresh_row)
    assert view.token_edit.toPlainText() == REFRESH
    assert {"refresh-token-readable-by-js", "missing-hsts"} <= finding_ids(view)
    panel.close_button.click()
    assert view.picker.har is None and panel.isHidden() and view.token_edit.toPlainText() == ""


def test_a_malformed_har_is_explained_in_the_banner(
    view: InspectView, qtbot: QtBot, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.har"
    bad.write_text('{"log": {"entries": [{"request": ')
    drop_file(view, bad)
    qtbot.waitUntil(view.banner.isVisible, timeout=5000)
    assert "broken.har is not valid JSON" in view.banner.text and "\n" not in view.banner.text


def test_found_tokens_model_passes_qtmodeltester(qtmodeltester: ModelTester) -> None:
    model = FoundTokensModel()
    model.set_found(extract_all(f"Cookie: a={ACCESS}; b={REFRESH}").found)
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.index(1, 1).data() == "cookie 'b' of the Cookie header"


def test_describe_never_includes_the_token() -> None:
    x = extract_all(f"https://app.example/cb#id_token={ID_TOKEN}")
    text = describe(x.found[0], x, 0)
    assert "URL fragment parameter 'id_token'" in text and ID_TOKEN not in text
