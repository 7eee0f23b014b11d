from __future__ import annotations

import json
import logging
import pickle

import pytest

from jwtdesk.core.secret import MASK, Secret

VALUE = b"super-secret-value-1234567890"


def test_every_text_form_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    s = Secret(VALUE)
    texts = [
        repr(s),
        str(s),
        f"{s}",
        f"{s!r}",
        "%s" % s,  # noqa: UP031
        repr([s]),
        repr({"k": s}),
    ]
    logging.getLogger("t").warning("value %s", s)
    texts.append(caplog.text)
    for text in texts:
        assert VALUE.decode() not in text
        assert MASK in text


def test_mask_length_does_not_depend_on_the_secret() -> None:
    assert repr(Secret(b"a")) == repr(Secret(b"a" * 500))


def test_reveal_and_compare() -> None:
    assert Secret(VALUE).reveal() == VALUE
    assert Secret(VALUE) == Secret(VALUE)
    assert Secret(VALUE) != Secret(b"other")
    assert len(Secret(VALUE)) == len(VALUE)


def test_cannot_be_pickled_or_hashed() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(VALUE))
    with pytest.raises(TypeError):
        hash(Secret(VALUE))


def test_takes_only_bytes() -> None:
    with pytest.raises(TypeError):
        Secret("text")  # type: ignore[arg-type]


# --- key handles: HMAC keys travel as Secret to the point of use ----------------------------


def test_key_file_hmac_keys_are_secrets_and_show_masked() -> None:
    from jwtdesk.core import keyfile
    from jwtdesk.core.keys import b64url

    jwk = keyfile.from_jwk({"kty": "oct", "k": b64url(VALUE), "alg": "HS256"}, "f.jwk")
    raw = keyfile.secret(VALUE + b"\n", "secret.txt")
    signing = keyfile.load_signing(
        json.dumps({"kty": "oct", "k": b64url(VALUE * 2), "alg": "HS256"}).encode(), "s", None
    )
    for key in (jwk.key, raw.key, signing.key):
        assert isinstance(key, Secret)
    assert jwk.key.reveal() == raw.key.reveal() == VALUE  # type: ignore[union-attr]
    for shown in (repr(jwk), repr(raw), repr(signing)):
        assert VALUE.decode() not in shown and MASK in shown


def test_inspect_verifies_hmac_only_with_a_secret() -> None:
    """A candidate holding bare bytes is a programming error: it never verifies."""
    import jwt

    from jwtdesk.core.algorithms import KeyType
    from jwtdesk.core.inspect import inspect
    from jwtdesk.core.keyfile import Candidate
    from jwtdesk.core.tokens import sign

    key = VALUE + b"-padded-to-32-bytes"
    token = sign({"sub": "x"}, {"typ": "JWT"}, "HS256", Secret(key))
    assert jwt.decode(token, key, algorithms=["HS256"]) == {"sub": "x"}
    good = Candidate("secret", KeyType.OCT, Secret(key))
    assert inspect(token, [good]).valid
    bare = Candidate("bare", KeyType.OCT, key)  # type: ignore[arg-type]
    assert inspect(token, [bare]).verified_by is None


def test_the_lint_context_keeps_the_secret_masked() -> None:
    from datetime import UTC, datetime

    from jwtdesk.core import jose
    from jwtdesk.core.lint import LintContext, lint
    from jwtdesk.core.tokens import sign

    token = sign({"sub": "x"}, {"typ": "JWT"}, "HS256", Secret(b"short"))
    ctx = LintContext(jose.parse(token), datetime.now(UTC), hmac_secret=Secret(b"short"))
    assert "short" not in repr(ctx)
    assert "weak-secret" in {f.id for f in lint(ctx)}
