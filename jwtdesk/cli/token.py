"""``jwtdesk token build|inspect``: the contract other tools rely on (keep it stable).

inspect exits 0 when the token is valid (signature verified and claims acceptable), 1 when it is
not, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from jwtdesk.cli import output as out

_HELP = {"-h", "--help"}
KINDS = ("access", "refresh", "confirmation", "custom")  # the keyset purposes / token presets


def register(sub: Any, argv: Sequence[str]) -> None:
    token = sub.add_parser("token", help="build and sign, or inspect and verify, a token")
    tsub = token.add_subparsers(
        dest="token_command", metavar="ACTION", required=True, prog="jwtdesk token"
    )
    wanted = argv[1] if len(argv) > 1 and argv[0] == "token" else None
    for name, text, builder in (
        ("build", "sign a token with a keyset's current key; prints it", _build_build),
        ("inspect", "decode, verify, validate and lint a token", _build_inspect),
    ):
        if wanted in ("build", "inspect") and wanted != name and not _HELP.intersection(argv):
            continue
        p = tsub.add_parser(name, help=text)
        if wanted == name:
            builder(p)


def _build_build(p: argparse.ArgumentParser) -> None:
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--keyset", help="sign with this keyset's current key")
    source.add_argument("--key-file", help="sign with a private key PEM or a private/oct JWK")
    p.add_argument("--alg", help="with --key-file: the algorithm (else the JWK's alg)")
    p.add_argument("--kid", help="sign with this (current or previous) version instead")
    p.add_argument(
        "--preset",
        choices=KINDS,
        help="default: the keyset's purpose (access for custom keysets)",
    )
    p.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="K=V",
        help="a claim; V is JSON if it parses",
    )
    p.add_argument("--claims-json", metavar="FILE|-", help="extra claims as a JSON object")
    p.add_argument(
        "--header-json", metavar="FILE|-", help="extra header members (alg and kid are ignored)"
    )
    p.add_argument("--iss")
    p.add_argument("--sub")
    p.add_argument("--aud", action="append", default=[], help="repeat for several audiences")
    p.add_argument("--exp", help="ISO-8601 or relative to the issue time: +15m, 7d")
    p.add_argument("--nbf", help="ISO-8601 or relative to the issue time")
    p.add_argument("--at", help="the issue time (iat), ISO-8601 or relative to now; default now")
    p.add_argument("--typ", default=None, help="header typ: JWT (default) or at+jwt (RFC 9068)")
    p.add_argument("--purpose", help="confirmation tokens: what is being confirmed")
    p.set_defaults(handler=cmd_build)


def _build_inspect(p: argparse.ArgumentParser) -> None:
    p.description = "Exit 0: valid (signature verified, claims acceptable); 1: invalid; 2: usage."
    p.description += (
        " The input may be a bare token or text holding tokens: an Authorization: Bearer line,"
        " Cookie/Set-Cookie headers, a URL, a curl command, a raw HTTP request or response,"
        " JavaScript, or a HAR file (--har). Each token is reported with where it was found,"
        " and how it travelled is linted too. Several tokens: exit 0 only if all are valid."
    )
    p.add_argument(
        "token",
        nargs="?",
        default=None,
        metavar="TOKEN|-|FILE",
        help="a token or text holding tokens, a file holding them (a HAR too), or - (stdin)",
    )
    p.add_argument("--har", metavar="FILE", help="a browser HAR file: inspect every token in it")
    p.add_argument(
        "--reveal", action="store_true", help="print tokens whole (masked after the header)"
    )
    p.add_argument("--keyset", action="append", default=[], help="verify with this keyset (repeat)")
    p.add_argument("--key-file", action="append", default=[], help="PEM, JWK, JWKS or certificate")
    p.add_argument("--secret-file", help="a file holding a raw HMAC secret")
    p.add_argument("--iss", help="expected issuer (exact match)")
    p.add_argument("--aud", help="expected audience (exact match, or member of the aud list)")
    p.add_argument("--at", help="check the token as of this time (ISO-8601 or relative)")
    p.add_argument("--leeway", type=float, default=30.0, help="clock skew allowed, seconds (30)")
    p.add_argument(
        "--preset",
        choices=KINDS,
        help="lint as this kind",
    )
    p.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="CLAIM",
        help="a claim that must be present (repeat)",
    )
    p.add_argument(
        "--max-lifetime",
        action="append",
        default=[],
        metavar="KIND=PERIOD",
        help="long-lifetime threshold, e.g. access=30m "
        "(defaults: access=60m, refresh=7d, confirmation=15m)",
    )
    p.add_argument(
        "--connection",
        metavar="NAME",
        help="also check revocation on this Redis connection (a revoked token is invalid)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=cmd_inspect)


def _service() -> Any:
    from jwtdesk.services import default_key_service
    from jwtdesk.services.tokens import TokenService

    return TokenService(default_key_service())


def _read_arg(value: str, what: str) -> str:
    from jwtdesk.services.tokens import read_limited

    if value == "-":
        return sys.stdin.read()
    return read_limited(value, what).decode("utf-8", errors="replace")


def cmd_build(args: argparse.Namespace) -> int:
    from jwtdesk.core import tokens
    from jwtdesk.services import utcnow

    claims: dict[str, Any] = {}
    if args.claims_json:
        claims.update(
            tokens.parse_json_object(_read_arg(args.claims_json, "claims file"), "--claims-json")
        )
    claims.update(tokens.parse_claim(c) for c in args.claim)
    header = (
        tokens.parse_json_object(_read_arg(args.header_json, "header file"), "--header-json")
        if args.header_json
        else {}
    )
    preset = tokens.Preset(args.preset) if args.preset else None
    typ = args.typ or "JWT"
    req = tokens.TokenRequest(
        preset=preset,
        iss=args.iss,
        sub=args.sub,
        aud=tuple(args.aud),
        exp=args.exp,
        nbf=args.nbf,
        at=tokens.parse_time(args.at, utcnow()) if args.at else None,
        claims=claims,
        header=header,
        typ=typ,
        purpose=args.purpose,
    )
    if args.key_file:
        print(_service().build_with_file(args.key_file, req, args.alg))
    else:
        print(_service().build(args.keyset, req, args.kid))
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from jwtdesk.core import tokens
    from jwtdesk.core.errors import UsageError
    from jwtdesk.core.inspect import Expectations
    from jwtdesk.services import utcnow

    if args.token is None and args.har is None:
        args.token = "-"  # noqa: S105 - "-" means stdin, not a password
    # Whitespace around the token (a pipe's newline) is trimmed by inspect and said in the report.
    if args.token == "-":  # noqa: S105 - "-" means stdin, not a password
        text, har = sys.stdin.read(), args.har
    else:
        text, har = _token_or_file(args.token, args.har)
    if not 0 <= args.leeway <= 86400:
        raise UsageError("--leeway is seconds between 0 and 86400")
    expect = Expectations(
        iss=args.iss,
        aud=args.aud,
        at=tokens.parse_time(args.at, utcnow()) if args.at else None,
        leeway=timedelta(seconds=args.leeway),
        preset=args.preset,
        required=tuple(args.require),
        thresholds=_thresholds(args.max_lifetime),
    )
    from jwtdesk.cli.inspect_all import document, print_inspection

    result = _service().inspect_all(
        _extraction(text, har),
        keysets=args.keyset,
        key_files=args.key_file,
        secret_file=args.secret_file,
        expect=expect,
    )
    if args.connection:
        from jwtdesk.cli.connections import revocation_service
        from jwtdesk.services.revocation import revocation_row, with_row

        svc = revocation_service()
        target = svc.target(args.connection)
        rows = [revocation_row(svc, target, tr.found.token) for tr in result.reports]
        reports = (
            tr._replace(report=with_row(tr.report, row))
            for tr, row in zip(result.reports, rows, strict=True)
        )
        result = result._replace(reports=tuple(reports))
    if args.json:
        out.emit_json(document(result, args.reveal))
    else:
        print_inspection(result, args.reveal)
    return 0 if result.valid else 1


def _token_or_file(value: str | None, har: str | None) -> tuple[str | None, str | None]:
    """(text, HAR path): the argument itself, or the text of the file it names; a HAR file
    (by its .har name or its JSON start) is read as a stream like --har."""
    from pathlib import Path

    from jwtdesk.core.extract import looks_like_token
    from jwtdesk.services.tokens import is_har, read_token_file

    if value is None or looks_like_token(value.strip()) or "\n" in value or len(value) > 4096:
        return value, har
    try:
        with Path(value).open("rb") as fh:
            head = fh.read(4096)
    except (OSError, ValueError):
        return value, har  # not a file: the text itself
    if not is_har(value, head):
        return read_token_file(value), har
    if har is not None:
        raise _usage("give one HAR file: as the argument or with --har, not both")
    return None, value


def _usage(message: str) -> Exception:
    from jwtdesk.core.errors import UsageError

    return UsageError(message)


def _extraction(text: str | None, har: str | None) -> Any:
    import dataclasses

    from jwtdesk.core.extract import Extraction, Found, Source, extract_all
    from jwtdesk.services.tokens import read_har

    found = extract_all(text) if text is not None else Extraction(())
    if har is None:
        if text is not None and not found.found and not found.writes:  # blank: say what is wrong
            whole = Source("raw", "the text as pasted", 0, len(text))
            return Extraction((Found(text.strip(), (whole,)),), raw=True, given=text)
        return found
    scanned = read_har(har)
    if text is None or not found.found:
        return scanned
    return dataclasses.replace(scanned, found=found.found + scanned.found, writes=found.writes)


def _thresholds(items: Sequence[str]) -> Any:
    from jwtdesk.core.errors import UsageError
    from jwtdesk.core.lint import Thresholds
    from jwtdesk.core.tokens import parse_duration

    values: dict[str, timedelta] = {}
    for item in items:
        kind, _, period = item.partition("=")
        if kind not in KINDS:
            raise UsageError(f"--max-lifetime takes KIND=PERIOD, e.g. access=30m; got {item!r}")
        values[kind] = parse_duration(period)
    return Thresholds(**values)
