"""``jwtdesk audit token|keys``: find guessable HMAC secrets (the contract other tools rely on).

Exit 0: nothing found; 1: a secret was found (keys: or flagged as low-entropy or shared), or
an error (one line); 2: usage. ``--json`` prints one document:
``{"results": [{"token"|"keyset": …, "found", "secret" (only with --reveal), "line",
"tried", "seconds", "rate", …}]}``. Progress goes to stderr only when it is a terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jwtdesk.core.audit import Progress
    from jwtdesk.services.audit import AuditOptions, Flag, Result

_HELP = {"-h", "--help"}
EXIT = """exit codes:
  0  nothing found
  1  a secret was found (keys: or one is low-entropy or shared), or an error
  2  usage error"""


def register(sub: Any, argv: Sequence[str]) -> None:
    p = sub.add_parser("audit", help="search wordlists for guessable HMAC secrets")
    asub = p.add_subparsers(
        dest="audit_command", metavar="ACTION", required=True, prog="jwtdesk audit"
    )
    wanted = argv[1] if len(argv) > 1 and argv[0] == "audit" else None
    for name, text, builder in (
        ("token", "find the secret of HS256/384/512 tokens in wordlists", _build_token),
        ("keys", "check every stored HMAC secret: wordlists, entropy, sharing", _build_keys),
    ):
        if wanted in ("token", "keys") and wanted != name and not _HELP.intersection(argv):
            continue
        q = asub.add_parser(name, help=text, epilog=EXIT)
        if wanted == name:
            builder(q)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--wordlist",
        action="append",
        default=[],
        metavar="FILE",
        help="one candidate a line, streamed (any size); repeat for several",
    )
    p.add_argument(
        "--rules",
        action="store_true",
        help="also try case variants, appended digits and years, leetspeak and name templates",
    )
    p.add_argument("--no-builtin", action="store_true", help="skip the built-in list")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--reveal", action="store_true", help="print a found secret")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")


def _build_token(p: argparse.ArgumentParser) -> None:
    p.description = "Search wordlists for the HMAC secret of each token."
    p.add_argument("tokens", nargs="*", metavar="TOKEN|-", help="tokens; - or none: read stdin")
    p.add_argument(
        "--token-file", action="append", default=[], metavar="FILE", help="tokens, one a line"
    )
    _common(p)
    p.add_argument(
        "--engine",
        choices=("jwtdesk", "hashcat"),
        default="jwtdesk",
        help="hashcat: run hashcat (mode 16500) over the same lists, if it is on PATH",
    )
    p.add_argument("--export-hashcat", metavar="FILE|-", help="write hashcat 16500 lines and stop")
    p.add_argument("--export-john", metavar="FILE|-", help="write John `msg#hexmac` lines and stop")
    p.set_defaults(handler=cmd_token)


def _build_keys(p: argparse.ArgumentParser) -> None:
    p.description = "Check every stored HMAC secret without building a token anyone sees."
    _common(p)
    p.set_defaults(handler=cmd_keys)


def _options(args: argparse.Namespace) -> AuditOptions:
    from jwtdesk.core.errors import UsageError
    from jwtdesk.services.audit import AuditOptions

    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError("--workers takes 1 to 64")
    return AuditOptions(tuple(args.wordlist), args.rules, not args.no_builtin, args.workers)


def _read_tokens(given: Sequence[str], files: Sequence[str]) -> list[str]:
    from jwtdesk.services.audit import read_token_file, token_lines

    tokens: list[str] = []
    for path in files:
        tokens += read_token_file(path)
    for item in given or ([] if files else ["-"]):
        if item == "-":
            tokens += token_lines(sys.stdin.read())
        else:
            tokens.append(item)
    if not tokens:
        from jwtdesk.core.errors import UsageError

        raise UsageError("no token: give TOKEN arguments or pipe tokens, one a line")
    return tokens


def cmd_token(args: argparse.Namespace) -> int:
    from jwtdesk.services import audit as svc

    options = _options(args)
    targets = svc.parse_tokens(_read_tokens(args.tokens, args.token_file))
    if args.export_hashcat or args.export_john:
        from jwtdesk.services.audit_hashcat import export_lines

        for path, fmt in ((args.export_hashcat, "hashcat"), (args.export_john, "john")):
            if path:
                n = export_lines(targets, path, fmt)
                if path != "-":
                    print(f"wrote {n} {fmt} line(s) to {path}", file=sys.stderr)
        return 0
    if args.engine == "hashcat":
        from jwtdesk.services.audit_hashcat import run_hashcat

        results = run_hashcat(targets, options)
    else:
        _note_fallback()
        with _Meter() as meter:
            results = svc.audit_tokens(targets, options, meter.update)
    return _report(results, args, "token", [t.token for t in targets])


def cmd_keys(args: argparse.Namespace) -> int:
    from jwtdesk.services import audit as svc
    from jwtdesk.services import default_key_service

    options = _options(args)
    _note_fallback()
    with _Meter() as meter:
        results = svc.audit_keys(default_key_service(), options, meter.update)
    if not results and not args.json:
        print("No stored HMAC keys to audit: only HS256/384/512 keysets hold guessable secrets")
    return _report(results, args, "keyset", [r.label for r in results])


def _note_fallback() -> None:
    from jwtdesk.core.audit_scan import FALLBACK_NOTE, HAVE_C

    if not HAVE_C:
        print(f"jwtdesk: {FALLBACK_NOTE}", file=sys.stderr)


def _report(results: list[Result], args: argparse.Namespace, kind: str, names: list[str]) -> int:
    if args.json:
        import json  # as output.emit_json, without its key-type imports (start-up)

        pairs = zip(results, names, strict=True)
        doc = {"results": [_json(r, kind, n, args.reveal) for r, n in pairs]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for r in results:
            print(_text(r, args.reveal))
    return 1 if any(r.flagged or r.error for r in results) else 0


def _json(r: Result, kind: str, name: str, reveal: bool) -> dict[str, Any]:
    secret = r.secret.reveal().decode("utf-8", "replace") if (r.secret and reveal) else None
    doc: dict[str, Any] = {
        kind: name,
        "alg": r.alg,
        "found": r.found,
        "secret": secret,
        "source": r.source,
        "line": r.line,
        "tried": r.tried,
        "seconds": round(r.seconds, 3),
        "rate": round(r.rate, 1),
        "skipped": r.skipped,
        "cancelled": r.cancelled,
    }
    if kind == "keyset":
        st = r.strength
        doc |= {
            "kid": r.kid,
            "entropy_bits": st.bits if st else None,
            "alphabet": st.alphabet if st else None,
            "low_entropy": st.low if st else None,
            "common": st.common if st else None,
            "shared_with": list(r.shared_with),
            "error": r.error,
        }
    return doc


def _text(r: Result, reveal: bool) -> str:
    name = f"{r.label} ({r.kid})" if r.kid else r.label
    if r.error:
        return f"{name}: not checked: {r.error}"
    speed = f"{r.tried:,} candidates in {r.seconds:.2f} s ({r.rate / 1e6:.2f} M/s)"
    if r.found and r.secret is not None:
        shown = r.secret.reveal().decode("utf-8", "replace") if reveal else "•••••••• (--reveal)"
        where = f" at line {r.line} of {r.source}" if r.line else f" ({r.source})"
        line = f"{name}: FOUND secret {shown}{where}; {speed}"
    else:
        state = "cancelled after" if r.cancelled else "not found in"
        line = f"{name}: {state} {speed}"
    flags = [_flag_text(r, flag) for flag in r.flags()]
    return "\n  ".join([line, *flags])


def _flag_text(r: Result, flag: Flag) -> str:
    from jwtdesk.services.audit import Flag  # loaded by the run that made ``r``

    if flag is Flag.LOW_ENTROPY and r.strength is not None:
        return f"low entropy: at most {r.strength.bits:.0f} bits ({r.strength.alphabet})"
    if flag is Flag.PUBLISHED:
        return "a published secret"
    if flag is Flag.SHARED:
        return "same secret as " + ", ".join(r.shared_with)
    return "skipped lines: " + ", ".join(f"{n} {k}" for k, n in r.skipped_lines.items())


class _Meter:
    """One progress line on stderr, rewritten in place, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.on = sys.stderr.isatty()
        self.shown = False

    def __enter__(self) -> _Meter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

    def update(self, label: str, p: Progress) -> None:
        if not self.on:
            return
        frac = p.fraction
        done = f"{frac:6.1%}" if frac is not None else ""
        eta = f", ETA {_duration(p.eta)}" if p.eta is not None and frac and frac < 1 else ""
        text = f"{label}: {done} ({p.amount()}), {p.tried:,} tried, {p.rate / 1e6:.2f} M/s{eta}"
        sys.stderr.write("\r\033[K" + text[:200])
        sys.stderr.flush()
        self.shown = True


def _duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


__all__ = ["register"]
