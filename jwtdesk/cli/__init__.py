"""argparse front end: ``main(argv) -> int``. Parsing and printing only; the work is in services.

Exit codes: 0 success, 1 error (the message says what to do), 2 usage error, 70 internal bug.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from jwtdesk import __version__

# Not `from typing import TYPE_CHECKING`: importing typing costs --version ~3 ms (mypy reads
# any constant named TYPE_CHECKING the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

EXIT_CODES = """exit codes:
  0   success
  1   error: the one-line message says what is wrong and what to do
  2   usage error (bad command line)
  3   `export check` found drift between the file and the keys
  70  internal error (a bug; JWTDESK_DEBUG=1 shows the traceback)"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, sized without importing shutil (and with it bz2, lzma, zlib).

    argparse builds a formatter on every add_argument, so the import would be paid by every
    command, not only by --help.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)


def _columns() -> int:
    """What shutil.get_terminal_size() answers: $COLUMNS, the terminal, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    stream = sys.__stdout__
    try:
        return os.get_terminal_size(stream.fileno()).columns if stream else 80
    except (AttributeError, ValueError, OSError):
        return 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        from jwtdesk.core.errors import UsageError

        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; sub-commands other than the one in ``argv`` get only their help line, and
    only the module of the command being run is imported (start-up: `audit token` must not
    pay for the key service's imports)."""
    import importlib

    # command -> module under jwtdesk.cli, in the order `--help` lists them
    commands = {
        "keys": "keys",
        "token": "token",
        "lint": "lint",
        "export": "export",
        "import": "importing",
        "profiles": "profiles",
        "doctor": "doctor",
        "revoke": "revoke",
        "connections": "connections",
        "emergency": "emergency",
        "audit": "audit",
        "scan": "scan",
        "checklist": "checklist",
    }
    parser = _Parser(
        prog="jwtdesk",
        description="JWT signing keys in the OS keyring: generate, rotate, inspect, export.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"jwtdesk {__version__}")
    # prog given: otherwise argparse builds a HelpFormatter (importing shutil) to compute it.
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, prog="jwtdesk"
    )
    # Only the command being run is registered (each parser costs ~0.7 ms of start-up);
    # help and unknown commands get them all.
    first = argv[0] if argv and not {"-h", "--help"}.intersection(argv) else None
    for name, module in commands.items():
        if first not in commands or first == name:
            importlib.import_module(f"jwtdesk.cli.{module}").register(sub, argv)
    return parser


# Options whose values may start with "-": a kid is an RFC 7638 thumbprint in base64url, and
# one in 64 starts with "-", which argparse would take for an option ("expected one argument").
_DASH_VALUES = frozenset({"--kid"})


def _join_dash_values(args: list[str]) -> list[str]:
    """``--kid -Xy`` -> ``--kid=-Xy`` (before a bare ``--``), so argparse reads it as a value."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return out + args[i:]
        if arg in _DASH_VALUES and i + 1 < len(args) and args[i + 1].startswith("-"):
            out.append(f"{arg}={args[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _join_dash_values(list(sys.argv[1:] if argv is None else argv))
    if args_list == ["--version"]:  # answered before importing anything else
        print(f"jwtdesk {__version__}")
        return 0
    from jwtdesk.core.errors import JwtdeskError

    try:
        if args_list in (["keys", "list"], ["keys", "list", "--json"]):
            from jwtdesk.cli import fastlist  # no parser, services or domain types: start-up

            fast = fastlist.run(as_json=len(args_list) == 3)
            if fast is not None:
                return fast
        parser = build_parser(args_list)
        if not args_list:
            parser.print_help()  # the GUI opens here once it exists
            return 0
        args = parser.parse_args(args_list)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.parse_args([*args_list, "--help"])
            return 2
        code: int = handler(args)
        return code
    except JwtdeskError as exc:
        from jwtdesk.cli.fixes import describe

        print(f"jwtdesk: error: {describe(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("jwtdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        if os.environ.get("JWTDESK_DEBUG") == "1":
            raise
        # The message of an unexpected exception is not shown: it is not ours and might
        # carry a value. The type is enough to report the bug.
        print(
            f"jwtdesk: internal error ({type(exc).__name__}); this is a bug. "
            "JWTDESK_DEBUG=1 shows the traceback",
            file=sys.stderr,
        )
        return 70


# Commands whose run ends with a fast exit (see run): their code closes every file it opens.
_FAST_EXIT = frozenset({"audit"})


def run() -> None:
    """The console script and ``python -m jwtdesk``: ``main()``, then exit.

    For the commands in ``_FAST_EXIT`` (`audit`: a whole run can last well under a second,
    so fixed costs show in its rate) the collector is off during the run (nothing it builds
    needs cycles collected) and the process leaves by ``os._exit`` once stdout and stderr
    are flushed and the atexit handlers have run: the interpreter's teardown, freeing every
    module and object one by one, is skipped."""
    argv = sys.argv[1:]
    fast = bool(argv) and argv[0] in _FAST_EXIT
    if fast:
        import gc

        gc.disable()
    code = main()
    if not fast:
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # the reader left, or the stream is closed
            code = code or 1
    os._exit(code)


__all__ = ["argparse", "build_parser", "main", "run"]
