"""Serializers whose tokens are safe in URLs and cookies.

The payload is compact JSON, zlib-compressed when that makes it shorter
(marked by a leading ``.``), then base64url-encoded without padding.

Peer: ``itsdangerous.url_safe`` (import ``microflask.signing.url_safe``).
"""

from __future__ import annotations

import typing as t
import zlib

from microflask.signing._json import _CompactJSON
from microflask.signing.encoding import base64_decode, base64_encode
from microflask.signing.exc import BadPayload
from microflask.signing.serializer import Serializer
from microflask.signing.timed import TimedSerializer

__all__ = ["URLSafeSerializerMixin", "URLSafeSerializer", "URLSafeTimedSerializer"]


def _compress_token_payload(data: bytes) -> bytes:
    """zlib data for ``data``, compressed with a window and hash table sized for tokens.

    Tokens travel in cookies and URLs, a few kilobytes at most, so a 4 KB
    window finds what zlib's default 32 KB window finds (a test checks the
    sizes stay within a few bytes).  The point is memory: zlib's defaults
    allocate about 270 KB on every call, which the C allocator can hand back
    to the system after the call and fault in again on the next, so that
    compressing a session cost about as much as the rest of its round trip.
    These settings need about 30 KB.  The result is ordinary zlib data that
    any reader inflates, ItsDangerous' included; only the bytes differ from
    what ``zlib.compress`` would give.
    """
    compressor = zlib.compressobj(6, zlib.DEFLATED, 12, 4)
    return compressor.compress(data) + compressor.flush()


class URLSafeSerializerMixin(Serializer):
    """Adds the compress-and-base64 step around the payload of a serializer."""

    default_serializer: t.Any = _CompactJSON

    def load_payload(
        self, payload: bytes, *args: t.Any, **kwargs: t.Any
    ) -> t.Any:
        """Undo base64 (and zlib when marked with ``.``), then deserialize."""
        compressed = payload.startswith(b".")
        if compressed:
            payload = payload[1:]
        try:
            data = base64_decode(payload)
        except Exception as error:
            raise BadPayload(
                "Could not base64 decode the payload because of an exception",
                original_error=error,
            ) from error
        if compressed:
            try:
                data = zlib.decompress(data)
            except Exception as error:
                raise BadPayload(
                    "Could not zlib decompress the payload before decoding the payload",
                    original_error=error,
                ) from error
        return super().load_payload(data, *args, **kwargs)

    def dump_payload(self, obj: t.Any) -> bytes:
        """Serialize, compress if that saves more than a byte, base64-encode."""
        data = super().dump_payload(obj)
        compressed = _compress_token_payload(data)
        if len(compressed) < len(data) - 1:
            return b"." + base64_encode(compressed)
        return base64_encode(data)


class URLSafeSerializer(URLSafeSerializerMixin, Serializer):
    """A :class:`Serializer` producing URL-safe tokens."""


class URLSafeTimedSerializer(URLSafeSerializerMixin, TimedSerializer):
    """A :class:`TimedSerializer` producing URL-safe tokens (Flask's session
    cookie format)."""
