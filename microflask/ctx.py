"""Application and request contexts (``flask.ctx``).

A context is what the globals point at while it is pushed: the
:class:`AppContext` carries the app and ``g``; the :class:`RequestContext`
carries the request, the session and the URL adapter.  Pushing sets a
context variable and popping resets it, so nesting, threads and asyncio
tasks all stay apart.  Work nobody asks for (URL adapters, the session) is
done on first use.
"""

from __future__ import annotations

import contextvars
import sys
import typing as t
from functools import update_wrapper

from microflask.exceptions import HTTPException
from microflask.globals import _cv_app, _cv_request
from microflask.signals import appcontext_popped, appcontext_pushed

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.app import Flask
    from microflask.sessions import SessionMixin
    from microflask.wrappers import Request

__all__ = [
    "AppContext",
    "RequestContext",
    "after_this_request",
    "copy_current_request_context",
    "has_app_context",
    "has_request_context",
]

# "No exception was passed" / "not made yet": distinct from None.
_context_sentinel = object()


class _AppCtxGlobals:
    """The ``g`` object: a plain namespace that lives as long as the app context."""

    def __getattr__(self, name: str) -> t.Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: t.Any = None) -> t.Any:
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _context_sentinel) -> t.Any:
        if default is _context_sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        ctx = _cv_app.get(None)
        if ctx is not None:
            return "<flask.g of '%s'>" % ctx.app.name
        return object.__repr__(self)


def after_this_request(f: t.Callable) -> t.Callable:
    """Run ``f(response)`` after the current request, before it is sent."""
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'after_this_request' can only be used while a request is being handled."
        )
    ctx._after_request_functions.append(f)
    return f


def copy_current_request_context(f: t.Callable) -> t.Callable:
    """Wrap ``f`` so it runs inside a copy of the current request context.

    For work handed to another thread or greenlet that still needs
    ``request`` or ``session``.
    """
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'copy_current_request_context' can only be used while a request is being"
            " handled, for example inside a view function."
        )
    ctx = ctx.copy()

    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(wrapper, f)


def has_request_context() -> bool:
    """True while a request context is pushed."""
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """True while an application context is pushed."""
    return _cv_app.get(None) is not None


class AppContext:
    """The application context: ``current_app`` and ``g`` for as long as it is pushed."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._cv_tokens: list[contextvars.Token] = []

    # ``g`` is made on first use: most requests never touch it.  Each
    # context still gets its own, so ``g`` is fresh for every request.
    _g: t.Any = None

    @property
    def g(self) -> _AppCtxGlobals:
        """The namespace for data during this context (what ``g`` points at)."""
        g = self._g
        if g is None:
            g = self._g = self.app.app_ctx_globals_class()
        return g

    @g.setter
    def g(self, value: _AppCtxGlobals) -> None:
        self._g = value

    # Built on first use: most requests build URLs through the request's adapter.
    _url_adapter: t.Any = _context_sentinel

    @property
    def url_adapter(self) -> t.Any:
        """The app's URL map bound to ``SERVER_NAME``, or None when it is not set."""
        adapter = self._url_adapter
        if adapter is _context_sentinel:
            adapter = self._url_adapter = self.app.create_url_adapter(None)
        return adapter

    @url_adapter.setter
    def url_adapter(self, value: t.Any) -> None:
        self._url_adapter = value

    def push(self) -> None:
        self._cv_tokens.append(_cv_app.set(self))
        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _context_sentinel) -> None:  # type: ignore
        tokens = self._cv_tokens
        try:
            if len(tokens) == 1:
                if exc is _context_sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            current = _cv_app.get(None)
            _cv_app.reset(tokens.pop())
        if current is not self:
            raise AssertionError(
                "Popped the wrong app context (%r instead of %r)" % (current, self)
            )
        if appcontext_popped.receivers:
            appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(self, exc_type: t.Any, exc_value: BaseException | None, tb: t.Any) -> None:
        self.pop(exc_value)


class RequestContext:
    """The request context: the request, its session and its URL adapter.

    Pushing it also pushes an application context when none for this app is
    active, then matches the URL.  The session and the URL adapter are made
    the first time something needs them: most requests need neither.
    """

    # Class-level defaults, set on the instance only when they change: most
    # requests never change them.
    flashes: list | None = None
    # The asyncio loop async views and hooks share, made on first need.
    _event_loop: t.Any = None
    # Flask binds the URL map in ``__init__``; it is bound on first use
    # instead (see ``url_adapter``), since most requests match without it.
    _url_adapter: t.Any = _context_sentinel

    def __init__(
        self,
        app: Flask,
        environ: dict,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        if request is None:
            request = app.request_class(environ)
        self.request = request
        # The session as the interface opened it; None until something opens it.
        self._session = session
        self._after_request_functions: list[t.Callable] = []
        self._cv_tokens: list[tuple[contextvars.Token, AppContext | None]] = []

    def _bind_url_adapter(self) -> t.Any:
        """Bind the app's URL map to this request; a bad Host becomes the routing error."""
        adapter = None
        try:
            adapter = self.app.create_url_adapter(self.request)
        except HTTPException as e:
            self.request.routing_exception = e
        self._url_adapter = adapter
        return adapter

    @property
    def url_adapter(self) -> t.Any:
        """The app's URL map bound to this request (for matching and building)."""
        adapter = self._url_adapter
        if adapter is _context_sentinel:
            adapter = self._bind_url_adapter()
        if adapter is None and self.request.routing_exception is not None:
            # Binding failed (a Host the map cannot encode): the request's own
            # 400, never an AttributeError in url_for or OPTIONS.
            raise self.request.routing_exception
        return adapter

    @url_adapter.setter
    def url_adapter(self, value: t.Any) -> None:
        self._url_adapter = value

    def _load_session(self) -> SessionMixin:
        """The session, opened through the app's interface on first need.

        Loading it is not reading it: the app loads it to save it, and that
        must not mark it accessed (see ``session``).
        """
        session = self._session
        if session is None:
            interface = self.app.session_interface
            session = interface.open_session(self.app, self.request)
            if session is None:
                session = interface.make_null_session(self.app)
            self._session = session
        return session

    @property
    def session(self) -> SessionMixin:
        """The session; reaching it marks it accessed (the response then varies on Cookie)."""
        session = self._session
        if session is None:
            session = self._load_session()
        session.accessed = True
        return session

    def copy(self) -> RequestContext:
        """A new context for the same request and session, for use in another thread."""
        return self.__class__(
            self.app, environ=self.request.environ, request=self.request, session=self._session
        )

    def match_request(self) -> None:
        """Match the URL now, storing the rule and arguments (or the error) on the request."""
        request = self.request
        if self._url_adapter is _context_sentinel:  # nothing bound an adapter yet
            found = self.app._match_url_without_adapter(request)
            if found is not None:
                request.url_rule, request.view_args = found
                return
            self._bind_url_adapter()
        adapter = self._url_adapter
        if adapter is None:  # binding failed, and the routing error is set
            return
        try:
            request.url_rule, request.view_args = adapter.match(return_rule=True)
        except HTTPException as e:
            request.routing_exception = e

    def push(self) -> None:
        app = self.app
        app_ctx = _cv_app.get(None)
        if app_ctx is None or app_ctx.app is not app:
            app_ctx = app.app_context()
            app_ctx.push()
        else:
            app_ctx = None
        self._cv_tokens.append((_cv_request.set(self), app_ctx))
        if self.request.routing_exception is None:
            self.match_request()

    def pop(self, exc: BaseException | None = _context_sentinel) -> None:  # type: ignore
        tokens = self._cv_tokens
        clear_request = len(tokens) == 1
        request = self.request
        try:
            if clear_request:
                if exc is _context_sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                close = getattr(request, "close", None)
                if close is not None:
                    close()
                if self._event_loop is not None:
                    self._event_loop.close()
                    self._event_loop = None
        finally:
            current = _cv_request.get(None)
            token, app_ctx = tokens.pop()
            _cv_request.reset(token)
            if clear_request:
                request.environ["werkzeug.request"] = None
            if app_ctx is not None:
                app_ctx.pop(exc)
            if current is not self:
                raise AssertionError(
                    "Popped the wrong request context (%r instead of %r)" % (current, self)
                )

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(self, exc_type: t.Any, exc_value: BaseException | None, tb: t.Any) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return "<%s '%s' [%s] of %s>" % (
            type(self).__name__,
            self.request.url,
            self.request.method,
            self.app.name,
        )
