"""HAR files: every token with the requests that carried it, streamed; malformed files refused
with a one-line error that names the file and never its content."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jwtdesk.core import har
from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.extract import Extraction, Found, extract_all
from jwtdesk.services.tokens import read_har, read_input
from tests.core.har_samples import (
    ACCESS,
    ID_TOKEN,
    REFRESH,
    chrome_entry,
    chrome_har,
    login_flow_chrome,
    refresh_flow_firefox,
)


def scan(doc: object, chunk: int | None = None) -> Extraction:
    text = json.dumps(doc, indent=1)
    stream = io.StringIO(text)
    read = stream.read if chunk is None else (lambda _n: stream.read(chunk))
    return har.scan(read, "flow.har")


def by_token(x: Extraction) -> dict[str, Found]:
    return {f.token: f for f in x.found}


def vias(found: Found) -> set[tuple[str | None, str | None, bool]]:
    return {(s.via, s.name, s.sent) for s in found.sources}


def test_chrome_login_flow_finds_every_token_where_it_travelled() -> None:
    x = scan(login_flow_chrome())
    assert x.har == "flow.har" and x.entries == 4
    found = by_token(x)
    assert set(found) == {ACCESS, REFRESH, ID_TOKEN}
    access = found[ACCESS]
    # base64-encoded JSON body of the token response, the Bearer header, a tracker's URL.
    assert ("body", "access_token", False) in vias(access)
    assert ("bearer", "Authorization", True) in vias(access)
    assert ("url", "t", True) in vias(access)
    tracker = next(s for s in access.sources if s.via == "url")
    assert (tracker.scheme, tracker.host, tracker.method, tracker.part) == (
        "http", "tracker.example", "GET", "query"
    )  # fmt: skip
    # The Set-Cookie header and response.cookies name one cookie: seen once, with attributes.
    refresh = [s for s in found[REFRESH].sources if s.via == "set-cookie"]
    assert len(refresh) == 1 and refresh[0].cookie is not None
    assert refresh[0].cookie.max_age == 31536000 and not refresh[0].cookie.http_only
    assert refresh[0].at is not None and refresh[0].at.year == 2026
    # The redirect's fragment, from both the Location header and redirectURL: one place.
    id_sources = [s for s in found[ID_TOKEN].sources if s.via == "url"]
    assert {s.part for s in id_sources} == {"fragment"} and not any(s.sent for s in id_sources)
    assert x.sts_hosts == frozenset({"api.example"})


def test_firefox_refresh_flow_reads_form_params_joined_set_cookies_and_cookie_header() -> None:
    found = by_token(scan(refresh_flow_firefox()))
    assert ("body", "refresh_token", True) in vias(found[REFRESH])
    access = found[ACCESS]
    assert ("set-cookie", "sid", False) in vias(access)  # the first of two joined Set-Cookies
    cookie = next(s.cookie for s in access.sources if s.via == "set-cookie")
    assert cookie is not None and cookie.http_only and cookie.secure and cookie.same_site == "Lax"
    assert ("cookie", "sid", True) in vias(access)
    assert ("body", "id_token", False) in vias(found[ID_TOKEN])


def test_http2_pseudo_headers_do_not_count_the_url_twice() -> None:
    entry = chrome_entry("GET", f"https://api.example/v1?access_token={ACCESS}")
    (found,) = scan(chrome_har([entry])).found
    assert [s.via for s in found.sources] == ["url"]


def test_small_chunks_give_the_same_result_as_one_read() -> None:
    doc = login_flow_chrome()
    whole = scan(doc)
    assert scan(doc, chunk=7).found == whole.found  # entries split at any character


def test_binary_bodies_are_not_searched_and_odd_entries_are_skipped() -> None:
    gif = chrome_entry("GET", "https://cdn.example/a.gif", mime="image/gif", body=ACCESS)
    doc = chrome_har([gif, "not an entry", {"request": 5}])  # type: ignore[list-item]
    x = scan(doc)
    assert x.found == () and x.entries == 3 and "entry 2 is not an object" in x.skipped


def test_a_pasted_har_text_is_read_as_a_har() -> None:
    text = json.dumps(login_flow_chrome())
    x = extract_all(text)
    assert x.har == "the pasted HAR" and {f.token for f in x.found} == {ACCESS, REFRESH, ID_TOKEN}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "does not start with a JSON object"),
        ("GET / HTTP/1.1\nHost: x\n", "does not start with a JSON object"),
        ("[1, 2]", "does not start with a JSON object"),
        ('{"log": {"version": "1.2"}}', "has no log.entries array"),
        ('{"log": []}', "log is not an object"),
        ('{"log": {"entries": {}}}', "log.entries is not an array"),
        ('{"log": {"entries": [{"request": {"url": "x"}}', "not valid JSON at character"),
        ('{"log": {"entries": [{"request": tru}]}}', "not valid JSON at character"),
        ('{"log": {"entries": []}} trailing', "text after the end"),
    ],
)
def test_malformed_har_gives_one_line_naming_the_file(
    tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "capture.har"
    path.write_text(content + f" {ACCESS}" * ("trailing" in content))
    with pytest.raises(InvalidInput) as info:
        read_har(str(path))
    message = str(info.value)
    assert says in message and "capture.har" in message and "\n" not in message
    assert ACCESS not in message and "eyJ" not in message


def test_binary_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "bin.har"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_har(str(path))
    with pytest.raises(InvalidInput, match=r"cannot read gone\.har"):
        read_har(str(tmp_path / "gone.har"))


def test_read_input_tells_a_har_saved_as_json_from_a_token_file(tmp_path: Path) -> None:
    as_json = tmp_path / "network.json"
    as_json.write_text(json.dumps(login_flow_chrome()))
    text, x = read_input(str(as_json))
    assert text == "" and x is not None and len(x.found) == 3
    plain = tmp_path / "token.txt"
    plain.write_text(f"Authorization: Bearer {ACCESS}\n")
    text, x = read_input(str(plain))
    assert x is None and ACCESS in text


def test_an_entry_over_the_limit_is_refused_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(har, "MAX_ENTRY", 1000)
    monkeypatch.setattr(har, "CHUNK", 100)
    doc = chrome_har([chrome_entry("GET", "https://x.example/", body="z" * 5000)])
    with pytest.raises(InvalidInput, match="has a value over"):
        scan(doc)


# VmHWM (this process's peak RSS since exec; ru_maxrss would count the forking parent).
STREAM_SCRIPT = """
import sys
from pathlib import Path
from jwtdesk.services.tokens import read_har
x = read_har(sys.argv[1])
hwm = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM"))
print(len(x.found), x.entries, hwm.split()[1])
"""


def test_a_100_mb_har_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    """100 MB of entries (each ~100 KB of body) with a token every 50 entries: the process
    never holds the file; its peak RSS stays far below the file's size."""
    path = tmp_path / "big.har"
    body = json.dumps({"rows": ["x" * 1000] * 100})
    with path.open("w") as fh:
        fh.write('{"log": {"version": "1.2", "creator": {"name": "t"}, "entries": [')
        for i in range(1000):
            url = f"https://api.example/{i}"
            headers = [("authorization", f"Bearer {ACCESS}")] if i % 50 == 0 else []
            entry = chrome_entry("GET", url, req_headers=headers, body=body)
            fh.write(("," if i else "") + json.dumps(entry))
        fh.write("]}}")
    assert path.stat().st_size > 100_000_000
    done = subprocess.run(
        [sys.executable, "-c", STREAM_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    tokens, entries, peak_kib = map(int, done.stdout.split())
    assert (tokens, entries) == (1, 1000)
    assert peak_kib < 64 * 1024, f"peak RSS {peak_kib} KiB for a 100 MB HAR"
