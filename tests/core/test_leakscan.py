"""Leak scan, pure part: every form of a secret is found, in pieces too; weak assignments."""

from __future__ import annotations

import base64
import json
import os

import pytest

from jwtdesk.core import leakforms
from jwtdesk.core.algorithms import get as get_alg
from jwtdesk.core.keys import b64url, generate, private_jwk_members, private_pem
from jwtdesk.core.leakscan import Entry, Label, Matcher, first_lines

HMAC = b64url(os.urandom(64)).encode()
ODD = b"p4ss\"w/rd\\with$pecial`chars and 'quotes' 0123456789"
SHELL_DQ = (
    ODD.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"$", b"\\$").replace(b"`", b"\\`")
)


def matcher(*entries: tuple[str, bytes]) -> Matcher:
    return Matcher(
        Entry(name, "kid-" + name, tuple(leakforms.secret_forms(secret)))
        for name, secret in entries
    )


def forms_found(m: Matcher, text: bytes) -> set[str]:
    hits, _ = m.scan(text)
    return {h.label.form for h in hits}


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ("raw", b"JWT_SECRET=" + HMAC + b"\n"),
        ("hex", b"key = " + HMAC.hex().encode()),
        ("hex", b"KEY=" + HMAC.hex().upper().encode()),
        ("base64", b"data:\n  JWT_SECRET: " + base64.b64encode(HMAC) + b"\n"),
        ("base64url", b"s=" + base64.urlsafe_b64encode(HMAC).rstrip(b"=")),
        # the 64 bytes the text stands for, spelled in standard base64 and hex
        ("base64", base64.b64encode(base64.urlsafe_b64decode(HMAC + b"=="))),
        ("hex", base64.urlsafe_b64decode(HMAC + b"==").hex().encode()),
    ],
)
def test_each_form_of_an_hmac_secret(form: str, text: bytes) -> None:
    found = forms_found(matcher(("api", HMAC)), b"x\n" + text + b"\ny\n")
    # Spellings that coincide (base64 and base64url without '+' or '/', the standard base64
    # of the decoded key and the key text itself) are named by the first form that made them.
    assert form in found or (form.startswith("base64") and found <= {"raw", "base64"} and found)


def test_inside_a_larger_base64_blob_at_every_offset() -> None:
    m = matcher(("api", HMAC))
    for prefix in (b"", b"A", b"AB", b"ABC"):
        blob = base64.b64encode(prefix + b"JWT_SECRET=" + HMAC + b"\nOTHER=1\n")
        assert forms_found(m, blob), prefix


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ("json", json.dumps({"secret": ODD.decode()}).encode()),
        ("env", b'S="' + SHELL_DQ + b'"'),
        ("env", b"export SECRET='" + ODD.replace(b"'", b"'\\''") + b"'"),
        ("raw", b"secret: " + ODD),
    ],
)
def test_escaped_forms_of_a_text_secret(form: str, text: bytes) -> None:
    assert form in forms_found(matcher(("odd", ODD)), text)


def _private(alg: str) -> tuple[bytes, Matcher]:
    algorithm = get_alg(alg)
    material = generate(algorithm)
    der = material.secret.reveal()
    forms, public = leakforms.private_key_forms(der)
    return der, Matcher([Entry("sign", "kid-sign", tuple(forms), public)])


@pytest.mark.parametrize("sep", [b"\n", b"\r\n", b"\\n", b""])
def test_a_pem_split_over_lines_is_found(sep: bytes) -> None:
    der, m = _private("ES256")
    body = base64.b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    text = b"-----BEGIN PRIVATE KEY-----" + sep + sep.join(lines) + sep + b"-----END"
    hits, _ = m.scan(b"key = '" + text + b"'\n")
    # The private scalar d lies inside the DER: its base64url spelling may coincide with
    # the base64 body where the alignment matches and no '+' or '/' differs.
    forms = {h.label.form for h in hits}
    assert "pem" in forms and forms <= {"pem", "jwk"}
    assert min(h.line for h in hits) == (2 if sep.endswith(b"\n") and sep != b"\\n" else 1)


def test_pem_wrapped_at_76_and_json_escaped_slashes() -> None:
    der, m = _private("ES384")
    body = base64.b64encode(der)
    wrapped = b"\n".join(body[i : i + 76] for i in range(0, len(body), 76))
    assert forms_found(m, wrapped)
    escaped = body.replace(b"/", b"\\/")
    assert forms_found(m, escaped) <= {"pem", "json"} and forms_found(m, escaped)


def test_traditional_pem_and_private_jwk_members() -> None:
    der, m = _private("ES256")
    pem = private_pem(leakforms_secret(der)).reveal()
    assert "pem" in forms_found(m, pem)
    trad = leakforms.traditional_der(der)[0]
    assert "pem" in forms_found(m, base64.encodebytes(trad))
    algorithm = get_alg("ES256")
    jwk = private_jwk_members(algorithm, leakforms_secret(der))
    assert "jwk" in forms_found(m, json.dumps(jwk).encode()) <= {"jwk", "pem"}
    public_only = {k: v for k, v in jwk.items() if k != "d"}
    assert forms_found(m, json.dumps(public_only).encode()) == set()


def leakforms_secret(der: bytes) -> object:
    from jwtdesk.core.secret import Secret

    return Secret(der)


def test_a_needle_across_two_pieces_is_found_once_with_its_line() -> None:
    m = matcher(("api", HMAC))
    text = b"a\n" * 1000 + b"JWT_SECRET=" + HMAC + b"\n" + b"b\n" * 10
    cut = text.index(HMAC) + 20
    stream = m.stream()
    stream.feed(text[:cut])
    stream.feed(text[cut:], final=True)
    assert first_lines(stream.secret_hits) == {Label("api", "kid-api", "raw"): 1001}
    assert len(stream.secret_hits) == len(m.scan(text)[0])


def test_clean_text_and_other_secrets_find_nothing() -> None:
    m = matcher(("api", HMAC))
    other = b64url(os.urandom(64)).encode()
    text = b"JWT_SECRET=" + other + b"\n" + base64.b64encode(other) + other.hex().encode()
    assert m.scan(text) == ([], [])


def test_one_secret_in_two_keysets_names_both() -> None:
    m = matcher(("a", HMAC), ("b", HMAC))
    hits, _ = m.scan(HMAC)
    assert {h.label.keyset for h in hits} == {"a", "b"}


@pytest.mark.parametrize(
    "line",
    [
        b'JWT_SECRET = "mysecret"',
        b"jwt_secret: secret",
        b'  "jwtSecret": "your-256-bit-secret",',
        b"const secret = process.env.JWT_SECRET || 'changeme';",
        b'SIGNING_KEY = os.getenv("SIGNING_KEY", "secret")',
        b"app.config['SECRET_KEY'] = 'password'",
        b"JWT_SECRET=${JWT_SECRET:-secret}",
        b"export JWT_SECRET=secret  # TODO",
        b"spring.jwt.secret-key: password",
    ],
)
def test_weak_assignments_are_flagged_by_name_never_value(line: bytes) -> None:
    _, weak = matcher(("api", HMAC)).scan(b"# config\n" + line + b"\n")
    assert len(weak) == 1 and weak[0].line == 2
    assert weak[0].name and weak[0].name.encode() not in (b"mysecret", b"changeme")


@pytest.mark.parametrize(
    "line",
    [
        b'JWT_SECRET = "' + HMAC + b'"',
        b"JWT_SECRET = process.env.JWT_SECRET",
        b"secret_enabled = true",
        b"password = 'secret'",  # not a signing-secret name
        b"if secret == 'secret':",
        b"JWT_SECRET=null",
        # seen in real code: annotations, keyword arguments, calls, dict entries
        b"    secret: Secret",
        b"    secret: Secret | None",
        b"        return Imported(label, secret=secret, kid=kid)",
        b'    seed(ctx, "hmac", "HS256")',
        b"expect._replace(public_key_offered_as_secret=public)",
        b'    {"JWT_SECRET": SECRET, "QUOTED": "it\'s"}',
    ],
)
def test_strong_or_unrelated_values_are_not_weak(line: bytes) -> None:
    assert matcher(("x", HMAC[:20])).scan(line)[1] == []
