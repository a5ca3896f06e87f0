"""Signatures that also record when they were made, so they can expire.

``TimestampSigner`` appends ``sep + base64(timestamp)`` to the value before
signing it; ``unsign(..., max_age=seconds)`` refuses tokens older than that.

Peer: ``itsdangerous.timed`` (import ``microflask.signing.timed``).
"""

from __future__ import annotations

import time
import typing as t
from datetime import datetime, timezone

from microflask.signing.encoding import (
    base64_decode,
    base64_encode,
    bytes_to_int,
    int_to_bytes,
    want_bytes,
)
from microflask.signing.exc import BadSignature, BadTimeSignature, SignatureExpired
from microflask.signing.serializer import Serializer
from microflask.signing.signer import Signer, _signed_bytes

__all__ = ["TimestampSigner", "TimedSerializer"]


def _read_timestamp(encoded: bytes) -> int | None:
    """Seconds from a base64 timestamp, or ``None`` when it is unreadable."""
    try:
        return bytes_to_int(base64_decode(encoded))
    except Exception:
        return None


class TimestampSigner(Signer):
    """A :class:`Signer` whose signature covers the signing time as well."""

    def get_timestamp(self) -> int:
        """The current time in whole seconds; override to change the clock."""
        return int(time.time())

    def timestamp_to_datetime(self, ts: int) -> datetime:
        """An aware UTC datetime for a timestamp."""
        return datetime.fromtimestamp(ts, tz=timezone.utc)

    def sign(self, value: str | bytes) -> bytes:
        """``value + sep + timestamp + sep + signature``."""
        value = want_bytes(value)
        timestamp = base64_encode(int_to_bytes(self.get_timestamp()))
        value = value + self.sep + timestamp
        return value + self.sep + self.get_signature(value)

    def unsign(  # type: ignore[override]
        self,
        signed_value: str | bytes,
        max_age: float | None = None,
        return_timestamp: bool = False,
    ) -> tuple[bytes, datetime] | bytes:
        """Verify the signature, then the age.

        Raises :class:`SignatureExpired` when older than ``max_age`` seconds
        (or dated in the future), :class:`BadTimeSignature` when the
        timestamp is missing or unreadable, :class:`BadSignature` otherwise.
        With ``return_timestamp`` the result is ``(value, datetime)``.
        """
        try:
            result = super().unsign(signed_value)
        except BadSignature as error:
            raise self._with_claimed_date(error) from None
        value, timestamp = self._split_timestamp(result)
        if max_age is not None:
            self._check_age(value, timestamp, max_age)
        if return_timestamp:
            return value, self._timestamp_or_malformed(timestamp, value)
        return value

    def validate(  # type: ignore[override]
        self, signed_value: str | bytes, max_age: float | None = None
    ) -> bool:
        """Whether the signature is valid and not older than ``max_age``."""
        try:
            self.unsign(signed_value, max_age=max_age)
            return True
        except BadSignature:
            return False

    def _with_claimed_date(self, error: BadSignature) -> BadSignature:
        """The error to raise for a bad signature: a :class:`BadTimeSignature`
        carrying the (unverified) date the token claims, when it has one."""
        result = error.payload or b""
        if self.sep not in result:
            return error
        value, encoded_timestamp = result.rsplit(self.sep, 1)
        timestamp = _read_timestamp(encoded_timestamp)
        date_signed = None
        if timestamp is not None:
            date_signed = self._timestamp_or_malformed(timestamp, value)
        return BadTimeSignature(str(error), payload=value, date_signed=date_signed)

    def _split_timestamp(self, result: bytes) -> tuple[bytes, int]:
        """``(value, seconds)`` from verified ``value + sep + timestamp``."""
        if self.sep not in result:
            raise BadTimeSignature("timestamp missing", payload=result)
        value, encoded_timestamp = result.rsplit(self.sep, 1)
        timestamp = _read_timestamp(encoded_timestamp)
        if timestamp is None:
            raise BadTimeSignature("Malformed timestamp", payload=value)
        return value, timestamp

    def _check_age(self, value: bytes, timestamp: int, max_age: float) -> None:
        """Raise :class:`SignatureExpired` unless ``0 <= age <= max_age``."""
        age = self.get_timestamp() - timestamp
        if age > max_age:
            message = "Signature age %s > %s seconds" % (age, max_age)
        elif age < 0:
            message = "Signature age %s < 0 seconds" % (age,)
        else:
            return
        date_signed = self._timestamp_or_malformed(timestamp, value)
        raise SignatureExpired(message, payload=value, date_signed=date_signed)

    def _timestamp_or_malformed(self, timestamp: int, value: bytes) -> datetime:
        """``timestamp_to_datetime``; a date it cannot represent is malformed."""
        try:
            return self.timestamp_to_datetime(timestamp)
        except (ValueError, OSError, OverflowError) as error:
            raise BadTimeSignature("Malformed timestamp", payload=value) from error


class TimedSerializer(Serializer):
    """A :class:`Serializer` that signs with :class:`TimestampSigner`, so
    ``loads`` accepts ``max_age`` and ``return_timestamp``."""

    default_signer: type[Signer] = TimestampSigner

    def loads(  # type: ignore[override]
        self,
        s: str | bytes,
        max_age: float | None = None,
        return_timestamp: bool = False,
        salt: str | bytes | None = None,
    ) -> t.Any:
        """Like :meth:`Serializer.loads`, also checking the age.

        An expired signature is final: it is not retried with older keys.
        """
        s = _signed_bytes(s)
        last_error: BadSignature | None = None
        for signer in self.iter_unsigners(salt):
            try:
                if return_timestamp:
                    value, date_signed = signer.unsign(s, max_age=max_age, return_timestamp=True)
                    return self.load_payload(value), date_signed
                return self.load_payload(signer.unsign(s, max_age=max_age))
            except SignatureExpired:
                raise
            except BadSignature as error:
                last_error = error
        raise t.cast(BadSignature, last_error)

    def loads_unsafe(  # type: ignore[override]
        self,
        s: str | bytes,
        max_age: float | None = None,
        salt: str | bytes | None = None,
    ) -> tuple[bool, t.Any]:
        return self._loads_unsafe_impl(s, salt, load_kwargs={"max_age": max_age})
