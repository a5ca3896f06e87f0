"""Signatures that also record when they were made, so they can expire.

``TimestampSigner`` appends ``sep + base64(timestamp)`` to the value before
signing it; ``unsign(..., max_age=seconds)`` refuses tokens older than that.

Peer: ``itsdangerous.timed`` (import ``microflask.signing.timed``).
"""

from __future__ import annotations

import time
import typing as t
from datetime import datetime, timezone

from microflask.signing.encoding import base64_decode, base64_encode, bytes_to_int, int_to_bytes
from microflask.signing.exc import BadSignature, BadTimeSignature, SignatureExpired
from microflask.signing.serializer import Serializer
from microflask.signing.signer import Signer, _signed_bytes

__all__ = ["TimestampSigner", "TimedSerializer"]

# The timestamp changes once a second while tokens are made far more often,
# so the encoding of the latest one is kept.  The (seconds, bytes) pair is
# swapped in as one tuple so concurrent threads never see a torn pair.
_last_encoded_timestamp: t.List[t.Tuple[t.Optional[int], bytes]] = [(None, b"")]


def _encode_timestamp(seconds: int) -> bytes:
    """base64 of the big-endian seconds, as ItsDangerous writes them."""
    cached_seconds, encoded = _last_encoded_timestamp[0]
    if cached_seconds != seconds:
        encoded = base64_encode(int_to_bytes(seconds))
        _last_encoded_timestamp[0] = (seconds, encoded)
    return encoded


# The same for reading: tokens arriving together were mostly made in the
# same second.  (encoded bytes, seconds)
_last_decoded_timestamp: t.List[t.Tuple[bytes, int]] = [(b"", 0)]


def _decode_timestamp(encoded: bytes) -> int:
    """Seconds from a base64 timestamp; raises on malformed input."""
    cached_encoded, seconds = _last_decoded_timestamp[0]
    if encoded == cached_encoded and encoded:
        return seconds
    seconds = bytes_to_int(base64_decode(encoded))
    _last_decoded_timestamp[0] = (encoded, seconds)
    return seconds


class TimestampSigner(Signer):
    """A :class:`Signer` whose signature covers the signing time as well."""

    def get_timestamp(self) -> int:
        """The current time in whole seconds; override to change the clock."""
        return int(time.time())

    def timestamp_to_datetime(self, ts: int) -> datetime:
        """An aware UTC datetime for a timestamp."""
        return datetime.fromtimestamp(ts, tz=timezone.utc)

    def sign(self, value: t.Union[str, bytes]) -> bytes:
        """``value + sep + timestamp + sep + signature``."""
        if isinstance(value, str):
            value = value.encode("utf-8")
        sep = self.sep
        value = value + sep + _encode_timestamp(self.get_timestamp())
        return value + sep + self.get_signature(value)

    def unsign(  # type: ignore[override]
        self,
        signed_value: t.Union[str, bytes],
        max_age: t.Optional[float] = None,
        return_timestamp: bool = False,
    ) -> t.Union[t.Tuple[bytes, datetime], bytes]:
        """Verify the signature, then the age.

        Raises :class:`SignatureExpired` when older than ``max_age`` seconds
        (or dated in the future), :class:`BadTimeSignature` when the
        timestamp is missing or unreadable, :class:`BadSignature` otherwise.
        With ``return_timestamp`` the result is ``(value, datetime)``.
        """
        if type(signed_value) is not bytes:
            signed_value = _signed_bytes(signed_value)
        try:
            result = Signer.unsign(self, signed_value)
            signature_error = None
        except BadSignature as error:
            signature_error = error
            result = error.payload or b""

        sep = self.sep
        if sep not in result:
            if signature_error is not None:
                raise signature_error
            raise BadTimeSignature("timestamp missing", payload=result)

        value, encoded_timestamp = result.rsplit(sep, 1)
        timestamp: t.Optional[int]
        try:
            timestamp = _decode_timestamp(encoded_timestamp)
        except Exception:
            timestamp = None

        if signature_error is not None:
            # Report the claimed date (unverified) to help debugging.
            date_signed = None
            if timestamp is not None:
                date_signed = self._timestamp_or_malformed(timestamp, value)
            raise BadTimeSignature(str(signature_error), payload=value, date_signed=date_signed)

        if timestamp is None:
            raise BadTimeSignature("Malformed timestamp", payload=value)

        if max_age is not None:
            age = self.get_timestamp() - timestamp
            if age > max_age:
                raise SignatureExpired(
                    "Signature age %s > %s seconds" % (age, max_age),
                    payload=value,
                    date_signed=self._timestamp_or_malformed(timestamp, value),
                )
            if age < 0:
                raise SignatureExpired(
                    "Signature age %s < 0 seconds" % (age,),
                    payload=value,
                    date_signed=self._timestamp_or_malformed(timestamp, value),
                )

        if return_timestamp:
            return value, self._timestamp_or_malformed(timestamp, value)
        return value

    def validate(  # type: ignore[override]
        self, signed_value: t.Union[str, bytes], max_age: t.Optional[float] = None
    ) -> bool:
        """Whether the signature is valid and not older than ``max_age``."""
        try:
            self.unsign(signed_value, max_age=max_age)
            return True
        except BadSignature:
            return False

    def _timestamp_or_malformed(self, timestamp: int, value: bytes) -> datetime:
        try:
            return self.timestamp_to_datetime(timestamp)
        except (ValueError, OSError, OverflowError) as error:
            raise BadTimeSignature("Malformed timestamp", payload=value) from error


class TimedSerializer(Serializer):
    """A :class:`Serializer` that signs with :class:`TimestampSigner`, so
    ``loads`` accepts ``max_age`` and ``return_timestamp``."""

    default_signer: t.Type[Signer] = TimestampSigner

    def loads(  # type: ignore[override]
        self,
        s: t.Union[str, bytes],
        max_age: t.Optional[float] = None,
        return_timestamp: bool = False,
        salt: t.Optional[t.Union[str, bytes]] = None,
    ) -> t.Any:
        """Like :meth:`Serializer.loads`, also checking the age.

        An expired signature is final: it is not retried with older keys.
        """
        if type(s) is not bytes:
            s = _signed_bytes(s)
        last_error: t.Optional[BadSignature] = None
        for signer in self._unsigners_in_order(salt):
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
        s: t.Union[str, bytes],
        max_age: t.Optional[float] = None,
        salt: t.Optional[t.Union[str, bytes]] = None,
    ) -> t.Tuple[bool, t.Any]:
        return self._loads_unsafe_impl(s, salt, load_kwargs={"max_age": max_age})
