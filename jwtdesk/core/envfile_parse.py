"""The scanning readers of jwtdesk.core.envfile (pure, no I/O); docker and json are read there.

Each reader returns ``{name: value}`` (a later duplicate wins, as dotenv does) and raises only
InvalidInput, whose message names a line and never repeats the file's text. They read what
``envfile.render`` writes and the usual files written by others:

- dotenv: python-dotenv's rules (src/dotenv/parser.py, 1.2.4): ``export`` prefix, comments,
  blank lines, CR and CRLF read as LF (as text mode and Node do), single quotes decoding
  ``\\\\`` and ``\\'``, double quotes decoding ``\\\\ \\' \\" \\a \\b \\f \\n \\r \\t \\v``,
  unquoted values cut at `` #`` and right-stripped, ``KEY= # c`` empty; no ``${VAR}`` expansion.
- shell: ``[export] NAME=word`` where the word is made of single-quoted, double-quoted and
  backslash-escaped parts; any expansion (``$``, backticks, a leading ``~``) is refused, since
  jwtdesk does not run the file.
- systemd: a port of ``parse_env_file_internal`` (systemd src/basic/env-file.c).
- k8s: without a YAML library: the shape ``render`` writes, plus ``data:``/``stringData:`` maps of
  ``key: value`` lines with plain or quoted scalars; ``data`` values are base64-decoded.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from jwtdesk.core.errors import InvalidInput


def not_assignment(line: int, hint: str) -> InvalidInput:
    return InvalidInput(f"line {line} of the env file is not VAR=value; {hint}")


def _unclosed(line: int) -> InvalidInput:
    return InvalidInput(f"line {line} of the env file opens a quote that is never closed")


# --- dotenv ----------------------------------------------------------------------------------

_DOTENV_SKIP = re.compile(r"[^\S\n]*(?:#[^\n]*)?(?:\n|\Z)")
_DOTENV_START = re.compile(r"[^\S\n]*(?:export[^\S\n]+)?+([A-Za-z0-9_.-]+)[^\S\n]*=([^\S\n]*)")
# python-dotenv 1.2.4: inside quotes a backslash always takes the next character with it.
_DOTENV_QUOTED = {
    "'": (re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL), re.compile(r"\\[\\']")),
    '"': (re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL), re.compile(r"\\[\\'\"abfnrtv]")),
}
_ESCAPES = {
    **{"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n"},
    **{"r": "\r", "t": "\t", "v": "\v"},
}


def parse_dotenv(text: str) -> dict[str, str]:
    s = re.sub(r"\r\n?", "\n", text.removeprefix("\ufeff"))
    out: dict[str, str] = {}
    pos, line = 0, 1
    while pos < len(s):
        start = pos
        skip = _DOTENV_SKIP.match(s, pos)
        if skip is not None:
            pos = skip.end()
        else:
            m = _DOTENV_START.match(s, pos)
            if m is None:
                raise not_assignment(line, "write NAME=value, NAME='value' or NAME=\"value\"")
            comment = _DOTENV_SKIP.match(s, m.end()) if m.group(2) else None
            if comment is not None:  # `KEY= # comment` is empty (python-dotenv 1.2.4)
                out[m.group(1)], pos = "", comment.end()
            else:
                out[m.group(1)], pos = _dotenv_value(s, m.end(), line)
        line += s.count("\n", start, pos)
    return out


def _dotenv_value(s: str, pos: int, line: int) -> tuple[str, int]:
    quote = s[pos : pos + 1]
    if quote in _DOTENV_QUOTED:
        value_re, escape_re = _DOTENV_QUOTED[quote]
        m = value_re.match(s, pos)
        if m is None:
            raise _unclosed(line)
        rest = _DOTENV_SKIP.match(s, m.end())
        if rest is None:
            raise not_assignment(line, "only a '# comment' may follow the closing quote")
        return escape_re.sub(lambda e: _ESCAPES[e.group()[1]], m.group(1)), rest.end()
    end = s.find("\n", pos)
    end = len(s) if end < 0 else end
    value = re.sub(r"\s+#.*", "", s[pos:end]).rstrip()
    return value, min(end + 1, len(s))


# --- shell -----------------------------------------------------------------------------------

_SHELL_SKIP = re.compile(r"[ \t\r]*(?:#[^\n]*)?(?:\n|\Z)")
_SHELL_START = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=")
_SHELL_SYNTAX = "$`;&|<>()"


def _shell_expansion(line: int) -> InvalidInput:
    return InvalidInput(
        f"line {line} of the env file uses shell expansion or syntax ($, `, ;, |, ~ ...) that "
        "jwtdesk does not evaluate; write export NAME='value'"
    )


def parse_shell(text: str) -> dict[str, str]:
    s = text.removeprefix("\ufeff")
    out: dict[str, str] = {}
    pos, line = 0, 1
    while pos < len(s):
        start = pos
        skip = _SHELL_SKIP.match(s, pos)
        if skip is not None:
            pos = skip.end()
        else:
            m = _SHELL_START.match(s, pos)
            if m is None:
                raise not_assignment(line, "write export NAME='value'")
            value, end = _shell_word(s, m.end(), line)
            rest = _SHELL_SKIP.match(s, end)
            if rest is None:
                raise not_assignment(line, "write one export NAME='value' per line")
            out[m.group(1)], pos = value, rest.end()
        line += s.count("\n", start, pos)
    return out


def _shell_word(s: str, pos: int, line: int) -> tuple[str, int]:
    parts: list[str] = []
    i = pos
    while i < len(s) and s[i] not in " \t\r\n":
        c = s[i]
        if c == "'":
            close = s.find("'", i + 1)
            if close < 0:
                raise _unclosed(line)
            parts.append(s[i + 1 : close])
            i = close + 1
        elif c == '"':
            text, i = _shell_double(s, i + 1, line)
            parts.append(text)
        elif c == "\\":
            parts.append(s[i + 1 : i + 2].replace("\n", ""))  # backslash-newline: continuation
            i += 2
        elif c in _SHELL_SYNTAX or (c == "~" and (i == pos or s[i - 1] == ":")):
            raise _shell_expansion(line)
        else:
            parts.append(c)
            i += 1
    return "".join(parts), i


def _shell_double(s: str, i: int, line: int) -> tuple[str, int]:
    parts: list[str] = []
    while i < len(s):
        c = s[i]
        if c == '"':
            return "".join(parts), i + 1
        if c == "\\" and s[i + 1 : i + 2] in ("$", "`", '"', "\\", "\n"):
            parts.append(s[i + 1].replace("\n", ""))
            i += 2
            continue
        if c in "$`":
            raise _shell_expansion(line)
        parts.append(c)
        i += 1
    raise _unclosed(line)


# --- systemd ---------------------------------------------------------------------------------

_SD_WHITESPACE, _SD_NEWLINE, _SD_COMMENTS = " \t\n\r", "\n\r", "#;"
_SD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Systemd:
    """parse_env_file_internal (systemd src/basic/env-file.c) as a state machine, one method per
    state. Stricter where systemd is silent: a name without '=', an invalid name, an unclosed
    quote at the end and a comment ending in a backslash (read differently before and after
    systemd v254) are refused."""

    def __init__(self) -> None:
        self.out: dict[str, str] = {}
        self.key: list[str] = []
        self.value: list[str] = []
        self.key_ws: int | None = None
        self.value_ws: int | None = None
        self.line = 1
        self.key_line = 1
        self.state: Callable[[str], None] = self.pre_key

    def feed(self, text: str) -> dict[str, str]:
        for c in text:
            self.state(c)
            self.line += c == "\n"
        if self.state in (self.single_quote, self.double_quote, self.double_quote_escape):
            raise _unclosed(self.key_line)
        if self.state in (self.pre_value, self.value_chars, self.value_escape):
            self.push()
        elif self.state == self.key_chars:
            raise not_assignment(self.key_line, "systemd ignores a line without '='")
        return self.out

    def push(self) -> None:
        if self.state == self.value_chars and self.value_ws is not None:
            del self.value[self.value_ws :]
        name = "".join(self.key[: self.key_ws] if self.key_ws is not None else self.key)
        if not _SD_NAME.fullmatch(name):
            raise not_assignment(self.key_line, "the name is not a valid variable name")
        self.out[name] = "".join(self.value)
        self.state = self.pre_key

    def pre_key(self, c: str) -> None:
        if c in _SD_COMMENTS:
            self.state = self.comment
        elif c not in _SD_WHITESPACE:
            self.key, self.key_ws, self.key_line = [c], None, self.line
            self.state = self.key_chars

    def key_chars(self, c: str) -> None:
        if c in _SD_NEWLINE:
            raise not_assignment(self.key_line, "systemd ignores a line without '='")
        if c == "=":
            self.value, self.value_ws = [], None
            self.state = self.pre_value
        else:
            if c not in _SD_WHITESPACE:
                self.key_ws = None
            elif self.key_ws is None:
                self.key_ws = len(self.key)
            self.key.append(c)

    def pre_value(self, c: str) -> None:
        if c in _SD_NEWLINE:
            self.push()
        elif c in "'\"\\":
            self.state = {"'": self.single_quote, '"': self.double_quote}.get(c, self.value_escape)
        elif c not in _SD_WHITESPACE:
            self.value.append(c)
            self.state = self.value_chars

    def value_chars(self, c: str) -> None:
        if c in _SD_NEWLINE:
            self.push()
        elif c == "\\":
            self.state, self.value_ws = self.value_escape, None
        else:
            if c not in _SD_WHITESPACE:
                self.value_ws = None
            elif self.value_ws is None:
                self.value_ws = len(self.value)
            self.value.append(c)

    def value_escape(self, c: str) -> None:
        self.state = self.value_chars
        if c not in _SD_NEWLINE:  # escaped newlines are eaten up entirely
            self.value.append(c)

    def single_quote(self, c: str) -> None:
        if c == "'":
            self.state = self.pre_value
        else:
            self.value.append(c)

    def double_quote(self, c: str) -> None:
        if c == '"':
            self.state = self.pre_value
        elif c == "\\":
            self.state = self.double_quote_escape
        else:
            self.value.append(c)

    def double_quote_escape(self, c: str) -> None:
        self.state = self.double_quote
        if c in '"\\`$':  # SHELL_NEED_ESCAPE
            self.value.append(c)
        elif c != "\n":  # keep the backslash, like the shell; backslash-newline is eaten
            self.value += ["\\", c]

    def comment(self, c: str) -> None:
        if c == "\\":
            self.state = self.comment_escape
        elif c in _SD_NEWLINE:
            self.state = self.pre_key

    def comment_escape(self, c: str) -> None:
        if c in _SD_NEWLINE:
            raise InvalidInput(
                f"line {self.line} of the env file is a comment ending in a backslash, which "
                "systemd before and after v254 reads differently; remove the backslash"
            )
        self.state = self.comment


def parse_systemd(text: str) -> dict[str, str]:
    return _Systemd().feed(text)


# --- k8s -------------------------------------------------------------------------------------

_K8S_TOP = re.compile(r"([A-Za-z][A-Za-z0-9_]*)[ \t]*:(?:[ \t]+(.*))?")
_K8S_ENTRY = re.compile(
    r"( +)(\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[-._A-Za-z0-9]+)[ \t]*:(?:[ \t]+(.*))?"
)
_K8S_DQ = re.compile(r"\"((?:[^\"\\]|\\.)*)\"(?:[ \t]+#.*)?")
_K8S_SQ = re.compile(r"'((?:[^']|'')*)'(?:[ \t]+#.*)?")
_YAML_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_YAML_ESCAPES = {
    **{"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v"},
    **{"f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\"},
    **{"N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"},
}
# Plain scalars YAML 1.1 (go-yaml v2, used by kubectl) reads as null, bool, int or float.
_YAML_NOT_STRING = re.compile(
    r"~|null|Null|NULL|[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE"
    r"|on|On|ON|off|Off|OFF|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+)"
    r"|(?=[-+]?\.?[0-9])[-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
)


def _k8s_unsupported(line: int) -> InvalidInput:
    return InvalidInput(
        f"line {line} of the Kubernetes Secret uses YAML jwtdesk cannot read without a YAML "
        "library (block or multi-line scalars, anchors, tags, flow maps, several documents); "
        "write data as one 'KEY: base64' line per variable"
    )


def _k8s_scalar(token: str, line: int) -> str:
    """A one-line YAML scalar: double-quoted, single-quoted or plain (no null, no indicators)."""
    token = token.strip()
    if token.startswith('"'):
        m = _K8S_DQ.fullmatch(token)
        if m is None:
            raise _k8s_unsupported(line)
        try:
            return _YAML_ESCAPE.sub(lambda e: _yaml_escape(e.group(1)), m.group(1))
        except (KeyError, ValueError, OverflowError):
            raise InvalidInput(f"line {line} of the Kubernetes Secret has a bad escape") from None
    if token.startswith("'"):
        m = _K8S_SQ.fullmatch(token)
        if m is None:
            raise _k8s_unsupported(line)
        return m.group(1).replace("''", "'")
    plain = re.split(r"[ \t]+#", token, maxsplit=1)[0].strip()
    if not plain:
        raise InvalidInput(f"line {line} of the Kubernetes Secret has a key without a value")
    if plain[0] in "|>&*!%@`{}[],#?:-" or ": " in plain or plain.endswith(":"):
        raise _k8s_unsupported(line)
    if _YAML_NOT_STRING.fullmatch(plain):
        raise InvalidInput(
            f"line {line} of the Kubernetes Secret has a name or value YAML reads as null, a "
            "boolean or a number; quote it"
        )
    return plain


def _yaml_escape(code: str) -> str:
    return chr(int(code[1:], 16)) if len(code) > 1 else _YAML_ESCAPES[code]


class _K8sSecret:
    def __init__(self) -> None:
        self.section = ""
        self.indent = 0
        self.is_secret = False
        self.data: dict[str, str] = {}
        self.string_data: dict[str, str] = {}

    def top(self, line: str, number: int) -> None:
        m = _K8S_TOP.fullmatch(line)
        if m is None:
            raise _k8s_unsupported(number)
        self.section, rest, self.indent = m.group(1), m.group(2), 0
        rest = "" if rest is None else re.split(r"(?:^|[ \t]+)#", rest, maxsplit=1)[0].strip()
        if self.section in ("data", "stringData", "metadata") and rest not in ("", "{}"):
            raise _k8s_unsupported(number)
        if self.section == "kind":
            if _k8s_scalar(rest, number) != "Secret":
                raise InvalidInput(f"line {number}: the YAML file is not a Kubernetes Secret")
            self.is_secret = True

    def entry(self, line: str, number: int) -> None:
        m = _K8S_ENTRY.fullmatch(line)
        if m is None or (self.indent and len(m.group(1)) != self.indent):
            raise _k8s_unsupported(number)
        self.indent = len(m.group(1))
        key, value = _k8s_scalar(m.group(2), number), _k8s_scalar(m.group(3) or "", number)
        if self.section == "stringData":
            self.string_data[key] = value
            return
        try:
            self.data[key] = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise InvalidInput(
                f"line {number} of the Kubernetes Secret: the data value is not the base64 of "
                "UTF-8 text"
            ) from None


def parse_k8s(text: str) -> dict[str, str]:
    secret = _K8sSecret()
    started = False
    for number, raw in enumerate(re.split(r"\r\n?|\n", text.removeprefix("\ufeff")), 1):
        line = raw.rstrip(" \t")
        if not line.strip() or line.lstrip(" ").startswith("#"):
            continue
        if line.startswith(("---", "...")):
            if started or line.strip() != "---":
                raise _k8s_unsupported(number)
            continue
        started = True
        if line.startswith("\t") or line.lstrip(" ").startswith("\t"):
            raise _k8s_unsupported(number)
        if not line.startswith(" "):
            secret.top(line, number)
        elif secret.section in ("data", "stringData"):
            secret.entry(line, number)
    if not secret.is_secret:
        raise InvalidInput("the YAML file has no 'kind: Secret'; it is not a Kubernetes Secret")
    return secret.data | secret.string_data
