"""Check an app and its server against the WSGI spec (``werkzeug.middleware.lint``).

:class:`LintMiddleware` looks at the environ the server passes, the
``start_response`` call the app makes, the headers it sends and the body it
returns.  Each problem is reported as a warning, not an error, so a test run
shows them all: :class:`WSGIWarning` for a broken WSGI contract,
:class:`HTTPWarning` for a response that is valid WSGI but dubious HTTP.
For development and tests only; it slows every request down.
"""

from __future__ import annotations

import typing as t
from warnings import warn

__all__ = ["HTTPWarning", "LintMiddleware", "WSGIWarning"]


class WSGIWarning(Warning):
    """The app or the server broke a rule of the WSGI spec (PEP 3333)."""


class HTTPWarning(Warning):
    """The response is valid WSGI but questionable HTTP."""


_REQUIRED_ENVIRON_KEYS = (
    "REQUEST_METHOD",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.version",
    "wsgi.input",
    "wsgi.errors",
    "wsgi.url_scheme",
)


def _lint_environ(environ: t.Any) -> None:
    if type(environ) is not dict:
        warn("WSGI environment is not a standard Python dict.", WSGIWarning, stacklevel=4)
    for key in _REQUIRED_ENVIRON_KEYS:
        if key not in environ:
            warn(f"Required environment key {key!r} not found", WSGIWarning, stacklevel=3)
    if environ.get("wsgi.version") != (1, 0):
        warn("Environ is not a WSGI 1.0 environ.", WSGIWarning, stacklevel=3)
    for key in ("SCRIPT_NAME", "PATH_INFO"):
        value = environ.get(key, "")
        if value and not value.startswith("/"):
            warn(f"{key!r} does not start with a slash: {value!r}", WSGIWarning, stacklevel=3)


def _lint_status(status: t.Any) -> int:
    if type(status) is not str:
        warn("Status must be a string.", WSGIWarning, stacklevel=3)
        status = str(status)
    code_text = status.split(None, 1)[0] if status.strip() else ""
    if len(code_text) != 3 or not code_text.isdigit():
        warn("Status code must be three digits.", WSGIWarning, stacklevel=3)
    if len(status) < 4 or status[3] != " ":
        warn(
            f"Invalid value for status {status!r}. Valid status strings are three"
            " digits, a space and a status explanation.",
            WSGIWarning,
            stacklevel=3,
        )
    code = int(code_text) if code_text.isdigit() else 0
    if code < 100:
        warn("Status code < 100 detected.", WSGIWarning, stacklevel=3)
    return code


def _lint_header_list(headers: t.Any) -> list[tuple[str, str]]:
    if type(headers) is not list:
        warn("Header list is not a list.", WSGIWarning, stacklevel=3)
    checked = []
    for item in headers:
        if type(item) is not tuple or len(item) != 2:
            warn("Header items must be 2-item tuples.", WSGIWarning, stacklevel=3)
            continue
        name, value = item
        if type(name) is not str or type(value) is not str:
            warn("Header keys and values must be strings.", WSGIWarning, stacklevel=3)
            continue
        if name.lower() == "status":
            warn(
                "The status header is not supported. It may be used by servers"
                " that speak CGI, but it is not part of WSGI.",
                WSGIWarning,
                stacklevel=3,
            )
        checked.append((name, value))
    return checked


def _lint_http_headers(headers: list[tuple[str, str]]) -> None:
    for name, value in headers:
        lower = name.lower()
        if lower == "etag":
            if value.startswith(("W/", "w/")):
                if value.startswith("w/"):
                    warn("Weak etag indicator should be upper case.", HTTPWarning, stacklevel=4)
                value = value[2:]
            if not (value[:1] == value[-1:] == '"'):
                warn("Unquoted etag emitted.", HTTPWarning, stacklevel=4)
        elif lower == "location":
            if "://" not in value.split("?", 1)[0]:
                warn("Absolute URLs required for location header.", HTTPWarning, stacklevel=4)


class _LintBodyIterator:
    """Check that every body chunk is bytes, and pass the body's ``close`` on."""

    def __init__(self, iterable: t.Iterable[t.Any], started: list[bool]) -> None:
        self._source = iterable
        self._iterator = iter(iterable)
        self._started = started

    def __iter__(self) -> _LintBodyIterator:
        return self

    def __next__(self) -> bytes:
        chunk = next(self._iterator)
        if not self._started[0]:
            warn("The application returned before it started the response.", WSGIWarning, 2)
        if type(chunk) is not bytes:
            warn("The application returned a non-bytes chunk.", WSGIWarning, 2)
        return chunk  # type: ignore[no-any-return]

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


class LintMiddleware:
    """Warn about anything ``app`` or its server does that breaks WSGI or HTTP rules.

    Wrap the app under test: ``app = LintMiddleware(app)``.  Problems are
    issued as :class:`WSGIWarning` or :class:`HTTPWarning`; the request is
    still served.
    """

    def __init__(self, app: t.Callable[..., t.Any]) -> None:
        self.app = app

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Iterable[bytes]:
        if len(args) != 2:
            warn("A WSGI app takes two arguments.", WSGIWarning, stacklevel=2)
        if kwargs:
            warn("A WSGI app does not take keyword arguments.", WSGIWarning, stacklevel=2)
        environ, start_response = args[0], args[1]
        _lint_environ(environ)
        started = [False]

        def checking_start_response(*args: t.Any, **kwargs: t.Any) -> t.Any:
            if len(args) not in (2, 3):
                warn(
                    f"Invalid number of arguments: {len(args)}, expected 2 or 3.",
                    WSGIWarning,
                    stacklevel=2,
                )
            if kwargs:
                warn("'start_response' does not take keyword arguments.", WSGIWarning)
            status, headers = args[0], args[1]
            exc_info = args[2] if len(args) == 3 else None
            _lint_status(status)
            _lint_http_headers(_lint_header_list(headers))
            if exc_info is not None and not isinstance(exc_info, tuple):
                warn("Invalid value for exc_info.", WSGIWarning, stacklevel=2)
            started[0] = True
            return start_response(*args)

        return _LintBodyIterator(self.app(environ, checking_start_response), started)
