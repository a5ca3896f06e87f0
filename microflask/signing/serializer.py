"""Serialize an object, then sign it: tamper-proof tokens for any data.

``Serializer(key).dumps(obj)`` gives ``payload.signature``; ``loads`` checks
the signature before deserializing, so untrusted input is never parsed.
JSON is the default format; any object with ``dumps``/``loads`` works.

Peer: ``itsdangerous.serializer`` (import ``microflask.signing.serializer``).
"""

from __future__ import annotations

import json
import typing as t

from microflask.signing.encoding import want_bytes
from microflask.signing.exc import BadPayload, BadSignature
from microflask.signing.signer import Signer, _make_keys_list, _signed_bytes

__all__ = ["Serializer", "is_text_serializer"]


def is_text_serializer(serializer: t.Any) -> bool:
    """Whether ``serializer.dumps`` produces ``str`` (else bytes)."""
    return isinstance(serializer.dumps({}), str)


class Serializer:
    """Dumps objects to signed strings and loads them back after checking.

    ``salt`` namespaces the signatures (``None`` keeps the signer's own
    default).  ``serializer`` is anything with ``dumps``/``loads``; the
    tokens are ``str`` if it produces text, ``bytes`` otherwise.
    ``signer``/``signer_kwargs`` choose how to sign, and
    ``fallback_signers`` (class, kwargs dict, or ``(class, kwargs)``) are
    also accepted when loading, to migrate between signing setups.
    """

    #: The format used when ``serializer`` is not given.
    default_serializer: t.Any = json
    #: The signer class used when ``signer`` is not given.
    default_signer: type[Signer] = Signer
    #: Fallback signers used when ``fallback_signers`` is not given.
    default_fallback_signers: list[t.Any] = []

    # (settings, signer), see _reusable_signer.
    _kept_signer: tuple[tuple[t.Any, ...], Signer] | None = None

    def __init__(
        self,
        secret_key: t.Any,
        salt: str | bytes | None = b"itsdangerous",
        serializer: t.Any | None = None,
        serializer_kwargs: dict[str, t.Any] | None = None,
        signer: type[Signer] | None = None,
        signer_kwargs: dict[str, t.Any] | None = None,
        fallback_signers: list[t.Any] | None = None,
    ):
        #: All accepted keys, oldest first; the last one signs.
        self.secret_keys: list[bytes] = _make_keys_list(secret_key)
        if salt is not None:
            salt = want_bytes(salt)
        self.salt = salt
        if serializer is None:
            serializer = self.default_serializer
        self.serializer: t.Any = serializer
        self.is_text_serializer: bool = is_text_serializer(serializer)
        if signer is None:
            signer = self.default_signer
        self.signer: type[Signer] = signer
        self.signer_kwargs: dict[str, t.Any] = signer_kwargs or {}
        if fallback_signers is None:
            fallback_signers = list(self.default_fallback_signers)
        self.fallback_signers: list[t.Any] = fallback_signers
        self.serializer_kwargs: dict[str, t.Any] = serializer_kwargs or {}

    def __class_getitem__(cls, item: t.Any) -> t.Any:
        # ItsDangerous' serializers are generic (Serializer[str]); accept the
        # subscription so annotations written for it evaluate here too.
        return cls

    @property
    def secret_key(self) -> bytes:
        """The newest secret key, the one used for signing."""
        return self.secret_keys[-1]

    def load_payload(self, payload: bytes, serializer: t.Any | None = None) -> t.Any:
        """Deserialize verified bytes; any failure becomes :class:`BadPayload`."""
        if serializer is None:
            serializer = self.serializer
            is_text = self.is_text_serializer
        else:
            is_text = is_text_serializer(serializer)
        try:
            if is_text:
                return serializer.loads(payload.decode("utf-8"))
            return serializer.loads(payload)
        except Exception as error:
            raise BadPayload(
                "Could not load the payload because an exception"
                " occurred on unserializing the data.",
                original_error=error,
            ) from error

    def dump_payload(self, obj: t.Any) -> bytes:
        """Serialize ``obj`` to bytes (not yet signed)."""
        return want_bytes(self.serializer.dumps(obj, **self.serializer_kwargs))

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        """The signer that signs new tokens (for ``salt``, default our own)."""
        if salt is None:
            salt = self.salt
        return self.signer(self.secret_keys, salt=salt, **self.signer_kwargs)

    def _reusable_signer(self, salt: str | bytes | None = None) -> Signer:
        """``make_signer(salt)``, kept on this serializer while the settings
        it was made from stay the same.

        A signer remembers the keys it derives (:meth:`Signer.derive_key`),
        so reusing one spares building it and deriving its key on every
        ``dumps`` and ``loads``.  The settings are compared on each call, so
        changing the salt, keys, signer class or signer kwargs (even in
        place) takes effect at once.  A subclass that overrides
        ``make_signer`` gets a new signer every time, as it asked for.
        """
        if type(self).make_signer is not Serializer.make_signer:
            return self.make_signer(salt)
        if salt is None:
            salt = self.salt
        settings = (salt, tuple(self.secret_keys), self.signer, self.signer_kwargs)
        kept = self._kept_signer
        if kept is not None and kept[0] == settings:
            return kept[1]
        signer = self.make_signer(salt)
        # A copy of the kwargs, so that a change made to the dict is noticed.
        settings = settings[:-1] + (dict(self.signer_kwargs),)
        self._kept_signer = (settings, signer)
        return signer

    def iter_unsigners(self, salt: str | bytes | None = None) -> t.Iterator[Signer]:
        """Every signer ``loads`` tries, the main one first, then fallbacks."""
        if salt is None:
            salt = self.salt
        yield self._reusable_signer(salt)
        for fallback in self.fallback_signers:
            if isinstance(fallback, dict):
                kwargs = fallback
                fallback = self.signer
            elif isinstance(fallback, tuple):
                fallback, kwargs = fallback
            else:
                kwargs = self.signer_kwargs
            for secret_key in self.secret_keys:
                yield fallback(secret_key, salt=salt, **kwargs)

    def dumps(self, obj: t.Any, salt: str | bytes | None = None) -> t.Any:
        """A signed token for ``obj``: ``str`` for text serializers, else bytes."""
        payload = want_bytes(self.dump_payload(obj))
        token = self._reusable_signer(salt).sign(payload)
        if self.is_text_serializer:
            return token.decode("utf-8")
        return token

    def dump(self, obj: t.Any, f: t.IO[t.Any], salt: str | bytes | None = None) -> None:
        """Write the token for ``obj`` to the file ``f``."""
        f.write(self.dumps(obj, salt))

    def loads(
        self, s: str | bytes, salt: str | bytes | None = None, **kwargs: t.Any
    ) -> t.Any:
        """The object in a token, after checking its signature.

        Raises :class:`BadSignature` if no signer accepts it and
        :class:`BadPayload` if it does not deserialize.
        """
        s = _signed_bytes(s)
        last_error: BadSignature | None = None
        for signer in self.iter_unsigners(salt):
            try:
                return self.load_payload(signer.unsign(s))
            except BadSignature as error:
                last_error = error
        raise t.cast(BadSignature, last_error)

    def load(self, f: t.IO[t.Any], salt: str | bytes | None = None) -> t.Any:
        """Read a token from the file ``f`` and load it."""
        return self.loads(f.read(), salt)

    def loads_unsafe(
        self, s: str | bytes, salt: str | bytes | None = None
    ) -> tuple[bool, t.Any]:
        """``(True, obj)`` for a valid token; ``(False, obj or None)`` else.

        The object of an invalid token is deserialized anyway when possible:
        only for debugging, never trust it (pickle would run code).
        """
        return self._loads_unsafe_impl(s, salt)

    def _loads_unsafe_impl(
        self,
        s: str | bytes,
        salt: str | bytes | None,
        load_kwargs: dict[str, t.Any] | None = None,
        load_payload_kwargs: dict[str, t.Any] | None = None,
    ) -> tuple[bool, t.Any]:
        if load_kwargs is None:
            load_kwargs = {}
        try:
            return True, self.loads(s, salt=salt, **load_kwargs)
        except BadSignature as error:
            if error.payload is None:
                return False, None
            try:
                return False, self.load_payload(error.payload, **(load_payload_kwargs or {}))
            except BadPayload:
                return False, None

    def load_unsafe(
        self, f: t.IO[t.Any], salt: str | bytes | None = None
    ) -> tuple[bool, t.Any]:
        """Like :meth:`loads_unsafe`, reading the token from the file ``f``."""
        return self.loads_unsafe(f.read(), salt=salt)
