"""Bytes helpers for signing: URL-safe base64 without padding, int packing.

Peer: ``itsdangerous.encoding`` (import ``microflask.signing.encoding``).
"""

from __future__ import annotations

import binascii
import string as _string_constants
import struct

from microflask.signing.exc import BadData

__all__ = [
    "want_bytes",
    "base64_encode",
    "base64_decode",
    "int_to_bytes",
    "bytes_to_int",
]

#: Every byte that can appear in a signature or a timestamp; a separator
#: made of one of these could not be told apart from the data around it.
_base64_alphabet = (_string_constants.ascii_letters + _string_constants.digits + "-_=").encode(
    "ascii"
)

# Standard base64 uses "+/"; the URL-safe alphabet uses "-_" in their place.
_STANDARD_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_unsigned_int64 = struct.Struct(">Q")


def want_bytes(s: str | bytes, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """Encode ``str`` to bytes; anything else is returned unchanged."""
    if isinstance(s, str):
        s = s.encode(encoding, errors)
    return s  # type: ignore[return-value]


def base64_encode(string: str | bytes) -> bytes:
    """URL-safe base64 with the ``=`` padding stripped."""
    if isinstance(string, str):
        string = string.encode("utf-8")
    return binascii.b2a_base64(string, newline=False).translate(_STANDARD_TO_URLSAFE).rstrip(b"=")


def base64_decode(string: str | bytes) -> bytes:
    """Decode URL-safe base64, restoring the padding first.

    Like ``base64.urlsafe_b64decode`` characters outside the alphabet are
    skipped; data that still cannot be decoded raises :class:`BadData`.
    """
    if isinstance(string, str):
        string = string.encode("ascii", "ignore")
    try:
        padded = string + b"=" * (-len(string) % 4)
        return binascii.a2b_base64(padded.translate(_URLSAFE_TO_STANDARD))
    except (TypeError, ValueError) as error:
        raise BadData("Invalid base64-encoded data") from error


def int_to_bytes(num: int) -> bytes:
    """Big-endian bytes of an unsigned 64-bit int, leading zeros dropped."""
    return _unsigned_int64.pack(num).lstrip(b"\x00")


def bytes_to_int(bytestr: bytes) -> int:
    """Inverse of :func:`int_to_bytes`; more than eight bytes raise ``struct.error``."""
    return _unsigned_int64.unpack(bytestr.rjust(8, b"\x00"))[0]
