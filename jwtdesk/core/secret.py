"""A container for secret bytes whose every textual form is masked."""

from __future__ import annotations

from typing import NoReturn

MASK = "••••••••"


class Secret:
    """Secret material (an HMAC key, a private key PEM).

    ``repr``/``str``/``format`` always show a fixed mask whatever the length, so a secret that
    ends up in a log line, an f-string or an exception shows nothing. ``reveal()`` is the one
    explicit way to the bytes.
    """

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        if not isinstance(value, bytes):
            raise TypeError("Secret takes bytes")
        self._value = value

    def reveal(self) -> bytes:
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac  # deferred: keeps `jwtdesk keys list` start-up small

        return hmac.compare_digest(self._value, other._value)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> NoReturn:
        # Pickling would copy the bytes into whatever the pickle is written to.
        raise TypeError("a Secret cannot be pickled")
