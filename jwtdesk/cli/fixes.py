"""Each :class:`~jwtdesk.core.errors.Fix` in command-line terms: the flag that does it.

Core errors say what is wrong; the remedy travels as data and is worded here, so that a core
message never names a flag the GUI does not have (tests check each flag exists in its parser).
"""

from __future__ import annotations

from typing import NamedTuple

from jwtdesk.core.errors import Fix, JwtdeskError


class CliFix(NamedTuple):
    command: tuple[str, ...]  # the subcommand whose parser has ``flag``
    flag: str | None  # None: the remedy is running ``command`` itself
    text: str  # the remedy, naming ``flag`` (or ``jwtdesk`` + ``command``)


FIXES: dict[Fix, CliFix] = {
    Fix.CUSTOM_PRESET: CliFix(
        ("token", "build"), "--preset", "--preset custom allows any lifetime"
    ),
    Fix.GIVE_HMAC_KEY: CliFix(
        ("token", "inspect"), "--secret-file", "give an HMAC secret with --secret-file"
    ),
    Fix.NAME_ALG: CliFix(("token", "build"), "--alg", "give --alg"),
    Fix.HMAC_ALG: CliFix(
        ("import",),
        "--alg",
        "give --alg HS256, HS384 or HS512, or import the private key",
    ),
    Fix.MULTILINE_BASE64: CliFix(
        ("export", "env"),
        "--multiline",
        "export with --multiline base64 or choose another format",
    ),
    Fix.ALLOW_WEAK: CliFix(
        ("import",),
        "--allow-weak",
        "generate a new key with `jwtdesk keys new`, or pass --allow-weak to import it anyway",
    ),
    Fix.GIVE_TTL: CliFix(
        ("revoke", "token"), "--ttl", "give --ttl SECONDS (as long as such tokens are accepted)"
    ),
    Fix.ALLOW_IN_GIT: CliFix(
        ("export", "env"), "--force", "add it to .gitignore, write elsewhere, or pass --force"
    ),
    Fix.OTHER_OUT_DIR: CliFix(
        ("emergency",),
        "--out",
        "choose another --out directory (a new one, outside git or git-ignored)",
    ),
    Fix.PRIVATE_JWK: CliFix(
        ("export", "jwk"), "--private", "export it as a JWK (`jwtdesk export jwk --private`)"
    ),
    Fix.CONNECTION_CREDENTIALS: CliFix(
        ("connections", "new"),
        "--password",
        "check its username and password (`jwtdesk connections new NAME … --password`)",
    ),
    Fix.CONNECTION_TIMEOUT: CliFix(
        ("connections", "new"),
        "--timeout",
        "check that it is running and not overloaded, or raise the connection's --timeout",
    ),
    Fix.ADD_CONNECTION: CliFix(
        ("connections", "new"),
        "--service",
        "add one with `jwtdesk connections new NAME --url redis://… --service SERVICE`",
    ),
    Fix.CHOOSE_CONNECTION: CliFix(
        ("revoke", "token"), "--connection", "choose one with --connection NAME"
    ),
    Fix.REMAP_VARIABLE: CliFix(
        ("profiles", "set"),
        None,
        "map it again with `jwtdesk profiles set PROFILE VAR KEYSET:SOURCE`",
    ),
}


def describe(exc: JwtdeskError) -> str:
    """The one line the CLI prints: what is wrong, then the fix in flags."""
    if exc.fix is None:
        return exc.message
    return f"{exc.message}; {FIXES[exc.fix].text}"
