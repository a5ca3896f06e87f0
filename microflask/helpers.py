"""Helpers a view calls (``flask.helpers``).

Each one reaches the current app through the context globals, so views can
stay plain functions: ``url_for``, ``redirect``, ``abort``,
``make_response``, ``send_file``, ``flash`` and friends.
"""

from __future__ import annotations

import os
import typing as t
from functools import update_wrapper

from microflask.exceptions import abort as toolkit_abort
from microflask.globals import _cv_app, _cv_request, current_app, request, request_ctx, session
from microflask.scaffold import get_root_path
from microflask.signals import message_flashed
from microflask.utils import redirect as toolkit_redirect
from microflask.utils import send_file as toolkit_send_file
from microflask.utils import send_from_directory as toolkit_send_from_directory

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.wrappers import Response

__all__ = [
    "abort",
    "flash",
    "get_debug_flag",
    "get_flashed_messages",
    "get_load_dotenv",
    "get_root_path",
    "get_template_attribute",
    "make_response",
    "redirect",
    "send_file",
    "send_from_directory",
    "stream_with_context",
    "url_for",
]


def get_debug_flag() -> bool:
    """Whether ``FLASK_DEBUG`` asks for debug mode."""
    value = os.environ.get("FLASK_DEBUG")
    return bool(value) and value.lower() not in {"0", "false", "no"}


def get_load_dotenv(default: bool = True) -> bool:
    """Whether ``.env`` files should be loaded (``FLASK_SKIP_DOTENV`` turns it off)."""
    value = os.environ.get("FLASK_SKIP_DOTENV")
    if not value:
        return default
    return value.lower() in {"0", "false", "no"}


def stream_with_context(generator_or_function: t.Any) -> t.Any:
    """Keep the request context alive while a streamed response's generator runs.

    Use it on the generator object, or as a decorator on a generator function.
    """
    try:
        gen = iter(generator_or_function)
    except TypeError:

        def decorator(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return stream_with_context(generator_or_function(*args, **kwargs))

        return update_wrapper(decorator, generator_or_function)

    def generator() -> t.Iterator[t.Any]:
        ctx = _cv_request.get(None)
        if ctx is None:
            raise RuntimeError(
                "'stream_with_context' can only be used when a request context is"
                " active, such as in a view function."
            )
        app_ctx = _cv_app.get()
        # Runs up to here when the response is made, so the contexts are
        # captured while still active.  They are pushed only once streaming
        # starts, in the context that iterates: an async view runs in its
        # own task, whose context variables the server never sees.
        yield None
        # The app context first, so the request context does not push a new one.
        with app_ctx, ctx:
            try:
                yield from gen
            finally:
                close = getattr(gen, "close", None)
                if close is not None:
                    close()

    wrapped = generator()
    next(wrapped)
    return wrapped


def make_response(*args: t.Any) -> Response:
    """Turn a view-style return value into a response object, to add headers to it."""
    if not args:
        return current_app.response_class()
    if len(args) == 1:
        args = args[0]
    return current_app.make_response(args)


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """The URL for ``endpoint`` with ``values`` as its arguments.

    ``.name`` means an endpoint of the current blueprint.  Values the rule
    does not use go to the query string.  ``_external`` makes an absolute
    URL, ``_scheme`` picks its scheme, ``_anchor`` adds a fragment and
    ``_method`` picks among rules for different methods.
    """
    return current_app.url_for(
        endpoint,
        _anchor=_anchor,
        _method=_method,
        _scheme=_scheme,
        _external=_external,
        **values,
    )


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A redirect response; inside an app it is built by ``app.redirect``."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        return app_ctx.app.redirect(location, code=code)
    return toolkit_redirect(location, code=code, Response=Response)


def abort(code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP error for ``code`` (through the app's aborter when there is one)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        app_ctx.app.aborter(code, *args, **kwargs)
    toolkit_abort(code, *args, **kwargs)
    raise AssertionError("unreachable")  # pragma: no cover


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """A macro or variable a template defines, to call from Python."""
    return getattr(current_app.jinja_env.get_template(template_name).module, attribute)


def flash(message: str, category: str = "message") -> None:
    """Remember ``message`` for the next request that calls ``get_flashed_messages``."""
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if message_flashed.receivers:
        message_flashed.send(app, message=message, category=category)


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list:
    """The flashed messages, taken out of the session once per request.

    ``with_categories`` gives ``(category, message)`` pairs;
    ``category_filter`` keeps only those categories.
    """
    flashes = request_ctx.flashes
    if flashes is None:
        flashes = session.pop("_flashes") if "_flashes" in session else []
        request_ctx.flashes = flashes
    if category_filter:
        flashes = [f for f in flashes if f[0] in category_filter]
    if not with_categories:
        return [x[1] for x in flashes]
    return flashes


def _prepare_send_file_kwargs(**kwargs: t.Any) -> dict[str, t.Any]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if kwargs.get("max_age") is None:
        kwargs["max_age"] = app.get_send_file_max_age
    kwargs.update(
        environ=request.environ,
        use_x_sendfile=app.config["USE_X_SENDFILE"],
        response_class=app.response_class,
        _root_path=app.root_path,
    )
    return kwargs


def send_file(
    path_or_file: t.Any,
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: t.Any = None,
    max_age: t.Any = None,
) -> Response:
    """Send a file's contents; see :func:`microflask.utils.send_file`.

    Relative paths are taken from the app's root path; ``max_age`` defaults
    to the app's ``SEND_FILE_MAX_AGE_DEFAULT``.
    """
    return toolkit_send_file(
        **_prepare_send_file_kwargs(
            path_or_file=path_or_file,
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            conditional=conditional,
            etag=etag,
            last_modified=last_modified,
            max_age=max_age,
        )
    )


def send_from_directory(
    directory: str | os.PathLike, path: str | os.PathLike, **kwargs: t.Any
) -> Response:
    """Send ``path`` from inside ``directory``; never a file outside it (404 instead)."""
    return toolkit_send_from_directory(directory, path, **_prepare_send_file_kwargs(**kwargs))

