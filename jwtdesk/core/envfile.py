"""Env export/import formats and their quoting (pure: text in, text out, no I/O).

Every value is written so that the format's real reader gives it back byte for byte. A value a
format cannot carry is refused with InvalidInput naming the variable (never the value) and what
to do instead; nothing is silently altered. NUL is refused by every format but JSON and K8S.

Quoting, per format (the readers' sources are cited where their rules are applied):

DOTENV   one file that python-dotenv (>= 1.0, default ``${VAR}`` interpolation on), Node dotenv
         (>= 16) and docker compose ``env_file`` (compose-go ``dotenv/parser.go``) read alike.
         They disagree on escapes: python-dotenv decodes ``\\\\ \\' \\" \\n \\t ...`` inside double
         quotes and ``\\\\ \\'`` inside single quotes; Node decodes only ``\\n`` and ``\\r`` inside
         double quotes and nothing inside single quotes; compose decodes shell-like escapes and
         interpolates ``$VAR``/``${VAR}`` in unquoted and double-quoted values, never in single
         quotes; python-dotenv expands ``${VAR}`` whatever the quotes and has no escape for it.
         So the first of these that fits is written:
           1. ``NAME='value'``  no ``'``, no line break, no ``\\\\`` pair, no trailing backslash;
           2. ``NAME="value"``  no backslash, ``"`` or ``$``; LF is written ``\\n`` and CR ``\\r``,
              the only escapes all three decode (this carries PEM keys);
           3. ``NAME=value``    unquoted: no ``#``, ``$`` or line break, no leading quote or
              backtick, no whitespace at either end;
         anything else is refused (use SHELL, JSON or K8S), and so is any value containing
         ``${...}``, which python-dotenv would replace.
SHELL    ``export NAME='value'``; an embedded ``'`` is written ``'\\''``; newlines and every
         other character are literal inside single quotes (POSIX sh, bash, dash).
DOCKER   ``NAME=value`` taken literally by ``docker run --env-file`` (docker/cli
         ``pkg/kvfile/kvfile.go``, formerly ``opts/envfile.go``): no quoting exists, so LF, CR
         and NUL are refused, and lines over 64 KiB (``bufio.MaxScanTokenSize``).
SYSTEMD  ``NAME="value"`` with ``\\\\``, ``\\"``, ``\\$`` and ``\\``` escaped: inside double quotes
         systemd's ``parse_env_file_internal`` (src/basic/env-file.c) unescapes exactly those
         and keeps every other character, newlines included, as is.
JSON     one object ``{"NAME": "value"}``, indented, UTF-8 (no ``\\uXXXX`` for non-ASCII).
K8S      a ``v1`` Secret of ``type: Opaque``; ``data`` holds the base64 of each UTF-8 value;
         keys and values are double-quoted so YAML never reads them as booleans, numbers or null.

``multiline="base64"``: a value containing a line break (LF or CR) is written, in any format,
as the standard base64 (with padding) of its UTF-8 bytes under the name ``NAME_B64``. ``parse``
does not undo this: the reader sees ``NAME_B64``.

``mask=True`` (previews) replaces the written form of each secret value by MASK, a fixed number
of dots; a value that would be refused is refused in the preview too.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple

from jwtdesk.core import envfile_parse as _parse
from jwtdesk.core import secret as _secret
from jwtdesk.core.errors import Fix, InvalidInput

MASK = _secret.MASK

_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# RFC 1123 subdomain, as Kubernetes requires for metadata.name.
_K8S_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
# python-dotenv src/dotenv/variables.py `_posix_variable`: replaced in any value, quoted or not.
_PYDOTENV_VARIABLE = re.compile(r"\$\{[^}:]*(?::-[^}]*)?\}")
# docker reads lines with bufio.Scanner: at most bufio.MaxScanTokenSize bytes, newline included.
_DOCKER_MAX_LINE = 64 * 1024 - 1
_SHELL_FIRST = re.compile(r"export[ \t]+[A-Za-z_][A-Za-z0-9_]*='")
_K8S_HINT = re.compile(r"^(?:kind:[ \t]*[\"']?Secret\b|apiVersion:)", re.MULTILINE)


class Format(Enum):
    DOTENV = "dotenv"  # python-dotenv / Node dotenv (>=16) / docker compose env_file compatible
    SHELL = "shell"  # POSIX sh: export VAR='...'; safe to `source`
    DOCKER = "docker"  # docker run --env-file: no quoting at all, VAR=value taken literally
    JSON = "json"  # one JSON object {"VAR": "value"}
    K8S = "k8s"  # Kubernetes Secret YAML, values base64 in `data`
    SYSTEMD = "systemd"  # systemd EnvironmentFile=


class Entry(NamedTuple):
    """One variable. A :class:`Secret` value is masked in previews and revealed only here, as
    the file's text is made; a ``str`` is public (a kid, a public PEM, a lifetime)."""

    name: str
    value: str | _secret.Secret

    @property
    def secret(self) -> bool:
        return isinstance(self.value, _secret.Secret)


class _Prepared(NamedTuple):
    name: str
    value: str  # the text to write (a secret's, revealed for this render only)
    secret: bool


def _text(entry: Entry) -> str:
    if isinstance(entry.value, _secret.Secret):
        try:
            return entry.value.reveal().decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{entry.name} is not UTF-8 text, which env files carry") from None
    return entry.value


def check_var_name(name: str) -> str:
    if not _VAR_NAME.fullmatch(name):
        raise InvalidInput(
            f"invalid variable name {name!r}: "
            "use letters, digits and '_', not starting with a digit"
        )
    return name


def render(
    fmt: Format,
    entries: Sequence[Entry],
    *,
    mask: bool = False,
    k8s_name: str = "jwt-keys",
    multiline: str = "native",
    header: str | None = None,
) -> str:
    """The text of an env file of ``fmt`` holding ``entries`` (see the module docstring)."""
    if multiline not in ("native", "base64"):
        raise InvalidInput(f"unknown multiline mode {multiline!r}: use native or base64")
    prepared = _prepare(fmt, entries, base64_lines=multiline == "base64")
    if fmt is Format.JSON:
        obj = {e.name: MASK if mask and e.secret else e.value for e in prepared}
        return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
    lines = _comment_lines(header)
    if fmt is Format.K8S:
        lines += _k8s_lines(prepared, mask, k8s_name)
    else:
        for e in prepared:
            token = _token(fmt, e.name, e.value)
            if mask and e.secret:
                token = MASK
            lines.append(f"export {e.name}={token}" if fmt is Format.SHELL else f"{e.name}={token}")
    return "".join(line + "\n" for line in lines)


def parse(text: str, fmt: Format | None = None) -> dict[str, str]:
    """Variables of an env file; ``fmt`` None detects it. Raises only InvalidInput."""
    if "\0" in text:
        raise InvalidInput("the env file contains a NUL character; it is not a text env file")
    fmt = detect(text) if fmt is None else fmt
    readers = {
        Format.DOTENV: _parse.parse_dotenv,
        Format.SHELL: _parse.parse_shell,
        Format.DOCKER: _parse_docker,
        Format.SYSTEMD: _parse.parse_systemd,
        Format.JSON: _parse_json,
        Format.K8S: _parse.parse_k8s,
    }
    result = readers[fmt](text)
    for name, value in result.items():
        if not (_is_unicode(name) and _is_unicode(value)):
            raise InvalidInput(
                "the env file holds text that is not valid Unicode (a lone surrogate)"
            )
    return result


def detect(text: str) -> Format:
    """JSON if it starts with ``{``; SHELL if its first line is ``export NAME='``; K8S if it has
    ``kind: Secret`` or ``apiVersion:``; else DOTENV (docker and systemd files are read as dotenv
    unless their format is given)."""
    body = text.removeprefix("\ufeff")
    if body.lstrip().startswith("{"):
        return Format.JSON
    meaningful = (line.strip() for line in body.splitlines())
    first = next((line for line in meaningful if line and not line.startswith("#")), "")
    if _SHELL_FIRST.match(first):
        return Format.SHELL
    if _K8S_HINT.search(body):
        return Format.K8S
    return Format.DOTENV


def _parse_docker(text: str) -> dict[str, str]:
    """docker/cli pkg/kvfile rules: left-trimmed lines, ``#`` comments, split at the first ``=``,
    no quoting. A name without ``=`` (docker would read the environment) is refused."""
    out: dict[str, str] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        line = raw.removesuffix("\r")  # bufio.ScanLines drops one CR before the newline
        # Go's unicode.IsSpace is Python's isspace without the separators U+001C..U+001F.
        start = next(
            (i for i, c in enumerate(line) if not c.isspace() or c in "\x1c\x1d\x1e\x1f"), len(line)
        )
        name, eq, value = line[start:].partition("=")
        if not name.startswith("#") and (name or eq):
            if not eq:
                raise _parse.not_assignment(number, "docker would take it from the environment")
            if not name or " " in name or "\t" in name:
                raise _parse.not_assignment(number, "the name before '=' is empty or has spaces")
            out[name] = value
    return out


def _parse_json(text: str) -> dict[str, str]:
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        raise InvalidInput('the env file is not valid JSON; expected {"VAR": "value"}') from None
    if not isinstance(data, dict):
        raise InvalidInput('the JSON env file is not one object; expected {"VAR": "value"}')
    for name, value in data.items():
        if not isinstance(value, str):
            shown = name if _VAR_NAME.fullmatch(name) else "a variable"
            raise InvalidInput(f"the JSON value of {shown} is not a string; quote it")
    return data


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_NONCHARACTER = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0, 0x110000, 0x10000))
    + "]"
)


def _has_line_break(value: str) -> bool:
    return "\n" in value or "\r" in value


def _prepare(fmt: Format, entries: Sequence[Entry], *, base64_lines: bool) -> list[_Prepared]:
    """Checked entries, with line-broken values turned into NAME_B64 if asked."""
    prepared: list[_Prepared] = []
    seen: set[str] = set()
    for entry in entries:
        name, value = check_var_name(entry.name), _text(entry)
        if not _is_unicode(value):
            raise InvalidInput(f"{name} is not valid Unicode text (a lone surrogate); re-enter it")
        if "\0" in value and fmt not in (Format.JSON, Format.K8S):
            raise InvalidInput(
                f"{name} contains a NUL character, which {fmt.value} cannot carry; "
                "choose json or k8s"
            )
        if fmt is Format.SYSTEMD and _NONCHARACTER.search(value):
            # systemd's env-file reader checks each code point (unichar_is_valid) and fails
            # the whole file with EINVAL on any of the 66 noncharacters.
            raise InvalidInput(
                f"{name} contains a Unicode noncharacter (U+FDD0..U+FDEF or U+..FFFE/U+..FFFF), "
                "which systemd refuses to read; choose another format"
            )
        if base64_lines and _has_line_break(value):
            name = name + "_B64"
            value = base64.b64encode(value.encode("utf-8")).decode("ascii")
        if name in seen:
            raise InvalidInput(f"variable {name} appears twice; give each value its own name")
        seen.add(name)
        prepared.append(_Prepared(name, value, entry.secret))
    return prepared


def _comment_lines(header: str | None) -> list[str]:
    if not header:
        return []
    lines = header.split("\n")
    for line in lines:
        # systemd (before v254) continues a comment ending in a backslash onto the next line.
        if not line.isprintable() or line.endswith("\\"):
            raise InvalidInput(
                "the header must be printable text whose lines do not end with a backslash"
            )
    return [line if line.startswith("#") else f"# {line}".rstrip() for line in lines]


def _token(fmt: Format, name: str, value: str) -> str:
    """The written form of ``value`` after ``NAME=`` in a line-based format."""
    if fmt is Format.DOTENV:
        return _dotenv_token(name, value)
    if fmt is Format.SHELL:
        return "'" + value.replace("'", "'\\''") + "'"
    if fmt is Format.DOCKER:
        return _docker_token(name, value)
    if fmt is Format.SYSTEMD:
        return '"' + re.sub(r'([\\"$`])', r"\\\1", value) + '"'
    raise AssertionError(fmt)  # JSON and K8S are not line-based


def _dotenv_token(name: str, value: str) -> str:
    if _PYDOTENV_VARIABLE.search(value):
        raise InvalidInput(
            f"{name} contains '${{...}}', which python-dotenv replaces with another variable; "
            "choose another format (shell, json, k8s)"
        )
    if not ("'" in value or "\\\\" in value or value.endswith("\\") or _has_line_break(value)):
        return f"'{value}'"
    if not ("\\" in value or '"' in value or "$" in value):
        return '"' + value.replace("\n", "\\n").replace("\r", "\\r") + '"'
    if _dotenv_bare(value):
        return value
    if _has_line_break(value):
        raise InvalidInput(
            f"{name} has a line break together with a backslash, '\"' or '$', which dotenv "
            "readers decode differently",
            fix=Fix.MULTILINE_BASE64,
        )
    raise InvalidInput(
        f"{name} combines quotes, backslashes, '#', '$' or edge spaces in a way python-dotenv, "
        "Node dotenv and docker compose read differently; choose another format (shell, json, k8s)"
    )


def _dotenv_bare(value: str) -> bool:
    """Whether all three dotenv readers take ``value`` unquoted as it is."""
    if not value or any(c in value for c in "#$\n\r"):
        return False
    # Node trims JS whitespace (incl. U+FEFF), python-dotenv and compose trim Unicode spaces.
    ends = (value[0], value[-1])
    if any(c.isspace() or c == "\ufeff" for c in ends):
        return False
    return value[0] not in "'\"`"


def _docker_token(name: str, value: str) -> str:
    if "\n" in value:
        raise InvalidInput(
            f"docker --env-file cannot carry a newline in {name}", fix=Fix.MULTILINE_BASE64
        )
    if "\r" in value:
        raise InvalidInput(
            f"docker --env-file cannot carry a carriage return in {name}",
            fix=Fix.MULTILINE_BASE64,
        )
    if len(name.encode()) + 1 + len(value.encode("utf-8")) > _DOCKER_MAX_LINE:
        raise InvalidInput(
            f"docker --env-file cannot read a line over 64 KiB, which {name} needs; "
            "choose another format"
        )
    return value


def _k8s_lines(entries: Sequence[_Prepared], mask: bool, k8s_name: str) -> list[str]:
    if len(k8s_name) > 253 or not _K8S_NAME.fullmatch(k8s_name):
        raise InvalidInput(
            f"invalid Kubernetes Secret name {k8s_name!r}: use lower-case letters, digits, "
            "'-' and '.', starting and ending with a letter or digit (at most 253)"
        )
    lines = ["apiVersion: v1", "kind: Secret", "metadata:", f'  name: "{k8s_name}"']
    lines += ["type: Opaque", "data:" if entries else "data: {}"]
    for e in entries:
        encoded = base64.b64encode(e.value.encode("utf-8")).decode("ascii")
        lines.append(f'  "{e.name}": "{MASK if mask and e.secret else encoded}"')
    return lines
