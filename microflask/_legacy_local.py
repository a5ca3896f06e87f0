"""Werkzeug's older context-local classes: ``Local``, ``LocalStack``,
``LocalManager`` and ``release_local`` (compatibility names).

Flask binds its contexts in :class:`contextvars.ContextVar` objects and uses
none of these; code written against Werkzeug's threading-era API still
imports them from ``werkzeug.local``, so :mod:`microflask.local` hands them
out from this module when first named.  They keep their values in context
variables too, so threads and asyncio tasks each see their own.
"""

from __future__ import annotations

import contextvars
import functools
import typing as t

from microflask.local import LocalProxy
from microflask.wsgi import ClosingIterator

__all__ = ["Local", "LocalStack", "LocalManager", "release_local"]


class Local:
    """A namespace whose attributes are private to the current context."""

    __slots__ = ("_storage",)

    def __init__(self, context_var: contextvars.ContextVar | None = None) -> None:
        if context_var is None:
            context_var = contextvars.ContextVar("microflask.Local<%d>" % id(self))
        object.__setattr__(self, "_storage", context_var)

    def __iter__(self) -> t.Iterator[tuple[str, t.Any]]:
        return iter(self._storage.get({}).items())

    def __call__(self, name: str, *, unbound_message: str | None = None) -> LocalProxy:
        return LocalProxy(self, name, unbound_message=unbound_message)

    def _proxy_getter(self, name: str | None, message: str) -> t.Callable[[], t.Any]:
        """How a :class:`LocalProxy` reads attribute ``name`` of this local."""
        if name is None:
            raise TypeError("a proxy to a Local needs an attribute name")

        def get_from_local() -> t.Any:
            try:
                return getattr(self, name)
            except AttributeError:
                raise RuntimeError(message) from None

        return get_from_local

    def __release_local__(self) -> None:
        self._storage.set({})

    def __getattr__(self, name: str) -> t.Any:
        values = self._storage.get({})
        try:
            return values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: t.Any) -> None:
        values = self._storage.get({}).copy()
        values[name] = value
        self._storage.set(values)

    def __delattr__(self, name: str) -> None:
        values = self._storage.get({}).copy()
        try:
            del values[name]
        except KeyError:
            raise AttributeError(name) from None
        self._storage.set(values)


class LocalStack:
    """A stack of objects private to the current context; ``top`` is the last pushed."""

    __slots__ = ("_storage",)

    def __init__(self, context_var: contextvars.ContextVar | None = None) -> None:
        if context_var is None:
            context_var = contextvars.ContextVar("microflask.LocalStack<%d>" % id(self))
        self._storage = context_var

    def __release_local__(self) -> None:
        self._storage.set([])

    def push(self, obj: t.Any) -> list:
        stack = self._storage.get([]).copy()
        stack.append(obj)
        self._storage.set(stack)
        return stack

    def pop(self) -> t.Any:
        stack = self._storage.get([])
        if not stack:
            return None
        self._storage.set(stack[:-1])
        return stack[-1]

    @property
    def top(self) -> t.Any:
        stack = self._storage.get([])
        return stack[-1] if stack else None

    def __call__(
        self, name: str | None = None, *, unbound_message: str | None = None
    ) -> LocalProxy:
        return LocalProxy(self, name, unbound_message=unbound_message)

    def _proxy_getter(self, name: str | None, message: str) -> t.Callable[[], t.Any]:
        """How a :class:`LocalProxy` reads the top of this stack (or its ``name``)."""

        def get_from_stack() -> t.Any:
            top = self.top
            if top is None:
                raise RuntimeError(message)
            return top if name is None else getattr(top, name)

        return get_from_stack


def release_local(local: Local | LocalStack) -> None:
    """Forget everything ``local`` holds in the current context."""
    local.__release_local__()


class LocalManager:
    """Releases a group of :class:`Local` / :class:`LocalStack` objects at
    the end of each request when its middleware wraps a WSGI app.

    With context variables the values vanish with the context anyway; this
    remains for code written against the older threading model."""

    def __init__(self, locals: t.Any = None) -> None:
        if locals is None:
            self.locals: list[t.Any] = []
        elif isinstance(locals, (Local, LocalStack)):
            self.locals = [locals]
        else:
            self.locals = list(locals)

    def cleanup(self) -> None:
        """Release every managed local in the current context."""
        for local in self.locals:
            release_local(local)

    def make_middleware(self, app: t.Callable) -> t.Callable:
        """Wrap a WSGI ``app`` so the locals are released once its response
        iterable is closed."""
        def application(environ: t.Any, start_response: t.Callable) -> t.Any:
            return ClosingIterator(app(environ, start_response), self.cleanup)

        return application

    def middleware(self, func: t.Callable) -> t.Callable:
        """Decorator form of :meth:`make_middleware`."""
        return functools.update_wrapper(self.make_middleware(func), func)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} storages: {len(self.locals)}>"
