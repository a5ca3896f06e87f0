"""Sign bytes with an HMAC and check the signature later.

``Signer("key").sign(b"value")`` gives ``b"value.<signature>"``;
``unsign`` gives ``b"value"`` back only if the signature matches.  A list
of secret keys allows rotation: the newest (last) key signs, every key is
accepted when verifying.

Peer: ``itsdangerous.signer`` (import ``microflask.signing.signer``).
"""

from __future__ import annotations

import hashlib
import hmac
import typing as t

from microflask.signing.encoding import _base64_alphabet, base64_decode, base64_encode, want_bytes
from microflask.signing.exc import BadSignature

__all__ = ["SigningAlgorithm", "NoneAlgorithm", "HMACAlgorithm", "Signer"]

_SecretKeyInput = t.Union[str, bytes, t.Iterable[str], t.Iterable[bytes]]

# How many keys a signer remembers derived, and its HMACAlgorithm keyed (a
# rotation list is short).  Past that a memo starts over, so a caller that
# passes ever new keys to derive_key or get_signature cannot make it grow.
_KEYS_REMEMBERED = 16


def _lazy_sha1(string: bytes = b"") -> t.Any:
    """The default digest: SHA-1, looked up only when first used.

    Resolving it lazily keeps ``import`` working on FIPS builds that refuse
    SHA-1 until someone actually asks for it.
    """
    return hashlib.sha1(string)


def _make_keys_list(secret_key: _SecretKeyInput) -> list[bytes]:
    """One key or an iterable of keys (oldest first) -> a list of bytes."""
    if isinstance(secret_key, (str, bytes)):
        return [want_bytes(secret_key)]
    return [want_bytes(key) for key in secret_key]


def _signed_bytes(signed_value: t.Any) -> bytes:
    """Signed input as bytes; input of any other kind is a bad signature.

    Refusing wrong types here (ItsDangerous lets a ``TypeError`` escape)
    means callers only ever have to catch :class:`BadData`.
    """
    if isinstance(signed_value, bytes):
        return signed_value
    if isinstance(signed_value, str):
        try:
            return signed_value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadSignature("Signed value is not valid UTF-8 text") from None
    if isinstance(signed_value, (bytearray, memoryview)):
        return bytes(signed_value)
    raise BadSignature(
        "Signed value must be str or bytes, not %s" % type(signed_value).__name__
    )


class SigningAlgorithm:
    """Base class: subclasses compute a raw signature for ``key`` and ``value``."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        raise NotImplementedError()

    def verify_signature(self, key: bytes, value: bytes, sig: bytes) -> bool:
        """Compare in constant time against a freshly computed signature."""
        return hmac.compare_digest(sig, self.get_signature(key, value))


class NoneAlgorithm(SigningAlgorithm):
    """Signs nothing: the signature is always empty.  Only for testing."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return b""


class HMACAlgorithm(SigningAlgorithm):
    """HMAC with ``digest_method`` (SHA-1 unless told otherwise)."""

    default_digest_method: t.Any = staticmethod(_lazy_sha1)

    # (digest_method, {key: keyed HMAC}), see _keyed_mac.
    _keyed_macs: t.Optional[tuple[t.Any, dict[bytes, t.Any]]] = None

    def __init__(self, digest_method: t.Any = None):
        if digest_method is None:
            digest_method = self.default_digest_method
        self.digest_method: t.Any = digest_method

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        mac = self._keyed_mac(key).copy()
        mac.update(value)
        return mac.digest()

    def _keyed_mac(self, key: bytes) -> t.Any:
        """An HMAC keyed with ``key`` that has seen no message yet.

        Keying an HMAC costs about as much as signing a session with it; a
        copy of a keyed one skips that, and a signer uses few keys (one per
        secret key).  The memo starts afresh when ``digest_method`` changes.
        """
        memo = self._keyed_macs
        if memo is None or memo[0] is not self.digest_method:
            memo = self._keyed_macs = (self.digest_method, {})
        macs = memo[1]
        mac = macs.get(key)
        if mac is None:
            if len(macs) >= _KEYS_REMEMBERED:
                macs.clear()
            mac = macs[key] = hmac.new(key, digestmod=self.digest_method)
        return mac


class Signer:
    """Signs values and verifies them with a secret key (or several).

    ``salt`` namespaces signatures so a value signed for one purpose is not
    accepted for another.  ``key_derivation`` turns secret and salt into the
    HMAC key: ``"concat"``, ``"django-concat"`` (default), ``"hmac"`` or
    ``"none"``.  ``sep`` must not be a character base64 can produce.
    """

    #: Digest used when none is given; SHA-1 keeps tokens compatible.
    default_digest_method: t.Any = staticmethod(_lazy_sha1)
    #: Key derivation used when none is given.
    default_key_derivation: str = "django-concat"

    # (settings, {secret key: derived key}), see _derived_key_memo.
    _derived_keys: t.Optional[tuple[tuple[t.Any, ...], dict[bytes, bytes]]] = None

    def __init__(
        self,
        secret_key: _SecretKeyInput,
        salt: t.Optional[str | bytes] = b"itsdangerous.Signer",
        sep: str | bytes = b".",
        key_derivation: t.Optional[str] = None,
        digest_method: t.Optional[t.Any] = None,
        algorithm: t.Optional[SigningAlgorithm] = None,
    ):
        #: All accepted keys, oldest first; the last one signs.
        self.secret_keys: list[bytes] = _make_keys_list(secret_key)
        self.sep: bytes = want_bytes(sep)
        if self.sep in _base64_alphabet:
            raise ValueError(
                "The given separator cannot be used because it may be"
                " contained in the signature itself. ASCII letters,"
                " digits, and '-_=' must not be used."
            )
        self.salt: bytes = b"itsdangerous.Signer" if salt is None else want_bytes(salt)
        if key_derivation is None:
            key_derivation = self.default_key_derivation
        self.key_derivation: str = key_derivation
        if digest_method is None:
            digest_method = self.default_digest_method
        self.digest_method: t.Any = digest_method
        if algorithm is None:
            algorithm = HMACAlgorithm(self.digest_method)
        self.algorithm: SigningAlgorithm = algorithm

    @property
    def secret_key(self) -> bytes:
        """The newest secret key, the one used for signing."""
        return self.secret_keys[-1]

    def derive_key(self, secret_key: t.Optional[str | bytes] = None) -> bytes:
        """The HMAC key for ``secret_key`` (default: the newest) and the salt.

        Raises ``TypeError`` for an unknown ``key_derivation``.
        """
        if secret_key is None:
            secret_key = self.secret_keys[-1]
        else:
            secret_key = want_bytes(secret_key)
        memo = self._derived_key_memo()
        derived = memo.get(secret_key)
        if derived is None:
            if len(memo) >= _KEYS_REMEMBERED:
                memo.clear()
            derived = memo[secret_key] = self._derive_fresh_key(secret_key)
        return derived

    def _derived_key_memo(self) -> dict[bytes, bytes]:
        """The keys derived so far, by secret key, for the current salt,
        ``key_derivation`` and ``digest_method``.

        A derived key depends on nothing else, and a signer lives as long as
        its serializer, so each is derived once instead of on every sign and
        unsign.  The memo starts afresh when one of the three settings
        changes, so setting them after first use takes effect.
        """
        settings = (self.salt, self.key_derivation, self.digest_method)
        memo = self._derived_keys
        if memo is None or memo[0] != settings:
            memo = self._derived_keys = (settings, {})
        return memo[1]

    def _derive_fresh_key(self, secret_key: bytes) -> bytes:
        """Apply ``key_derivation`` to ``secret_key`` and the salt."""
        if self.key_derivation == "concat":
            return self.digest_method(self.salt + secret_key).digest()
        if self.key_derivation == "django-concat":
            return self.digest_method(self.salt + b"signer" + secret_key).digest()
        if self.key_derivation == "hmac":
            return hmac.new(secret_key, self.salt, self.digest_method).digest()
        if self.key_derivation == "none":
            return secret_key
        raise TypeError("Unknown key derivation method")

    def get_signature(self, value: str | bytes) -> bytes:
        """The base64 signature of ``value`` with the newest key."""
        value = want_bytes(value)
        return base64_encode(self.algorithm.get_signature(self.derive_key(), value))

    def sign(self, value: str | bytes) -> bytes:
        """``value + sep + signature``."""
        value = want_bytes(value)
        return value + self.sep + self.get_signature(value)

    def verify_signature(self, value: str | bytes, sig: str | bytes) -> bool:
        """Whether ``sig`` is a valid signature of ``value`` under any key."""
        try:
            raw_sig = base64_decode(sig)
        except Exception:
            return False
        value = want_bytes(value)
        for secret_key in reversed(self.secret_keys):
            if self.algorithm.verify_signature(self.derive_key(secret_key), value, raw_sig):
                return True
        return False

    def unsign(self, signed_value: str | bytes) -> bytes:
        """Return the value if its signature is valid, else raise
        :class:`BadSignature` (with the unverified value as ``payload``)."""
        signed_value = _signed_bytes(signed_value)
        if self.sep not in signed_value:
            raise BadSignature("No %r found in value" % (self.sep,))
        value, sig = signed_value.rsplit(self.sep, 1)
        if self.verify_signature(value, sig):
            return value
        raise BadSignature("Signature %r does not match" % (sig,), payload=value)

    def validate(self, signed_value: str | bytes) -> bool:
        """Whether ``signed_value`` carries a valid signature."""
        try:
            self.unsign(signed_value)
            return True
        except BadSignature:
            return False
