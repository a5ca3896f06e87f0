"""Flask's request and response: the toolkit's classes, made app-aware.

Flask calls this module ``flask.wrappers``.  ``Request`` and ``Response``
extend those of :mod:`microflask.wrappers` (Werkzeug's role) with what
needs the current application:

- the body limits come from the app's config (``MAX_CONTENT_LENGTH``,
  ``MAX_FORM_MEMORY_SIZE``, ``MAX_FORM_PARTS``) unless set on the request;
- JSON goes through the app's provider (``app.json``), by way of
  :mod:`microflask.json`;
- a body that is not valid JSON is a 400 whose description keeps the
  parser's message from clients, except in debug mode;
- in debug mode, ``request.files[name]`` for a file sent without
  ``enctype="multipart/form-data"`` explains the mistake;
- ``Response.max_cookie_size`` is the app's ``MAX_COOKIE_SIZE``.

Outside an application context they behave as the toolkit's classes.
``microflask.Request``, ``microflask.Response`` and the app's
``request_class`` / ``response_class`` are these.
"""

from __future__ import annotations

import typing as t

from microflask import json
from microflask.exceptions import BadRequest
from microflask.globals import _cv_app
from microflask.wrappers import BaseRequest, BaseResponse

__all__ = ["Request", "Response"]


def _app_of_current_context() -> t.Any:
    """The app of the active application context, or None outside one."""
    app_ctx = _cv_app.get(None)
    return None if app_ctx is None else app_ctx.app


def _config_value(key: str, default: t.Any) -> t.Any:
    """The current app's ``config[key]``; ``default`` outside an app."""
    app = _app_of_current_context()
    if app is None:
        return default
    return app.config.get(key, default)


class Request(BaseRequest):
    """The request object Flask apps see as ``flask.request``."""

    json_module: t.Any = json

    # A limit set on the request wins over the app's config.
    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        """Largest body accepted, in bytes (413 past it): set on the request,
        else the app's ``MAX_CONTENT_LENGTH``; None means no limit."""
        if self._max_content_length is not None:
            return self._max_content_length
        return _config_value("MAX_CONTENT_LENGTH", super().max_content_length)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:  # type: ignore[override]
        """Largest non-file form field kept in memory: set on the request,
        else the app's ``MAX_FORM_MEMORY_SIZE``."""
        if self._max_form_memory_size is not None:
            return self._max_form_memory_size
        return _config_value("MAX_FORM_MEMORY_SIZE", super().max_form_memory_size)

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property
    def max_form_parts(self) -> int | None:  # type: ignore[override]
        """Most multipart parts accepted: set on the request, else the app's
        ``MAX_FORM_PARTS``."""
        if self._max_form_parts is not None:
            return self._max_form_parts
        return _config_value("MAX_FORM_PARTS", super().max_form_parts)

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    def _load_form_data(self) -> None:
        already_parsed = "form" in self.__dict__
        super()._load_form_data()
        if already_parsed:
            return
        app = _app_of_current_context()
        if (
            app is not None
            and app.debug
            and self.mimetype != "multipart/form-data"
            and not self.files
        ):
            # A file field posted without enctype="multipart/form-data"
            # arrives as a plain field: say so when the view asks for it.
            from microflask.debughelpers import attach_enctype_error_multidict

            attach_enctype_error_multidict(self)

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Not JSON: 415.  Invalid JSON: 400, with the parser's message only
        in debug mode (or outside an app)."""
        try:
            return super().on_json_loading_failed(e)
        except BadRequest as error:
            app = _app_of_current_context()
            if app is None or app.debug:
                raise
            raise BadRequest() from error


class Response(BaseResponse):
    """The response class Flask apps make (``app.response_class``)."""

    default_mimetype: str | None = "text/html"  # Flask's, whatever the toolkit's is
    json_module: t.Any = json

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        """Warn about cookies larger than this: the app's ``MAX_COOKIE_SIZE``."""
        return _config_value("MAX_COOKIE_SIZE", super().max_cookie_size)  # type: ignore[no-any-return]
