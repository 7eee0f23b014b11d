from __future__ import annotations

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
