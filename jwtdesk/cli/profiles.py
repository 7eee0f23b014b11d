"""``jwtdesk profiles new|list|show|set|unset|format|delete``: what each service gets."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from jwtdesk.cli import output as out
from jwtdesk.cli.actions import EXPORT_FORMATS, export_service, json_flag
from jwtdesk.cli.actions import register as register_actions
from jwtdesk.core.profiles import Profile


def register(sub: Any, argv: Sequence[str]) -> None:
    register_actions(
        sub,
        argv,
        "profiles",
        "export profiles: variable names and sources per service/environment",
        {
            "new": ("create a profile with the guides' variable names", _build_new),
            "list": ("list profiles", _build_list),
            "show": ("show a profile and what an export would write now", _build_show),
            "set": (
                "bind VAR to KEYSET:current|previous|public|public-previous|kid|jwks or value:TEXT",
                _build_set,
            ),
            "unset": ("remove a variable from a profile", _build_unset),
            "format": ("set the profile's default export format", _build_format),
            "delete": ("delete a profile (keys are not touched)", _build_delete),
        },
    )


def _build_new(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument(
        "--access",
        metavar="KEYSET",
        help="JWT_SECRET_CURRENT / _PREVIOUS (or JWT_PRIVATE_KEY and public keys for RS/ES/EdDSA)",
    )
    p.add_argument("--refresh", metavar="KEYSET", help="REFRESH_TOKEN_SECRET")
    p.add_argument("--confirmation", metavar="KEYSET", help="CONFIRMATION_SECRET")
    p.add_argument("--access-ttl", default="15m", help="JWT_EXPIRES_IN (default 15m)")
    p.add_argument("--refresh-ttl", default="7d", help="JWT_REFRESH_EXPIRES_IN (default 7d)")
    p.add_argument("--issuer", default="", help="JWT_ISSUER")
    p.add_argument("--audience", default="", help="JWT_AUDIENCE")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="dotenv")
    json_flag(p)
    p.set_defaults(handler=cmd_new)


def _build_list(p: argparse.ArgumentParser) -> None:
    json_flag(p)
    p.set_defaults(handler=cmd_list)


def _build_show(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    json_flag(p)
    p.set_defaults(handler=cmd_show)


def _build_set(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("var")
    p.add_argument(
        "source", help="KEYSET:current|previous|public|public-previous|kid|jwks, or value:TEXT"
    )
    json_flag(p)
    p.set_defaults(handler=cmd_set)


def _build_unset(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("var")
    json_flag(p)
    p.set_defaults(handler=cmd_unset)


def _build_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("format", choices=EXPORT_FORMATS)
    json_flag(p)
    p.set_defaults(handler=cmd_format)


def _build_delete(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    json_flag(p)
    p.set_defaults(handler=cmd_delete)


def profile_json(p: Profile) -> dict[str, Any]:
    return {
        "name": p.name,
        "format": p.format,
        "variables": [
            {
                "var": b.var,
                "source": b.source.value,
                "keyset": b.keyset or None,
                "value": b.value if b.keyset == "" else None,
            }
            for b in p.bindings
        ],
    }


def _done(args: argparse.Namespace, profile: Profile, message: str) -> int:
    if args.json:
        out.emit_json(profile_json(profile))
    else:
        print(message)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    profile = export_service().create_profile(
        args.name,
        access=args.access,
        refresh=args.refresh,
        confirmation=args.confirmation,
        access_ttl=args.access_ttl,
        refresh_ttl=args.refresh_ttl,
        issuer=args.issuer,
        audience=args.audience,
        fmt=args.format,
    )
    names = ", ".join(b.var for b in profile.bindings) or "none yet (add with `profiles set`)"
    return _done(args, profile, f"created profile {profile.name}: {names}")


def cmd_list(args: argparse.Namespace) -> int:
    profiles = export_service().profiles()
    if args.json:
        out.emit_json({"profiles": [profile_json(p) for p in profiles]})
        return 0
    if not profiles:
        print("No profiles yet. Create one: jwtdesk profiles new NAME --access KEYSET")
        return 0
    rows = [
        [p.name, p.format, str(len(p.bindings)), ", ".join(p.keysets()) or "-"] for p in profiles
    ]
    print(out.table(["NAME", "FORMAT", "VARS", "KEYSETS"], rows))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    svc = export_service()
    profile = svc.profile(args.name)
    plan = svc.plan(profile)
    if args.json:
        doc = profile_json(profile)
        doc["export_now"] = [
            {
                "var": p.binding.var,
                "written": p.omitted is None,
                "why_not": p.omitted,
                "kid": p.version.kid if p.version else None,
            }
            for p in plan
        ]
        out.emit_json(doc)
        return 0
    print(f"profile {profile.name}  format {profile.format}")
    rows = []
    for p in plan:
        b = p.binding
        shown = "••••••••" if b.source.secret else (b.value if b.source.value == "value" else "")
        state = f"kid {p.version.kid[:12]}…" if p.version else shown
        rows.append(
            [
                b.var,
                b.describe() if b.keyset else "value",
                state,
                "omitted: " + p.omitted if p.omitted else "written",
            ]
        )
    print(out.table(["VARIABLE", "SOURCE", "NOW", "EXPORT"], rows))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    profile = export_service().set_var(args.name, args.var, args.source)
    return _done(args, profile, f"{profile.name}: {args.var} <- {args.source}")


def cmd_unset(args: argparse.Namespace) -> int:
    profile = export_service().unset_var(args.name, args.var)
    return _done(args, profile, f"{profile.name}: removed {args.var}")


def cmd_format(args: argparse.Namespace) -> int:
    profile = export_service().set_format(args.name, args.format)
    return _done(args, profile, f"{profile.name}: exports as {args.format}")


def cmd_delete(args: argparse.Namespace) -> int:
    svc = export_service()
    profile = svc.profile(args.name)
    svc.delete_profile(args.name)
    return _done(args, profile, f"deleted profile {args.name}")
