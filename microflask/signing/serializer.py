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


# Whether a serializer writes text, by serializer object: Flask builds a new
# Serializer per request around the same module-level serializer, and the
# answer costs a trial dumps().  Bounded; unhashable serializers are not kept.
_text_serializer_answers: t.Dict[t.Any, bool] = {}


def _writes_text(serializer: t.Any) -> bool:
    try:
        return _text_serializer_answers[serializer]
    except KeyError:
        pass
    except TypeError:
        return is_text_serializer(serializer)
    answer = is_text_serializer(serializer)
    if len(_text_serializer_answers) >= 64:
        _text_serializer_answers.clear()
    _text_serializer_answers[serializer] = answer
    return answer


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
    default_signer: t.Type[Signer] = Signer
    #: Fallback signers used when ``fallback_signers`` is not given.
    default_fallback_signers: t.List[t.Any] = []

    def __init__(
        self,
        secret_key: t.Any,
        salt: t.Optional[t.Union[str, bytes]] = b"itsdangerous",
        serializer: t.Optional[t.Any] = None,
        serializer_kwargs: t.Optional[t.Dict[str, t.Any]] = None,
        signer: t.Optional[t.Type[Signer]] = None,
        signer_kwargs: t.Optional[t.Dict[str, t.Any]] = None,
        fallback_signers: t.Optional[t.List[t.Any]] = None,
    ):
        #: All accepted keys, oldest first; the last one signs.
        self.secret_keys: t.List[bytes] = _make_keys_list(secret_key)
        if salt is not None:
            salt = want_bytes(salt)
        self.salt = salt
        if serializer is None:
            serializer = self.default_serializer
        self.serializer: t.Any = serializer
        self.is_text_serializer: bool = _writes_text(serializer)
        if signer is None:
            signer = self.default_signer
        self.signer: t.Type[Signer] = signer
        self.signer_kwargs: t.Dict[str, t.Any] = signer_kwargs or {}
        if fallback_signers is None:
            fallback_signers = list(self.default_fallback_signers)
        self.fallback_signers: t.List[t.Any] = fallback_signers
        self.serializer_kwargs: t.Dict[str, t.Any] = serializer_kwargs or {}
        self._main_signer_cache: t.Optional[t.Tuple[t.Any, ...]] = None

    def __class_getitem__(cls, item: t.Any) -> t.Any:
        # ItsDangerous' serializers are generic (Serializer[str]); accept the
        # subscription so annotations written for it evaluate here too.
        return cls

    @property
    def secret_key(self) -> bytes:
        """The newest secret key, the one used for signing."""
        return self.secret_keys[-1]

    def load_payload(self, payload: bytes, serializer: t.Optional[t.Any] = None) -> t.Any:
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
        kwargs = self.serializer_kwargs
        if kwargs:
            return want_bytes(self.serializer.dumps(obj, **kwargs))
        return want_bytes(self.serializer.dumps(obj))

    def make_signer(self, salt: t.Optional[t.Union[str, bytes]] = None) -> Signer:
        """The signer that signs new tokens (for ``salt``, default our own)."""
        if salt is None:
            salt = self.salt
        return self.signer(self.secret_keys, salt=salt, **self.signer_kwargs)

    def iter_unsigners(self, salt: t.Optional[t.Union[str, bytes]] = None) -> t.Iterator[Signer]:
        """Every signer ``loads`` tries, the main one first, then fallbacks."""
        if salt is None:
            salt = self.salt
        yield self.make_signer(salt)
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

    def _main_signer(self, salt: t.Optional[t.Union[str, bytes]]) -> Signer:
        """``make_signer(salt)``, reusing the last one while nothing changed.

        A signer holds no state of its own, so one built for our salt, keys
        and signer settings can sign and verify any number of tokens.  The
        cache is only used when ``make_signer`` is not overridden, and is
        dropped as soon as any of those settings differs.
        """
        if salt is not None or type(self).make_signer is not Serializer.make_signer:
            return self.make_signer(salt)
        settings = (self.salt, tuple(self.secret_keys), self.signer, self.signer_kwargs)
        cache = getattr(self, "_main_signer_cache", None)
        if cache is not None and cache[0] == settings:
            return cache[1]
        signer = self.make_signer()
        # The kwargs dict is copied so that changing it in place is noticed.
        settings = settings[:3] + (dict(self.signer_kwargs),)
        self._main_signer_cache = (settings, signer)
        return signer

    def _unsigners_in_order(self, salt: t.Optional[t.Union[str, bytes]]) -> t.Iterable[Signer]:
        """What :meth:`iter_unsigners` yields, without a generator when there
        are no fallbacks and iteration is not customised."""
        if type(self).iter_unsigners is not Serializer.iter_unsigners or self.fallback_signers:
            return self.iter_unsigners(salt)
        return (self._main_signer(salt),)

    def dumps(self, obj: t.Any, salt: t.Optional[t.Union[str, bytes]] = None) -> t.Any:
        """A signed token for ``obj``: ``str`` for text serializers, else bytes."""
        payload = self.dump_payload(obj)
        if type(payload) is not bytes:
            payload = want_bytes(payload)
        token = self._main_signer(salt).sign(payload)
        if self.is_text_serializer:
            return token.decode("utf-8")
        return token

    def dump(self, obj: t.Any, f: t.IO[t.Any], salt: t.Optional[t.Union[str, bytes]] = None) -> None:
        """Write the token for ``obj`` to the file ``f``."""
        f.write(self.dumps(obj, salt))

    def loads(
        self, s: t.Union[str, bytes], salt: t.Optional[t.Union[str, bytes]] = None, **kwargs: t.Any
    ) -> t.Any:
        """The object in a token, after checking its signature.

        Raises :class:`BadSignature` if no signer accepts it and
        :class:`BadPayload` if it does not deserialize.
        """
        if type(s) is not bytes:
            s = _signed_bytes(s)
        last_error: t.Optional[BadSignature] = None
        for signer in self._unsigners_in_order(salt):
            try:
                return self.load_payload(signer.unsign(s))
            except BadSignature as error:
                last_error = error
        raise t.cast(BadSignature, last_error)

    def load(self, f: t.IO[t.Any], salt: t.Optional[t.Union[str, bytes]] = None) -> t.Any:
        """Read a token from the file ``f`` and load it."""
        return self.loads(f.read(), salt)

    def loads_unsafe(
        self, s: t.Union[str, bytes], salt: t.Optional[t.Union[str, bytes]] = None
    ) -> t.Tuple[bool, t.Any]:
        """``(True, obj)`` for a valid token; ``(False, obj or None)`` else.

        The object of an invalid token is deserialized anyway when possible:
        only for debugging, never trust it (pickle would run code).
        """
        return self._loads_unsafe_impl(s, salt)

    def _loads_unsafe_impl(
        self,
        s: t.Union[str, bytes],
        salt: t.Optional[t.Union[str, bytes]],
        load_kwargs: t.Optional[t.Dict[str, t.Any]] = None,
        load_payload_kwargs: t.Optional[t.Dict[str, t.Any]] = None,
    ) -> t.Tuple[bool, t.Any]:
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
        self, f: t.IO[t.Any], salt: t.Optional[t.Union[str, bytes]] = None
    ) -> t.Tuple[bool, t.Any]:
        """Like :meth:`loads_unsafe`, reading the token from the file ``f``."""
        return self.loads_unsafe(f.read(), salt=salt)
