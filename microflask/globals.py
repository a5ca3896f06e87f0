"""The context globals: ``current_app``, ``g``, ``request``, ``session`` (``flask.globals``).

Each is a :class:`~microflask.local.LocalProxy` over one of two context
variables: the application context and the request context.  They are set
once when a context is pushed and reset when it is popped, so every thread
and every asyncio task sees its own.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

from microflask.local import LocalProxy

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.app import Flask
    from microflask.ctx import AppContext, RequestContext, _AppCtxGlobals
    from microflask.sessions import SessionMixin
    from microflask.wrappers import Request

__all__ = ["current_app", "g", "request", "session", "app_ctx", "request_ctx"]

_no_app_msg = """\
Working outside of application context.

Something here needs the current application (current_app, g, url_for, ...)
but no application context is active. Push one with 'with app.app_context():'
around the code, or run it inside a request.\
"""
_cv_app: ContextVar[AppContext] = ContextVar("microflask.app_ctx")
app_ctx: AppContext = LocalProxy(_cv_app, unbound_message=_no_app_msg)  # type: ignore[assignment]
current_app: Flask = LocalProxy(_cv_app, "app", unbound_message=_no_app_msg)  # type: ignore
g: _AppCtxGlobals = LocalProxy(_cv_app, "g", unbound_message=_no_app_msg)  # type: ignore

_no_req_msg = """\
Working outside of request context.

Something here needs the current request (request, session, ...) but no
request is being handled. In tests, wrap the code in
'with app.test_request_context():'; elsewhere, run it inside a view.\
"""
_cv_request: ContextVar[RequestContext] = ContextVar("microflask.request_ctx")
request_ctx: RequestContext = LocalProxy(_cv_request, unbound_message=_no_req_msg)  # type: ignore
request: Request = LocalProxy(_cv_request, "request", unbound_message=_no_req_msg)  # type: ignore
session: SessionMixin = LocalProxy(_cv_request, "session", unbound_message=_no_req_msg)  # type: ignore
