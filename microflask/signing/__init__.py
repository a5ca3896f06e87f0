"""Cryptographic signing of data: the role ItsDangerous plays for Flask.

Sign bytes (``Signer``), add a timestamp that can expire
(``TimestampSigner``), or serialize whole objects to tamper-proof tokens
(``Serializer``, ``URLSafeTimedSerializer`` -- Flask's session cookie).
Tokens are wire-compatible with ItsDangerous 2.x.  Every way a token can be
wrong raises a subclass of ``BadData``.

Peer: ``itsdangerous`` (import ``microflask.signing`` instead); the
submodules mirror its own: ``encoding``, ``exc``, ``signer``, ``timed``,
``serializer``, ``url_safe``.
"""

from __future__ import annotations

from microflask.signing.encoding import base64_decode, base64_encode, want_bytes
from microflask.signing.exc import (
    BadData,
    BadHeader,
    BadPayload,
    BadSignature,
    BadTimeSignature,
    SignatureExpired,
)
from microflask.signing.serializer import Serializer
from microflask.signing.signer import HMACAlgorithm, NoneAlgorithm, Signer, SigningAlgorithm
from microflask.signing.timed import TimedSerializer, TimestampSigner
from microflask.signing.url_safe import URLSafeSerializer, URLSafeTimedSerializer

__all__ = [
    "BadData",
    "BadHeader",
    "BadPayload",
    "BadSignature",
    "BadTimeSignature",
    "HMACAlgorithm",
    "NoneAlgorithm",
    "Serializer",
    "SignatureExpired",
    "Signer",
    "SigningAlgorithm",
    "TimedSerializer",
    "TimestampSigner",
    "URLSafeSerializer",
    "URLSafeTimedSerializer",
    "base64_decode",
    "base64_encode",
    "want_bytes",
]
