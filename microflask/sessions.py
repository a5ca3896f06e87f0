"""Signed-cookie sessions (``flask.sessions``).

The session is a dict that travels in a cookie, serialized with tagged JSON
and signed with the app's ``SECRET_KEY`` (HMAC-SHA1, the ``cookie-session``
salt, HMAC key derivation: Flask's exact format, so a cookie set by Flask
loads here and back).  Nothing is stored on the server, so any number of
processes on any number of hosts can serve the same user.  A cookie whose
signature fails, or that has expired, is an empty session, never an error.
"""

from __future__ import annotations

import hashlib
import typing as t
from collections.abc import MutableMapping
from datetime import datetime, timezone

from microflask.datastructures import CallbackDict
from microflask.json.tag import TaggedJSONSerializer
from microflask.signing import BadData, URLSafeTimedSerializer
from microflask.wrappers import Response as _SessionPlainResponse

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.app import Flask
    from microflask.wrappers import Request, Response

__all__ = [
    "SessionMixin",
    "SecureCookieSession",
    "NullSession",
    "SessionInterface",
    "SecureCookieSessionInterface",
    "session_json_serializer",
]


class SessionMixin(MutableMapping):
    """What every session offers beyond a dict: ``permanent``, ``new``, ``modified``."""

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (``PERMANENT_SESSION_LIFETIME``)."""
        return self.get("_permanent", False)

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: True when the session was created on this request (no cookie came in).
    new = False
    #: True when something changed the session; then the cookie is written.
    modified = True
    #: True when something read the session; then ``Vary: Cookie`` is added.
    accessed = True


def _mark_session_changed(session: SecureCookieSession) -> None:
    """The change callback of every cookie session (one function for all)."""
    session.modified = True


class SecureCookieSession(CallbackDict, SessionMixin):
    """The dict kept in the signed cookie; tracks changes.

    Reads are tracked by the request context: reaching ``session`` marks it
    ``accessed``, whatever is done with it afterwards.
    """

    modified = False
    accessed = False

    def __init__(self, initial: t.Any = None) -> None:
        super().__init__(initial, _mark_session_changed)


class NullSession(SecureCookieSession):
    """The session when no secret key is set: reading works, changing it explains why not."""

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set the"
            " secret_key on the application to something unique and secret."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail  # type: ignore


class SessionInterface:
    """How sessions are opened and saved; replace ``app.session_interface`` to change it."""

    null_session_class = NullSession
    pickle_based = False

    def make_null_session(self, app: Flask) -> NullSession:
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Flask) -> str:
        return app.config["SESSION_COOKIE_NAME"]

    def get_cookie_domain(self, app: Flask) -> str | None:
        return app.config["SESSION_COOKIE_DOMAIN"]

    def get_cookie_path(self, app: Flask) -> str:
        return app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"]

    def get_cookie_httponly(self, app: Flask) -> bool:
        return app.config["SESSION_COOKIE_HTTPONLY"]

    def get_cookie_secure(self, app: Flask) -> bool:
        return app.config["SESSION_COOKIE_SECURE"]

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return app.config["SESSION_COOKIE_SAMESITE"]

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return app.config["SESSION_COOKIE_PARTITIONED"]

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires; None for a browser-session cookie."""
        if session.permanent:
            return datetime.now(timezone.utc) + app.permanent_session_lifetime
        return None

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Write the cookie when the session changed, or to refresh a permanent one."""
        return session.modified or (
            session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        )

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        raise NotImplementedError()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        raise NotImplementedError()


session_json_serializer = TaggedJSONSerializer()
# The Vary property of the standard response, for the fast path of _add_vary_cookie.
_plain_response_vary = _SessionPlainResponse.vary


def _session_sha1(string: bytes = b"") -> t.Any:
    return hashlib.sha1(string)


def _add_vary_cookie(response: t.Any) -> None:
    """``response.vary.add("Cookie")``, without parsing a header set when the
    response has no ``Vary`` header yet (the usual case)."""
    if getattr(type(response), "vary", None) is _plain_response_vary:
        headers = response.headers
        if "Vary" not in headers:
            headers.add("Vary", "Cookie")
            return
    response.vary.add("Cookie")


class SecureCookieSessionInterface(SessionInterface):
    """Sessions in a cookie signed with ``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``)."""

    salt = "cookie-session"
    digest_method = staticmethod(_session_sha1)
    key_derivation = "hmac"
    serializer = session_json_serializer
    session_class = SecureCookieSession
    # (the settings it was made for, the serializer): made again when they change.
    _serializer_cache: tuple | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's keys; None when there is no secret key."""
        secret_key = app.secret_key
        if not secret_key:
            return None
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        # The newest key signs; all of them verify.
        keys = (*fallbacks, secret_key) if fallbacks else (secret_key,)
        cache_key = (keys, self.salt, self.key_derivation, self.digest_method, self.serializer)
        cached = self._serializer_cache
        if cached is not None and cached[0] == cache_key:
            return cached[1]
        serializer = URLSafeTimedSerializer(
            list(keys),
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )
        self._serializer_cache = (cache_key, serializer)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = signer.loads(value, max_age=max_age)
        except BadData:
            return self.session_class()
        if not isinstance(data, dict):
            return self.session_class()
        return self.session_class(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        secure = self.get_cookie_secure(app)
        partitioned = self.get_cookie_partitioned(app)
        samesite = self.get_cookie_samesite(app)
        httponly = self.get_cookie_httponly(app)

        # The response depends on the cookie whenever the session was read.
        # Adding "Cookie" to Vary a second time changes nothing, so it is
        # added at most once per response.
        vary_added = False
        if session.accessed:
            _add_vary_cookie(response)
            vary_added = True

        if not session:
            # Emptied this request: delete the cookie the browser holds.
            if session.modified:
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=secure,
                    partitioned=partitioned,
                    samesite=samesite,
                    httponly=httponly,
                )
                if not vary_added:
                    _add_vary_cookie(response)
            return

        if not self.should_set_cookie(app, session):
            return
        expires = self.get_expiration_time(app, session)
        value = self.get_signing_serializer(app).dumps(dict(session))  # type: ignore
        response.set_cookie(
            name,
            value,
            expires=expires,
            httponly=httponly,
            domain=domain,
            path=path,
            secure=secure,
            partitioned=partitioned,
            samesite=samesite,
        )
        if not vary_added:
            _add_vary_cookie(response)
