"""`jwtdesk token inspect` of headers, cookies, URLs, curl, HTTP messages, code and HAR files:
the JSON contract (`source`, `{"tokens": [...]}`), masking, --reveal and one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from jwtdesk.cli import main
from tests.core.har_samples import ACCESS, ID_TOKEN, REFRESH, SECRET, login_flow_chrome


@pytest.fixture(autouse=True)
def _home(home: Path) -> None:
    """A private JWTDESK_HOME: nothing here reads the keyring."""


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None
) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as mp:
        if stdin is not None:
            mp.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def doc_of(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None
) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, "token", "inspect", *argv, "--json", stdin=stdin)
    assert err == "", err
    return code, json.loads(out)


@pytest.fixture
def secret_file(tmp_path: Path) -> str:
    path = tmp_path / "secret.bin"
    path.write_bytes(SECRET)
    return str(path)


def test_a_bare_token_keeps_its_document_plus_source(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    code, doc = doc_of(capsys, ACCESS, "--secret-file", secret_file)
    assert code == 0 and doc["valid"] is True and "tokens" not in doc and "token" not in doc
    assert doc["source"]["kind"] == "raw"
    assert {"header", "claims", "checks", "findings", "errors", "verified_by"} <= set(doc)


def test_a_set_cookie_header_is_inspected_not_reported_as_malformed_base64(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    code, doc = doc_of(
        capsys, f"Set-Cookie: jwt_token={ACCESS}; Path=/", "--secret-file", secret_file
    )
    assert code == 0 and doc["valid"] is True  # transport findings never change the verdict
    source = doc["source"]
    assert source["kind"] == "set-cookie" and source["name"] == "jwt_token"
    assert source["cookie"]["http_only"] is False and source["cookie"]["path"] == "/"
    found = {f["id"] for f in doc["findings"]}
    assert {"cookie-no-httponly", "cookie-no-secure", "cookie-no-samesite"} <= found
    assert "malformed" not in found


def test_several_tokens_give_a_tokens_document_with_masked_tokens(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = f"curl 'http://api.example/x?access_token={ACCESS}' -H 'Authorization: Bearer {REFRESH}'"
    code, out, _ = run(capsys, "token", "inspect", "--json", stdin=text)
    doc = json.loads(out)
    assert code == 1 and [t["source"]["kind"] for t in doc["tokens"]] == ["curl", "curl"]
    first = doc["tokens"][0]
    assert first["token"] == ACCESS.split(".")[0] + ".••••••••"
    assert first["source"]["url"] == "http://api.example/x?access_token=" + first["token"]
    assert {"token-over-http", "token-in-url"} <= {f["id"] for f in first["findings"]}
    assert ACCESS not in out and REFRESH not in out  # masked after the header everywhere


def test_a_file_holding_a_raw_http_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "request.txt"
    path.write_text(
        f"GET /me HTTP/1.1\r\nHost: api.example\r\nAuthorization: Bearer {ACCESS}\r\n\r\n"
    )
    _, doc = doc_of(capsys, str(path))
    assert doc["source"]["kind"] == "http" and doc["source"]["via"] == "bearer"
    assert doc["source"]["method"] == "GET" and doc["source"]["host"] == "api.example"


def test_code_storing_a_token_without_one_to_inspect(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = doc_of(capsys, "-", stdin="localStorage.setItem('jwt_token', token);\n")
    assert code == 1 and doc["tokens"] == []
    assert [f["id"] for f in doc["findings"]] == ["token-in-web-storage"]


@pytest.fixture
def har_file(tmp_path: Path) -> str:
    path = tmp_path / "login.har"
    path.write_text(json.dumps(login_flow_chrome()))
    return str(path)


def test_har_report_lists_every_token_with_its_requests(
    capsys: pytest.CaptureFixture[str], har_file: str, secret_file: str
) -> None:
    code, out, err = run(
        capsys, "token", "inspect", "--har", har_file, "--secret-file", secret_file, "--json"
    )
    assert err == "" and code == 0  # every token verifies with the secret
    doc = json.loads(out)
    assert doc["har"] == {"file": "login.har", "entries": 4, "skipped": []}
    assert len(doc["tokens"]) == 3 and doc["findings"] == []
    access = next(t for t in doc["tokens"] if t["claims"].get("scope") == "read")
    assert access["source"]["kind"] == "har" and access["source"]["requests"] == 3
    tracker = next(r for r in access["requests"] if r.get("host") == "tracker.example")
    assert tracker["method"] == "GET" and tracker["direction"] == "sent"
    assert tracker["url"].startswith("http://tracker.example/pixel.gif?t=eyJ")
    assert "••••••••" in tracker["url"]
    refresh_doc = next(t for t in doc["tokens"] if t["claims"].get("token_use") == "refresh")
    cookie = next(r["cookie"] for r in refresh_doc["requests"] if "cookie" in r)
    assert cookie["http_only"] is False and cookie["max_age"] == 31536000
    for token in (ACCESS, REFRESH, ID_TOKEN):
        assert token not in out  # never written, not even to the report


def test_har_reveal_prints_tokens_whole(capsys: pytest.CaptureFixture[str], har_file: str) -> None:
    _, out, _ = run(capsys, "token", "inspect", "--har", har_file, "--reveal", "--json")
    assert ACCESS in out and REFRESH in out


def test_har_text_report_groups_findings(capsys: pytest.CaptureFixture[str], har_file: str) -> None:
    code, out, err = run(capsys, "token", "inspect", "--har", har_file)
    assert code == 1 and err == ""
    assert "login.har: 4 entries, 3 distinct token(s)" in out
    assert "== token 1 of 3" in out and "seen in" in out and "summary:" in out
    assert "token-over-http" in out and "no HttpOnly" in out
    assert ACCESS not in out and REFRESH not in out


@pytest.mark.parametrize(
    ("content", "says"),
    [("not json at all", "does not start with a JSON object"), ('{"log": {}}', "no log.entries")],
)
def test_malformed_har_is_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "bad.har"
    path.write_text(content)
    code, out, err = run(capsys, "token", "inspect", "--har", str(path), "--json")
    assert code == 1 and out == ""
    assert err.startswith("jwtdesk: error: bad.har is not") and says in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_har_given_as_the_file_argument_is_read_as_a_har(
    capsys: pytest.CaptureFixture[str], har_file: str, tmp_path: Path
) -> None:
    _, doc = doc_of(capsys, har_file)
    assert doc["har"]["file"] == "login.har" and len(doc["tokens"]) == 3
    saved_as_json = tmp_path / "network.json"  # a HAR under another name: told by its start
    saved_as_json.write_text(Path(har_file).read_text())
    _, doc = doc_of(capsys, str(saved_as_json))
    assert doc["har"]["file"] == "network.json"
    code, _, err = run(capsys, "token", "inspect", har_file, "--har", har_file)
    assert code == 2 and "give one HAR file" in err


@pytest.mark.parametrize("defect", ["=", "+x"])
def test_a_non_canonical_token_in_a_header_reaches_inspect_unmodified(
    capsys: pytest.CaptureFixture[str], secret_file: str, defect: str
) -> None:
    """Issue 12's strict verdict still holds for a token taken out of a header."""
    bad = ACCESS + defect
    code, doc = doc_of(capsys, f"Authorization: Bearer {bad}", "--secret-file", secret_file)
    assert code == 1 and doc["valid"] is False and doc["source"]["kind"] == "bearer"
    canonical = next(c for c in doc["checks"] if c["name"] == "canonical")
    assert canonical["status"] == "failed"
