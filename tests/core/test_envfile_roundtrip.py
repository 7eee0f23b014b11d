"""Round trips of jwtdesk.core.envfile through the real readers of each format.

Readers: python-dotenv, Node dotenv (if `node` can `require('dotenv')`), a port of docker
compose's dotenv parser, bash and dash, docker's env-file parser (a port, plus the real docker CLI
against a fake daemon when `docker` is installed), systemd's parser (a port, plus the real
`load_env_file` of libsystemd-shared through ctypes when present), PyYAML and json.
"""

from __future__ import annotations

import base64
import ctypes
import io
import json
import os
import re
import shutil
import socketserver
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from dotenv import dotenv_values
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jwtdesk.core.envfile import Entry, Format, parse, render
from jwtdesk.core.errors import InvalidInput
from tests.core.test_envfile import FILE_TEXT

PEM = (
    ec.generate_private_key(ec.SECP256R1())
    .private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    .decode("ascii")
)
VALUES = {
    "ASCII": "".join(chr(c) for c in range(0x20, 0x7F)),
    "DOLLAR": "$HOME and $USER",
    "BRACED": "${X}",
    "BACKTICK": "`id` $(id)",
    "SQUOTE": "it's",
    "DQUOTE": 'say "hi"',
    "BACKSLASH": "a\\b\\\\c\\n\\t",
    "TRAILING_BS": "ends with \\",
    "MIXED": 'it\'s a \\ "mix"',
    "HASH": "a #b#c",
    "EQUALS": "=a=b==",
    "SPACES": "  padded  ",
    "PEM": PEM,
    "UNICODE": "пароль €",
    "EMPTY": "",
    "TAB": "\ttab\t",
    "CR": "a\rb",
    "CONTROL": "\x01\x1b\x7f\x0b\x0c\x85\u2028",
    "NEWLINE_MIX": 'line 1\nline $2 \\ "3"',
}
# What each format must refuse (every other value must round-trip).
REFUSED = {
    Format.DOTENV: {"ASCII", "BRACED", "NEWLINE_MIX"},
    Format.DOCKER: {"PEM", "CR", "NEWLINE_MIX"},
}
# Arbitrary text, and text made mostly of the characters quoting rules are about.
SYNTAX = "'\"\\$#{}=:-_ \t\n\r`aZ0;|&()~*\x00\x01\x0b\x0c\x1c\x7f\x85\xa0\u2028\ufeff€п"
TEXT = st.text(st.characters(codec="utf-8")) | st.text(SYNTAX)


def rendered(fmt: Format, name: str, value: str) -> str | None:
    """The file text, or None after checking that ``fmt`` is expected to refuse the value."""
    try:
        text = render(fmt, [Entry(name, value)])
    except InvalidInput as err:
        assert name in REFUSED.get(fmt, set()), f"{fmt.value} refused {name}: {err}"
        assert "\n" not in str(err)
        assert name in str(err)
        return None
    assert name not in REFUSED.get(fmt, set()), f"{fmt.value} accepted {name}"
    return text


def accepted(fmt: Format) -> list[Entry]:
    return [Entry(n, v) for n, v in VALUES.items() if n not in REFUSED.get(fmt, set())]


def written(tmp_path: Path, text: str, name: str = "env") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# --- dotenv: python-dotenv, Node dotenv, docker compose -----------------------------------------


def python_dotenv(text: str, *, interpolate: bool = True) -> dict[str, str | None]:
    return dict(dotenv_values(stream=io.StringIO(text), interpolate=interpolate))


_GO_SPACE = "\t\n\v\f\r \x85\xa0"
_COMPOSE_SPACE = "\t\v\f\r \x85\xa0"  # compose-go parser.go isSpace: no line breaks
_COMPOSE_ESCAPES = {
    **{"\\a": "\a", "\\b": "\b", "\\f": "\f", "\\n": "\n", "\\r": "\r", "\\t": "\t"},
    **{"\\v": "\v", '\\"': '"', "\\\\": "\\"},
}


def _go_is_space(c: str) -> bool:
    return c.isspace() and c not in "\x1c\x1d\x1e\x1f"


def compose_read(src: str) -> dict[str, str]:
    """A port of docker compose's env_file reader: compose-spec/compose-go dotenv/parser.go
    (commit e70e961c3a3acebf0800b882f1afb3dbf1fb74a2, v2.13). Interpolation (template.go) is
    reduced to: ``$$`` is ``$``, and any ``$name``/``${`` fails the test, since the value would
    change."""
    out: dict[str, str] = {}
    while True:
        src = _compose_statement_start(src)
        if not src:
            return out
        key, src = _compose_key(src)
        out[key], src = _compose_value(src)


def _compose_statement_start(src: str) -> str:
    while True:
        pos = next((i for i, c in enumerate(src) if not _go_is_space(c)), -1)
        if pos < 0:
            return ""
        src = src[pos:]
        if src[0] != "#":
            return src
        newline = src.find("\n")
        if newline < 0:
            return ""
        src = src[newline:]


def _compose_key(src: str) -> tuple[str, str]:
    if re.match(r"export[\t\n\f\r ]+", src):
        src = src.removeprefix("export").lstrip(_COMPOSE_SPACE)
    for i, c in enumerate(src):
        if c in _COMPOSE_SPACE:
            continue
        if c in "=:":
            key = "".join(ch for ch in src[:i]).rstrip()
            assert " " not in key, "compose: key cannot contain a space"
            return key, src[i + 1 :].lstrip(_COMPOSE_SPACE)
        assert c != "\n", "compose would inherit the variable from the environment"
        assert c in "_.-[]" or c.isalnum(), "compose: unexpected character in variable name"
    raise AssertionError("compose: zero length string")


def _compose_value(src: str) -> tuple[str, str]:
    if not src or src[0] not in "'\"":
        value, _, rest = src.partition("\n")
        value = value.split(" #", 1)[0]
        while value and _go_is_space(value[-1]):
            value = value[:-1]
        return _compose_interpolate(value), rest
    quote, chars, escaped = src[0], [], False
    for i in range(1, len(src)):
        c = src[i]
        if c != quote:
            if not escaped and c == "\\":
                escaped = True
                continue
            if escaped:
                escaped = False
                chars.append("\\")
            chars.append(c)
            continue
        if escaped:
            escaped = False
            chars.append(c)
            continue
        value = "".join(chars)
        if quote == '"':
            value = _compose_interpolate(_compose_escapes(value))
        return value, src[i + 1 :]
    raise AssertionError("compose: unterminated quoted value")


def _compose_escapes(value: str) -> str:
    def one(m: re.Match[str]) -> str:
        s = m.group()
        if s == "\\$":
            return "$$"
        if s.startswith("\\0"):
            s = "\\" + s[2:]
            ok = re.fullmatch(r"\\[0-7]{3}", s) and int(s[1:], 8) <= 255
            return chr(int(s[1:], 8)) if ok else s
        return _COMPOSE_ESCAPES.get(s, s)

    return re.sub(r"\\(?:[abcfnrtv$\"\\]|0\d{0,3})", one, value)


def _compose_interpolate(value: str) -> str:
    def one(m: re.Match[str]) -> str:
        assert m.group(1), "compose would interpolate a variable here"
        return "$"

    return re.sub(r"\$(?:(\$)|[_a-zA-Z{])", one, value)


@pytest.fixture(scope="module")
def node_dotenv() -> str:
    """``node`` able to ``require('dotenv')`` (e.g. with NODE_PATH set); skip otherwise.
    Nothing is installed: this test never depends on npm."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    probe = subprocess.run(
        [node, "-e", "require.resolve('dotenv')"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("Node dotenv is not available (set NODE_PATH to a node_modules with dotenv)")
    return node


def node_read(node: str, path: Path) -> dict[str, str]:
    script = (
        "const fs = require('fs');"
        "process.stdout.write(JSON.stringify(require('dotenv').parse(fs.readFileSync("
        "process.argv[1]))))"
    )
    out = subprocess.run([node, "-e", script, str(path)], capture_output=True, check=True)
    result: dict[str, str] = json.loads(out.stdout)
    return result


@pytest.mark.parametrize("name", VALUES)
def test_dotenv_each_value(name: str, tmp_path: Path) -> None:
    value = VALUES[name]
    text = rendered(Format.DOTENV, name, value)
    if text is None:
        return
    assert python_dotenv(text) == {name: value}
    assert python_dotenv(text, interpolate=False) == {name: value}
    # From a file too: text mode turns a raw CR into a newline, so none may be written.
    path = written(tmp_path, text)
    assert dotenv_values(path, encoding="utf-8") == {name: value}
    assert compose_read(text) == {name: value}
    assert parse(text, Format.DOTENV) == {name: value}
    assert parse(text) == {name: value}


def test_dotenv_whole_file(tmp_path: Path) -> None:
    entries = accepted(Format.DOTENV)
    text = render(Format.DOTENV, entries, header="# written by jwtdesk for profile api-prod")
    expected = {e.name: e.value for e in entries}
    assert python_dotenv(text) == expected
    assert compose_read(text) == expected
    assert parse(text) == expected
    assert dotenv_values(written(tmp_path, text), encoding="utf-8") == expected


def test_dotenv_node(node_dotenv: str, tmp_path: Path) -> None:
    entries = accepted(Format.DOTENV)
    text = render(Format.DOTENV, entries, header="written by jwtdesk")
    assert node_read(node_dotenv, written(tmp_path, text)) == {e.name: e.value for e in entries}


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_dotenv_property(value: str) -> None:
    try:
        text = render(Format.DOTENV, [Entry("V", value)])
    except InvalidInput:
        return
    assert python_dotenv(text) == {"V": value}
    assert compose_read(text) == {"V": value}
    assert parse(text) == {"V": value}


# --- shell: bash and dash --------------------------------------------------------------------


def shell_read(shell: str, path: Path, names: list[str]) -> dict[str, str]:
    proc = subprocess.run(
        [shell, "-c", 'set -a; . "$1"; exec env -0', "sh", str(path)],
        capture_output=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        check=True,
        timeout=30,
    )
    env = dict(item.split(b"=", 1) for item in proc.stdout.split(b"\0") if item)
    return {n: env[n.encode()].decode("utf-8") for n in names if n.encode() in env}


SHELLS = [s for s in ("bash", "dash") if shutil.which(s)]


@pytest.mark.parametrize("shell", SHELLS)
def test_shell_whole_file(shell: str, tmp_path: Path) -> None:
    entries = accepted(Format.SHELL)
    text = render(Format.SHELL, entries, header="written by jwtdesk")
    path = written(tmp_path, text)
    expected = {e.name: e.value for e in entries}
    assert shell_read(shell, path, list(expected)) == expected
    assert parse(text) == expected


@pytest.mark.parametrize("name", VALUES)
def test_shell_each_value(name: str, tmp_path: Path) -> None:
    text = rendered(Format.SHELL, name, VALUES[name])
    assert text is not None
    for shell in SHELLS:
        assert shell_read(shell, written(tmp_path, text), [name]) == {name: VALUES[name]}
    assert parse(text, Format.SHELL) == {name: VALUES[name]}


@settings(max_examples=100, deadline=None)
@given(TEXT)
def test_shell_property(value: str) -> None:
    try:
        text = render(Format.SHELL, [Entry("V", value)])
    except InvalidInput:
        assert "\0" in value
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = written(Path(tmp), text)
        for shell in SHELLS:
            assert shell_read(shell, path, ["V"]) == {"V": value}
    assert parse(text) == {"V": value}


# --- docker --env-file -----------------------------------------------------------------------


def docker_read(text: str) -> dict[str, str]:
    """A port of docker's env-file reader: docker/cli pkg/kvfile/kvfile.go parseKeyValueFile
    (commit 28f756087eea5fa301f3fbf12b01ae62f91521c2; before v28 the same rules lived in
    opts/envfile.go ParseEnvFile). bufio.ScanLines splits at LF and drops one CR before it;
    lines are trimmed on the left (unicode.IsSpace); '#' lines and empty lines are skipped; the
    first '=' splits name and value; no quote handling; a name with a space or tab is an error;
    a line without '=' takes the value from the environment (here: none, so it is skipped)."""
    out: dict[str, str] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        assert len(raw.encode()) < 64 * 1024, "bufio.Scanner: token too long"
        line = raw.removesuffix("\r")
        while line and _go_is_space(line[0]):
            line = line[1:]
        if not line or line[0] == "#":
            continue
        key, eq, value = line.partition("=")
        assert key, f"no variable name on line {number}"
        assert " " not in key and "\t" not in key, f"variable on line {number} has whitespace"
        if eq:
            out[key] = value
    return out


class _FakeDaemon(BaseHTTPRequestHandler):
    """Just enough of the Docker Engine API for `docker create` to send its request."""

    protocol_version = "HTTP/1.1"
    created: list[dict[str, object]]

    def _reply(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Api-Version", "1.47")
        self.send_header("Ostype", "linux")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._reply(200, b"")

    def do_GET(self) -> None:
        self._reply(200 if self.path.endswith("/_ping") else 404, b"OK")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if "/containers/create" in self.path:
            self.created.append(json.loads(body))
            self._reply(201, b'{"Id": "0123456789ab", "Warnings": []}')
        else:
            self._reply(404, b'{"message": "not faked"}')

    def log_message(self, format: str, *args: object) -> None:
        pass


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self) -> tuple[object, tuple[str, int]]:  # type: ignore[override]
        request, _ = self.socket.accept()
        return request, ("local", 0)


@pytest.fixture(scope="module")
def docker_cli() -> Iterator[tuple[str, dict[str, str], list[dict[str, object]]]]:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker CLI is not installed; the port of its parser is the check")
    with tempfile.TemporaryDirectory() as tmp:
        created: list[dict[str, object]] = []
        handler = type("Handler", (_FakeDaemon,), {"created": created})
        server = _UnixServer(str(Path(tmp) / "docker.sock"), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": tmp,
            "DOCKER_CONFIG": tmp,
            "DOCKER_HOST": f"unix://{tmp}/docker.sock",
        }
        yield docker, env, created
        server.shutdown()
        server.server_close()


def docker_cli_read(
    cli: tuple[str, dict[str, str], list[dict[str, object]]], path: Path
) -> dict[str, str]:
    """The Env the real `docker create --env-file` sends to the (fake) daemon."""
    docker, env, created = cli
    created.clear()
    cmd = [docker, "create", "--env-file", str(path), "busybox"]
    subprocess.run(cmd, env=env, capture_output=True, check=True, timeout=60)
    sent = created[0]["Env"]
    assert isinstance(sent, list)
    return dict(str(item).split("=", 1) for item in sent)


def test_docker_whole_file(tmp_path: Path) -> None:
    entries = accepted(Format.DOCKER)
    text = render(Format.DOCKER, entries, header="written by jwtdesk")
    expected = {e.name: e.value for e in entries}
    assert docker_read(text) == expected
    assert parse(text, Format.DOCKER) == expected


@pytest.mark.parametrize("name", VALUES)
def test_docker_each_value(name: str) -> None:
    text = rendered(Format.DOCKER, name, VALUES[name])
    if text is not None:
        assert docker_read(text) == {name: VALUES[name]}
        assert parse(text, Format.DOCKER) == {name: VALUES[name]}


def test_docker_real_cli(
    docker_cli: tuple[str, dict[str, str], list[dict[str, object]]], tmp_path: Path
) -> None:
    entries = accepted(Format.DOCKER)
    path = written(tmp_path, render(Format.DOCKER, entries, header="written by jwtdesk"))
    assert docker_cli_read(docker_cli, path) == {e.name: e.value for e in entries}
    # base64 mode carries what native docker refuses.
    text = render(Format.DOCKER, [Entry("PEM", PEM)], multiline="base64")
    got = docker_cli_read(docker_cli, written(tmp_path, text, "b64"))
    assert base64.b64decode(got["PEM_B64"]).decode() == PEM
    # The longest line docker reads; one byte more is refused by both.
    longest = Entry("L", "x" * (64 * 1024 - 3))
    got = docker_cli_read(docker_cli, written(tmp_path, render(Format.DOCKER, [longest]), "l"))
    assert got == {"L": longest.value}
    with pytest.raises(InvalidInput, match="64 KiB"):
        render(Format.DOCKER, [longest._replace(value=longest.value + "x")])


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_docker_property(value: str) -> None:
    try:
        text = render(Format.DOCKER, [Entry("V", value)])
    except InvalidInput:
        assert any(c in value for c in "\n\r\0")
        return
    assert docker_read(text) == {"V": value}
    assert parse(text, Format.DOCKER) == {"V": value}


# --- systemd EnvironmentFile= ----------------------------------------------------------------


class _SystemdV252:
    """A transliteration of parse_env_file_internal + load_env_file_push from systemd v252
    src/basic/env-file.c (Debian 12), one method per state of its switch; the C string ends at
    the first NUL. In v252 an escaped character in a comment, even a newline, stays in the
    comment (v254 changed COMMENT_ESCAPE). States keep their C names."""

    WHITESPACE, NEWLINE, COMMENTS = " \t\n\r", "\n\r", "#;"

    def __init__(self) -> None:
        self.out: dict[str, str] = {}
        self.state, self.key, self.value = "PRE_KEY", "", ""
        self.last_key_ws: int | None = None
        self.last_value_ws: int | None = None

    def run(self, text: str) -> dict[str, str]:
        for c in text.split("\0", 1)[0]:
            getattr(self, "in_" + self.state.lower())(c)
        if self.state not in ("PRE_KEY", "KEY", "COMMENT", "COMMENT_ESCAPE"):
            self.push()
        return self.out

    def push(self) -> None:
        key = self.key[: self.last_key_ws] if self.last_key_ws is not None else self.key
        value = self.value
        if self.state == "VALUE" and self.last_value_ws is not None:
            value = value[: self.last_value_ws]
        self.out[key] = value
        self.state, self.key, self.value = "PRE_KEY", "", ""

    def in_pre_key(self, c: str) -> None:
        if c in self.COMMENTS:
            self.state = "COMMENT"
        elif c not in self.WHITESPACE:
            self.state, self.key, self.last_key_ws = "KEY", c, None

    def in_key(self, c: str) -> None:
        if c in self.NEWLINE:
            self.state, self.key = "PRE_KEY", ""
        elif c == "=":
            self.state, self.value, self.last_value_ws = "PRE_VALUE", "", None
        else:
            if c not in self.WHITESPACE:
                self.last_key_ws = None
            elif self.last_key_ws is None:
                self.last_key_ws = len(self.key)
            self.key += c

    def in_pre_value(self, c: str) -> None:
        if c in self.NEWLINE:
            self.push()
        elif c in "'\"\\":
            self.state = {"'": "SINGLE_QUOTE_VALUE", '"': "DOUBLE_QUOTE_VALUE"}.get(
                c, "VALUE_ESCAPE"
            )
        elif c not in self.WHITESPACE:
            self.state, self.value = "VALUE", self.value + c

    def in_value(self, c: str) -> None:
        if c in self.NEWLINE:
            self.push()
        elif c == "\\":
            self.state, self.last_value_ws = "VALUE_ESCAPE", None
        else:
            if c not in self.WHITESPACE:
                self.last_value_ws = None
            elif self.last_value_ws is None:
                self.last_value_ws = len(self.value)
            self.value += c

    def in_value_escape(self, c: str) -> None:
        self.state = "VALUE"
        if c not in self.NEWLINE:
            self.value += c

    def in_single_quote_value(self, c: str) -> None:
        if c == "'":
            self.state = "PRE_VALUE"
        else:
            self.value += c

    def in_double_quote_value(self, c: str) -> None:
        if c == '"':
            self.state = "PRE_VALUE"
        elif c == "\\":
            self.state = "DOUBLE_QUOTE_VALUE_ESCAPE"
        else:
            self.value += c

    def in_double_quote_value_escape(self, c: str) -> None:
        self.state = "DOUBLE_QUOTE_VALUE"
        if c in '"\\`$':  # SHELL_NEED_ESCAPE
            self.value += c
        elif c != "\n":
            self.value += "\\" + c

    def in_comment(self, c: str) -> None:
        if c == "\\":
            self.state = "COMMENT_ESCAPE"
        elif c in self.NEWLINE:
            self.state = "PRE_KEY"

    def in_comment_escape(self, c: str) -> None:
        self.state = "COMMENT"


def systemd_read(text: str) -> dict[str, str]:
    return _SystemdV252().run(text)


def _load_libsystemd() -> ctypes.CDLL | None:
    for root in (Path("/usr/lib"), Path("/lib")):
        for lib in sorted(root.glob("*/systemd/libsystemd-shared-*.so")) + sorted(
            root.glob("systemd/libsystemd-shared-*.so")
        ):
            try:
                cdll = ctypes.CDLL(str(lib))
            except OSError:
                continue
            cdll.load_env_file.argtypes = [
                ctypes.c_void_p,
                ctypes.c_char_p,
                ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
            ]
            cdll.load_env_file.restype = ctypes.c_int
            cdll.strv_free.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
            cdll.strv_free.restype = ctypes.c_void_p
            return cdll
    return None


LIBSYSTEMD = _load_libsystemd()


def libsystemd_read(path: Path) -> dict[str, str]:
    """systemd's own ``load_env_file()``, which EnvironmentFile= uses, from libsystemd-shared."""
    assert LIBSYSTEMD is not None
    strv = ctypes.POINTER(ctypes.c_char_p)()
    rc = LIBSYSTEMD.load_env_file(None, str(path).encode(), ctypes.byref(strv))
    assert rc >= 0, f"load_env_file failed: {rc}"
    items: list[bytes] = []
    while strv and strv[len(items)] is not None:
        items.append(strv[len(items)])
    LIBSYSTEMD.strv_free(strv)
    return dict(item.decode("utf-8").split("=", 1) for item in items)


def test_systemd_whole_file(tmp_path: Path) -> None:
    entries = accepted(Format.SYSTEMD)
    text = render(Format.SYSTEMD, entries, header="written by jwtdesk")
    expected = {e.name: e.value for e in entries}
    assert systemd_read(text) == expected
    assert parse(text, Format.SYSTEMD) == expected
    if LIBSYSTEMD is None:
        pytest.skip("libsystemd-shared not found; the port of its parser is the check")
    assert libsystemd_read(written(tmp_path, text)) == expected


@pytest.mark.parametrize("name", VALUES)
def test_systemd_each_value(name: str, tmp_path: Path) -> None:
    text = rendered(Format.SYSTEMD, name, VALUES[name])
    assert text is not None
    assert systemd_read(text) == {name: VALUES[name]}
    assert parse(text, Format.SYSTEMD) == {name: VALUES[name]}
    if LIBSYSTEMD is not None:
        assert libsystemd_read(written(tmp_path, text)) == {name: VALUES[name]}


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_systemd_property(value: str) -> None:
    try:
        text = render(Format.SYSTEMD, [Entry("V", value)])
    except InvalidInput:
        assert "\0" in value or any(_noncharacter(c) for c in value)
        return
    assert systemd_read(text) == {"V": value}
    assert parse(text, Format.SYSTEMD) == {"V": value}
    if LIBSYSTEMD is not None:
        with tempfile.TemporaryDirectory() as tmp:
            assert libsystemd_read(written(Path(tmp), text)) == {"V": value}


def _noncharacter(c: str) -> bool:
    return 0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE


@pytest.mark.parametrize("ch", ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"])
def test_systemd_refuses_noncharacters_that_libsystemd_cannot_read(ch: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"noncharacter.*choose another format") as err:
        render(Format.SYSTEMD, [Entry("V", "secret" + ch)])
    assert "secret" not in str(err.value)
    assert render(Format.JSON, [Entry("V", ch)])  # other formats carry it
    if LIBSYSTEMD is not None:  # what the refusal spares the user: systemd fails the whole file
        with pytest.raises(AssertionError, match="-22"):
            libsystemd_read(written(tmp_path, f'V="{ch}"\n'))


@pytest.mark.parametrize("ch", ["\ufdcf", "\ufdf0", "\ufffd", "\U0001fffd"])
def test_systemd_carries_neighbours_of_noncharacters(ch: str, tmp_path: Path) -> None:
    text = render(Format.SYSTEMD, [Entry("V", ch)])
    assert systemd_read(text) == {"V": ch}
    if LIBSYSTEMD is not None:
        assert libsystemd_read(written(tmp_path, text)) == {"V": ch}


def test_systemd_port_agrees_with_libsystemd_on_foreign_files(tmp_path: Path) -> None:
    if LIBSYSTEMD is None:
        pytest.skip("libsystemd-shared not found")
    text = (
        "# comment\n; comment\n  A = unquoted value  \nB='single' \"double\\$\\q\" tail \n"
        'C=one\\\ntwo\nD="multi\nline"\r\nE=\n'
    )
    assert systemd_read(text) == libsystemd_read(written(tmp_path, text))
    assert parse(text, Format.SYSTEMD) == systemd_read(text)


# --- k8s and json ----------------------------------------------------------------------------


def k8s_read(text: str) -> dict[str, str]:
    doc = yaml.safe_load(text)
    assert doc["apiVersion"] == "v1"
    assert doc["kind"] == "Secret"
    assert doc["type"] == "Opaque"
    assert doc["metadata"]["name"] == "jwt-keys"
    return {k: base64.b64decode(v, validate=True).decode("utf-8") for k, v in doc["data"].items()}


def test_k8s_and_json_whole_file() -> None:
    expected = {**VALUES, "NUL": "a\0b"}
    entries = [Entry(n, v) for n, v in expected.items()]
    k8s = render(Format.K8S, entries, header="written by jwtdesk")
    assert k8s_read(k8s) == expected
    assert parse(k8s) == expected
    text = render(Format.JSON, entries, header="ignored: JSON has no comments")
    assert json.loads(text) == expected
    assert parse(text) == expected


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_k8s_and_json_property(value: str) -> None:
    k8s = render(Format.K8S, [Entry("V", value)])
    assert k8s_read(k8s) == {"V": value}
    assert parse(k8s) == {"V": value}
    text = render(Format.JSON, [Entry("V", value)])
    assert json.loads(text) == {"V": value}
    assert parse(text) == {"V": value}


# --- every format ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(Format))
def test_parse_reads_back_render(fmt: Format) -> None:
    entries = accepted(fmt)
    text = render(fmt, entries, header="written by jwtdesk")
    assert parse(text, fmt) == {e.name: e.value for e in entries}


@pytest.mark.parametrize("fmt", list(Format))
def test_base64_multiline_round_trip(fmt: Format) -> None:
    entries = [Entry("PEM", PEM), Entry("CR", "a\rb"), Entry("PLAIN", "p")]
    back = parse(render(fmt, entries, multiline="base64"), fmt)
    assert back.keys() == {"PEM_B64", "CR_B64", "PLAIN"}
    assert base64.b64decode(back["PEM_B64"], validate=True).decode() == PEM
    assert base64.b64decode(back["CR_B64"], validate=True).decode() == "a\rb"
    assert back["PLAIN"] == "p"


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(list(Format)))
def test_parse_of_render_property(value: str, fmt: Format) -> None:
    try:
        text = render(fmt, [Entry("V", value), Entry("W", "w")])
    except InvalidInput as err:
        assert "\n" not in str(err)
        return
    assert parse(text, fmt) == {"V": value, "W": "w"}


# --- files written by others: where jwtdesk reads a file, it reads what the real reader reads ----


@settings(max_examples=300, deadline=None)
@given(FILE_TEXT)
@example("A= # comment\nB=#value\n")  # python-dotenv 1.2.4
@example("A='\\\\'\nB='\\'\n")  # a backslash takes the next character (1.2.3)
@example("export =\n0='\\'")
@example("==\n# comment \\\nA=1\n")  # systemd v252 continues the comment
def test_foreign_files_read_like_the_real_readers(text: str) -> None:
    """parse() may refuse a file (strictly), but what it accepts it reads like the reader."""
    readers = [
        (Format.DOCKER, docker_read),
        (Format.SYSTEMD, systemd_read),
        # python-dotenv from a file: text mode turns CR and CRLF into LF, as parse() does.
        (Format.DOTENV, lambda t: python_dotenv(re.sub(r"\r\n?", "\n", t), interpolate=False)),
    ]
    for fmt, read in readers:
        try:
            mine = parse(text, fmt)
        except InvalidInput:
            continue
        assert mine == read(text), fmt
    if LIBSYSTEMD is not None and "\0" not in text:
        with tempfile.TemporaryDirectory() as tmp:
            real = libsystemd_read(written(Path(tmp), text))
        sim = systemd_read(text)
        if not any("=" in k for k in sim):  # "K=EY=V" cannot be split back
            assert sim == real
