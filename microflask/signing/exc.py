"""The errors raised when signed data cannot be trusted.

``BadData`` is the base of them all, so ``except BadData`` catches every
way a token can be wrong: bad signature, bad or expired timestamp, bad
header, or a payload that does not deserialize.

Peer: ``itsdangerous.exc`` (import ``microflask.signing.exc``).
"""

from __future__ import annotations

import typing as t
from datetime import datetime

__all__ = [
    "BadData",
    "BadSignature",
    "BadTimeSignature",
    "SignatureExpired",
    "BadHeader",
    "BadPayload",
]


class BadData(Exception):
    """Base class of every error about untrusted data; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadSignature(BadData):
    """The signature does not match.

    ``payload`` holds the unverified data when it could be separated from
    the signature, else ``None``.  Never trust it.
    """

    def __init__(self, message: str, payload: t.Any | None = None):
        super().__init__(message)
        self.payload = payload


class BadTimeSignature(BadSignature):
    """A timed signature is invalid; ``date_signed`` is the (unverified) time
    it claims, as an aware UTC datetime, when that could be read."""

    def __init__(
        self,
        message: str,
        payload: t.Any | None = None,
        date_signed: datetime | None = None,
    ):
        super().__init__(message, payload)
        self.date_signed = date_signed


class SignatureExpired(BadTimeSignature):
    """The signature is valid but older than ``max_age`` (or from the future)."""


class BadHeader(BadSignature):
    """A signed header is malformed (kept for serializers that sign headers)."""

    def __init__(
        self,
        message: str,
        payload: t.Any | None = None,
        header: t.Any | None = None,
        original_error: Exception | None = None,
    ):
        super().__init__(message, payload)
        self.header = header
        self.original_error = original_error


class BadPayload(BadData):
    """The payload could not be decoded or deserialized; the cause is kept in
    ``original_error``."""

    def __init__(self, message: str, original_error: Exception | None = None):
        super().__init__(message)
        self.original_error = original_error
