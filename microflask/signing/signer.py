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


def _lazy_sha1(string: bytes = b"") -> t.Any:
    """The default digest: SHA-1, looked up only when first used.

    Resolving it lazily keeps ``import`` working on FIPS builds that refuse
    SHA-1 until someone actually asks for it.
    """
    return hashlib.sha1(string)


def _make_keys_list(secret_key: _SecretKeyInput) -> t.List[bytes]:
    """One key or an iterable of keys (oldest first) -> a list of bytes."""
    if isinstance(secret_key, (str, bytes)):
        return [want_bytes(secret_key)]
    return [want_bytes(key) for key in secret_key]


# Keyed HMAC objects by (key, digest); cloning one with .copy() skips the
# key set-up (two hashes of the padded key) that hmac.new does every time.
# Bounded so a process signing with endless distinct keys cannot grow it.
_keyed_hmac_templates: t.Dict[t.Tuple[bytes, t.Any], t.Any] = {}
_KEYED_HMAC_CACHE_SIZE = 256

# Derived keys by (secret, salt, derivation, digest): the derivation is a
# pure function of those, and Flask builds a new serializer per request.
_derived_keys: t.Dict[t.Tuple[bytes, bytes, str, t.Any], bytes] = {}
_DERIVED_KEY_CACHE_SIZE = 256


def _hmac_digestmod(digest_method: t.Any) -> t.Any:
    """The ``digestmod`` to give ``hmac.new`` for a digest constructor.

    ``hmac`` takes OpenSSL's fast path only for a digest name or a hashlib
    constructor; a plain function that returns an OpenSSL hash (like our
    lazy SHA-1 default, or Flask's own) gets the slow pure-Python HMAC.
    The same digest by name gives the same MAC, faster.
    """
    if digest_method is _lazy_sha1:
        return "sha1"
    if isinstance(digest_method, str) or not callable(digest_method):
        return digest_method
    try:
        sample = digest_method()
        name = sample.name
        # Only trust the name when it is that very algorithm with no key or
        # personalisation: same hash type, same digest of the empty input.
        reference = hashlib.new(name)
        if type(sample) is type(reference) and sample.digest() == reference.digest():
            return name
    except Exception:
        pass
    return digest_method


def _keyed_hmac_template(key: bytes, digest_method: t.Any) -> t.Any:
    cache_key = (key, digest_method)
    try:
        template = _keyed_hmac_templates.get(cache_key)
    except TypeError:  # an unhashable digest_method: build, don't cache
        return hmac.new(key, digestmod=digest_method)
    if template is None:
        template = hmac.new(key, digestmod=_hmac_digestmod(digest_method))
        # With OpenSSL the HMAC wraps a C object with the same copy/update/
        # digest methods; using it directly skips a Python layer per call.
        template = getattr(template, "_hmac", None) or template
        if len(_keyed_hmac_templates) >= _KEYED_HMAC_CACHE_SIZE:
            _keyed_hmac_templates.clear()
        _keyed_hmac_templates[cache_key] = template
    return template


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

    # (key, digest_method, keyed template) last used by this instance: a
    # signer mostly uses one key, so this skips even the shared cache.  One
    # tuple, swapped whole, so threads never pair a key with another's mac.
    _last_keyed_template: t.Optional[t.Tuple[bytes, t.Any, t.Any]] = None

    def __init__(self, digest_method: t.Any = None):
        if digest_method is None:
            digest_method = self.default_digest_method
        self.digest_method: t.Any = digest_method

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        digest_method = self.digest_method
        last = self._last_keyed_template
        if last is not None and last[0] is key and last[1] is digest_method:
            mac = last[2].copy()
        else:
            template = _keyed_hmac_template(key, digest_method)
            self._last_keyed_template = (key, digest_method, template)
            mac = template.copy()
        mac.update(value)
        return mac.digest()


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

    def __init__(
        self,
        secret_key: _SecretKeyInput,
        salt: t.Optional[t.Union[str, bytes]] = b"itsdangerous.Signer",
        sep: t.Union[str, bytes] = b".",
        key_derivation: t.Optional[str] = None,
        digest_method: t.Optional[t.Any] = None,
        algorithm: t.Optional[SigningAlgorithm] = None,
    ):
        #: All accepted keys, oldest first; the last one signs.
        self.secret_keys: t.List[bytes] = _make_keys_list(secret_key)
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

    def derive_key(self, secret_key: t.Optional[t.Union[str, bytes]] = None) -> bytes:
        """The HMAC key for ``secret_key`` (default: the newest) and the salt.

        Raises ``TypeError`` for an unknown ``key_derivation``.
        """
        if secret_key is None:
            secret_key = self.secret_keys[-1]
        elif type(secret_key) is not bytes:
            secret_key = want_bytes(secret_key)
        cache_key = (secret_key, self.salt, self.key_derivation, self.digest_method)
        try:
            return _derived_keys[cache_key]
        except KeyError:
            pass
        except TypeError:  # an unhashable digest_method: derive, don't cache
            return _derive_signing_key(*cache_key)
        derived = _derive_signing_key(*cache_key)
        if len(_derived_keys) >= _DERIVED_KEY_CACHE_SIZE:
            _derived_keys.clear()
        _derived_keys[cache_key] = derived
        return derived

    def get_signature(self, value: t.Union[str, bytes]) -> bytes:
        """The base64 signature of ``value`` with the newest key."""
        if isinstance(value, str):
            value = value.encode("utf-8")
        return base64_encode(self.algorithm.get_signature(self.derive_key(), value))

    def sign(self, value: t.Union[str, bytes]) -> bytes:
        """``value + sep + signature``."""
        if isinstance(value, str):
            value = value.encode("utf-8")
        return value + self.sep + self.get_signature(value)

    def verify_signature(self, value: t.Union[str, bytes], sig: t.Union[str, bytes]) -> bool:
        """Whether ``sig`` is a valid signature of ``value`` under any key."""
        try:
            raw_sig = base64_decode(sig)
        except Exception:
            return False
        if type(value) is not bytes:
            value = want_bytes(value)
        algorithm = self.algorithm
        for secret_key in reversed(self.secret_keys):
            if algorithm.verify_signature(self.derive_key(secret_key), value, raw_sig):
                return True
        return False

    def unsign(self, signed_value: t.Union[str, bytes]) -> bytes:
        """Return the value if its signature is valid, else raise
        :class:`BadSignature` (with the unverified value as ``payload``)."""
        if type(signed_value) is not bytes:
            signed_value = _signed_bytes(signed_value)
        sep = self.sep
        if sep not in signed_value:
            raise BadSignature("No %r found in value" % (sep,))
        value, sig = signed_value.rsplit(sep, 1)
        if self.verify_signature(value, sig):
            return value
        raise BadSignature("Signature %r does not match" % (sig,), payload=value)

    def validate(self, signed_value: t.Union[str, bytes]) -> bool:
        """Whether ``signed_value`` carries a valid signature."""
        try:
            self.unsign(signed_value)
            return True
        except BadSignature:
            return False


def _derive_signing_key(
    secret_key: bytes, salt: bytes, key_derivation: str, digest_method: t.Any
) -> bytes:
    if key_derivation == "concat":
        return digest_method(salt + secret_key).digest()
    if key_derivation == "django-concat":
        return digest_method(salt + b"signer" + secret_key).digest()
    if key_derivation == "hmac":
        mac = hmac.new(secret_key, digestmod=_hmac_digestmod(digest_method))
        mac.update(salt)
        return mac.digest()
    if key_derivation == "none":
        return secret_key
    raise TypeError("Unknown key derivation method")


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
