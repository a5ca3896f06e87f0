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

    # (digest_method, {key: (inner, outer) pad states}), see _pad_states.
    _pad_state_memo: tuple[t.Any, dict[bytes, t.Any]] | None = None

    def __init__(self, digest_method: t.Any = None):
        if digest_method is None:
            digest_method = self.default_digest_method
        self.digest_method: t.Any = digest_method

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        inner_start, outer_start = self._pad_states(key)
        inner = inner_start.copy()
        inner.update(value)
        outer = outer_start.copy()
        outer.update(inner.digest())
        return outer.digest()

    def _pad_states(self, key: bytes) -> tuple[t.Any, t.Any]:
        """HMAC's two hash states for ``key`` before any message (RFC 2104):
        ``H(K xor ipad)`` and ``H(K xor opad)``.

        HMAC(K, m) is ``H((K xor opad) + H((K xor ipad) + m))``; starting
        from copies of these two states, a signature costs two hash updates,
        the same bytes ``hmac.new(key, m, digest_method).digest()`` gives
        (a test checks it).  A signer uses few keys (one per secret key), so
        they are remembered on this instance; the memo starts afresh when
        ``digest_method`` changes.
        """
        memo = self._pad_state_memo
        if memo is None or memo[0] is not self.digest_method:
            memo = self._pad_state_memo = (self.digest_method, {})
        states = memo[1].get(key)
        if states is None:
            if len(memo[1]) >= _KEYS_REMEMBERED:
                memo[1].clear()
            states = memo[1][key] = _pad_states_for(self.digest_method, key)
        return states


def _hash_constructor(digest_method: t.Any) -> t.Callable[..., t.Any]:
    """``hashlib.sha1``-style constructor for a digest given as hmac accepts it."""
    if isinstance(digest_method, str):
        return lambda data=b"": hashlib.new(digest_method, data)
    if hasattr(digest_method, "new"):  # a PEP 247 module, as hmac accepts
        return digest_method.new
    return digest_method


# XOR of every byte value with HMAC's inner and outer pad bytes.
_XOR_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_XOR_OPAD = bytes(byte ^ 0x5C for byte in range(256))


def _pad_states_for(digest_method: t.Any, key: bytes) -> tuple[t.Any, t.Any]:
    new_hash = _hash_constructor(digest_method)
    block_size = new_hash().block_size
    if len(key) > block_size:
        key = new_hash(key).digest()
    key = key.ljust(block_size, b"\0")
    return new_hash(key.translate(_XOR_IPAD)), new_hash(key.translate(_XOR_OPAD))


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
    _derived_keys: tuple[tuple[t.Any, ...], dict[bytes, bytes]] | None = None

    def __init__(
        self,
        secret_key: _SecretKeyInput,
        salt: str | bytes | None = b"itsdangerous.Signer",
        sep: str | bytes = b".",
        key_derivation: str | None = None,
        digest_method: t.Any | None = None,
        algorithm: SigningAlgorithm | None = None,
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

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
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
