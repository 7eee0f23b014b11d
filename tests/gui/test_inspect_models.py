"""The item models of Inspect and Build (checked with qtmodeltester) and the shared widgets."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from jwtdesk.core import keyfile
from jwtdesk.core.inspect import Expectations, inspect
from jwtdesk.core.secret import Secret
from jwtdesk.gui.models.inspect import ChecksModel, ClaimsModel, FindingsModel
from jwtdesk.gui.models.inspect_text import MS_WARNING, describe_time, reference_url
from jwtdesk.gui.tokenview import (
    SEGMENT_COLOURS,
    Lifetime,
    LifetimeBar,
    SegmentHighlighter,
    TokenDisplay,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SECRET = b"k" * 32
CLAIMS: dict[str, Any] = {
    "sub": "alice",
    "iat": int(NOW.timestamp()) - 60,
    "exp": int(NOW.timestamp()) + 720,
    "nbf": 1777636800000,  # 13 digits: milliseconds
    "address": {"street": "Main St", "password": "x"},
    "roles": ["admin", {"scope": "all"}],
}


def report(claims: dict[str, Any] = CLAIMS, **expect: Any) -> Any:
    token = jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": "k1"})
    cand = keyfile.Candidate("test secret", keyfile.KeyType.OCT, Secret(SECRET), kid="k1")
    return inspect(token, [cand], Expectations(at=NOW, **expect))


def fill(model: ClaimsModel, r: Any) -> None:
    t = r.token
    model.set_token((t.header_bytes, t.header), (t.payload_bytes, t.claims), r.as_of)


def test_checks_model(qtmodeltester: ModelTester) -> None:
    model = ChecksModel()
    r = report(iss="https://other")
    model.set_checks(r.checks)
    qtmodeltester.check(model)
    by_name = {model.index(i, 0).data(ChecksModel.NameRole): i for i in range(model.rowCount())}
    iss = model.index(by_name["iss"], 1)
    assert iss.data() == "Failed" and iss.data(ChecksModel.StatusRole) == "failed"
    assert iss.data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(by_name["aud"], 1).data() == "Skipped"  # never shown as passed
    assert model.index(by_name["signature"], 2).data().startswith("verified by test secret")
    # Same rows, new reasons: updated in place (a selection survives the 1 s tick).
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_checks(report(iss="https://other", leeway=timedelta(seconds=5)).checks)
    model.set_checks(report().checks)
    assert resets == []
    qtmodeltester.check(model)


def test_claims_model_tree_times_and_locations(qtmodeltester: ModelTester) -> None:
    model = ClaimsModel()
    fill(model, report())
    qtmodeltester.check(model)
    exp = model.index_for_location("claims.exp")
    meaning = exp.siblingAtColumn(2).data()
    assert exp.siblingAtColumn(1).data() == str(CLAIMS["exp"])  # the raw number
    assert "2026-05-01 12:12:00 UTC" in meaning and "local" in meaning
    assert meaning.endswith("expires in 12 min")
    iat = model.index_for_location("claims.iat").siblingAtColumn(2).data()
    assert iat.endswith("issued 1 min ago")
    nbf = model.index_for_location("claims.nbf").siblingAtColumn(2)
    assert MS_WARNING in nbf.data() and nbf.data(Qt.ItemDataRole.DecorationRole) is not None
    nested = model.index_for_location("claims.address.password")
    assert nested.data() == "password" and nested.parent().data() == "address"
    assert model.index_for_location("claims.roles[1].scope").data() == "scope"
    # A path that is not shown selects its nearest ancestor.
    assert model.index_for_location("claims.address.gone").data() == "address"
    assert model.index_for_location("header.kid").siblingAtColumn(1).data() == '"k1"'
    assert not model.index_for_location("signature").isValid()
    assert not model.index_for_location(None).isValid()
    qtmodeltester.check(model)


def test_claims_model_updates_times_without_a_reset(qtmodeltester: ModelTester) -> None:
    model = ClaimsModel()
    r = report()
    fill(model, r)
    resets: list[int] = []
    changed: list[QModelIndex] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, _b, _r: changed.append(a))
    t = r.token
    later = r.as_of + timedelta(minutes=20)
    model.set_token((t.header_bytes, t.header), (t.payload_bytes, t.claims), later)
    assert resets == [] and {i.data(ClaimsModel.PathRole) for i in changed} == {
        "claims.exp",
        "claims.iat",
        "claims.nbf",
    }
    assert (
        model.index_for_location("claims.exp")
        .siblingAtColumn(2)
        .data()
        .endswith("expired 8 min ago")
    )
    model.clear()
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_claims_model_for_a_jwe_and_for_garbage(qtmodeltester: ModelTester) -> None:
    model = ClaimsModel()
    header = base64.urlsafe_b64encode(json.dumps({"alg": "dir", "enc": "A256GCM"}).encode())
    jwe = inspect(header.rstrip(b"=").decode() + "..aXY.Y2lw.dGFn", [], Expectations(at=NOW))
    t = jwe.token
    model.set_token((t.header_bytes, t.header), (None, None), NOW, "encrypted (JWE)")
    qtmodeltester.check(model)
    assert model.index_for_location("claims").siblingAtColumn(1).data() == "encrypted (JWE)"
    assert model.rowCount(model.index_for_location("claims")) == 0
    model.set_token((b"x", None), (None, None), NOW)
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "not decoded"


def test_findings_model(qtmodeltester: ModelTester) -> None:
    model = FindingsModel()
    r = report()
    model.set_findings(r.findings)
    qtmodeltester.check(model)
    ids = [model.index(i).data(FindingsModel.RuleIdRole) for i in range(model.rowCount())]
    assert {"ms-timestamp", "sensitive-claim", "missing-aud"} <= set(ids)
    row = ids.index("sensitive-claim")
    assert model.index(row).data(FindingsModel.LocationRole) == "claims.address.password"
    assert model.index(row).data(FindingsModel.ReferenceUrlRole) == (
        "https://www.rfc-editor.org/rfc/rfc7519#section-12"
    )
    assert model.index(row).data(Qt.ItemDataRole.DecorationRole) is not None
    sev = [model.index(i).data(FindingsModel.SeverityRole) for i in range(model.rowCount())]
    assert sev == sorted(sev, key=["error", "warning", "info"].index)  # errors first
    model.set_findings(())
    assert model.rowCount() == 0
    qtmodeltester.check(model)


@pytest.mark.parametrize(
    ("reference", "url"),
    [
        ("RFC 7519 §4.1.4", "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4"),
        ("RFC 8725 §3.1; RFC 7518 §3.6", "https://www.rfc-editor.org/rfc/rfc8725#section-3.1"),
        ("RFC 7516 §7.1", "https://www.rfc-editor.org/rfc/rfc7516#section-7.1"),
        ("CVE-2022-21449", "https://www.cve.org/CVERecord?id=CVE-2022-21449"),
        ("jwtdesk limit: 1 MiB", None),
    ],
)
def test_reference_links(reference: str, url: str | None) -> None:
    assert reference_url(reference) == url


def test_times_read_as_people_say_them() -> None:
    exp = int(NOW.timestamp())
    assert describe_time("exp", exp + 720, NOW).endswith("expires in 12 min")
    assert describe_time("exp", exp - 3 * 3600, NOW).endswith("expired 3 h ago")
    assert describe_time("nbf", exp + 60, NOW).endswith("becomes valid in 1 min")
    assert describe_time("iat", exp + 120, NOW).endswith("in the future")
    ms = describe_time("exp", exp * 1000, NOW)
    assert MS_WARNING in ms and "2026-05-01 12:00:00 UTC" in ms
    assert "9999" in describe_time("exp", 1e15, NOW)


def test_highlighter_colours_the_three_segments(qtbot: QtBot) -> None:
    display = TokenDisplay()
    qtbot.addWidget(display)
    display.set_token("aaaa.bbbbbb.cc")
    ranges = display.document().firstBlock().layout().formats()
    spans = sorted((r.start, r.length, r.format.foreground().color().name()) for r in ranges)
    assert spans == [
        (0, 4, SEGMENT_COLOURS[0]),
        (5, 6, SEGMENT_COLOURS[1]),
        (12, 2, SEGMENT_COLOURS[2]),
    ]
    assert display.toPlainText() == "aaaa.bbbbbb.cc"


def test_highlighter_follows_a_token_inside_other_text(qtbot: QtBot) -> None:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)

    def locate(text: str) -> Any:
        from jwtdesk.gui.tokenview import span_of

        at = text.find("eyJ")
        return span_of(text[at:].split(maxsplit=1)[0], at) if at >= 0 else None

    SegmentHighlighter(edit, locate)
    edit.setPlainText("GET /\nAuthorization: Bearer eyJa.eyJb.c\nAccept: */*")
    block = edit.document().findBlockByNumber(1)
    starts = sorted(r.start for r in block.layout().formats())
    assert starts == [22, 27, 32]
    assert not edit.document().firstBlock().layout().formats()
    # The token moves to the first line: the second line loses its colours.
    cursor = edit.textCursor()
    cursor.setPosition(0)
    cursor.insertText("eyJz.eyJy.x ")
    assert not edit.document().findBlockByNumber(1).layout().formats()
    assert len(edit.document().firstBlock().layout().formats()) == 3


def test_lifetime_bar_says_what_it_draws(qtbot: QtBot) -> None:
    bar = LifetimeBar()
    qtbot.addWidget(bar)
    bar.resize(400, bar.minimumHeight())
    at = NOW.timestamp()
    life = Lifetime.from_claims(CLAIMS, at, 30, live=False)
    assert life.nbf is None  # a 13-digit nbf is not drawn as seconds
    bar.set_lifetime(life)
    assert "issued 1 min ago" in bar.toolTip() and "expires in 12 min" in bar.toolTip()
    assert "as-of time" in bar.accessibleDescription()
    assert not bar.grab().isNull()
    bar.set_lifetime(Lifetime.from_claims({"sub": "x"}, at, 30, live=True))
    assert "no lifetime" in bar.toolTip()
    far = Lifetime.from_claims(
        {"exp": int(at) - 86400 * 400, "iat": int(at) - 86400 * 401}, at, 0, True
    )
    bar.set_lifetime(far)
    assert "expires 400 d ago" in bar.toolTip()
    assert not bar.grab().isNull()
