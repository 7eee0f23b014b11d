"""Errors in the desktop app's terms: each :class:`Fix` names the button, field or choice that
does it here (the CLI words the same fix with its flags, in ``jwtdesk.cli.fixes``).

Views show ``for_people(exc)`` and decide by ``exc.fix`` or the error's class, never by matching
the text of a message.
"""

from __future__ import annotations

from jwtdesk.core.errors import Fix, JwtdeskError

FIXES: dict[Fix, str] = {
    Fix.CUSTOM_PRESET: "the custom preset has no lifetime limit",
    Fix.GIVE_HMAC_KEY: (
        "choose a PEM public key, a certificate, a JWK or JWKS (an HMAC key as an oct JWK), "
        "or an SSH public key"
    ),
    Fix.NAME_ALG: "choose the key's algorithm",
    Fix.HMAC_ALG: "choose HS256, HS384 or HS512, or import the private key",
    Fix.MULTILINE_BASE64: "tick “Multi-line values as NAME_B64 (base64)” or choose another format",
    Fix.ALLOW_WEAK: "generate a new key (New keyset), or import the weak secret anyway",
    Fix.GIVE_TTL: "give a TTL in seconds (as long as such tokens are accepted)",
    Fix.ALLOW_IN_GIT: (
        "add it to .gitignore, write elsewhere, or tick “Allow inside a git work tree”"
    ),
    Fix.OTHER_OUT_DIR: (
        "the response needs a new, empty folder outside git (or git-ignored); the "
        "command-line tool's emergency command takes another folder"
    ),
    Fix.PRIVATE_JWK: "it travels only as a private JWK, which the command-line tool exports",
    Fix.CONNECTION_CREDENTIALS: (
        "check its username and password (add the connection again with New connection…)"
    ),
    Fix.CONNECTION_TIMEOUT: (
        "check that it is running and not overloaded, or raise the connection's Timeout (s)"
    ),
    Fix.ADD_CONNECTION: "add one for the service with New connection… in the Revocation view",
    Fix.CHOOSE_CONNECTION: "choose one in the Revocation view's Connection list",
    Fix.REMAP_VARIABLE: "map it again with Set variable… in the Export view",
}


def fix_text(fix: Fix | None) -> str:
    """The remedy in GUI words ("" when there is none)."""
    return FIXES[fix] if fix is not None else ""


def for_people(exc: JwtdeskError, default: Fix | None = None) -> str:
    """What is wrong and, when the error carries one (else ``default``, the remedy the view
    offers for anything that goes wrong there), what to do about it, in GUI terms."""
    fix = exc.fix or default
    if fix is None:
        return exc.message
    return f"{exc.message.rstrip('.')}; {FIXES[fix]}"
