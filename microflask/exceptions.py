"""HTTP errors as exceptions, and ``abort`` (what Werkzeug calls
``werkzeug.exceptions``).

Each 4xx/5xx status has one class.  Raise it anywhere in a view; the app
turns it into a small HTML error page.  An instance is also a WSGI app, so
``NotFound()(environ, start_response)`` answers a request by itself.
"""

from __future__ import annotations

import typing as t
from datetime import datetime

from microflask.http import HTTP_STATUS_CODES, http_date
from microflask.markup import escape

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.wrappers import Response

__all__ = [
    "HTTPException",
    "BadRequest",
    "BadRequestKeyError",
    "ClientDisconnected",
    "SecurityError",
    "BadHost",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "NotAcceptable",
    "RequestTimeout",
    "Conflict",
    "Gone",
    "LengthRequired",
    "PreconditionFailed",
    "RequestEntityTooLarge",
    "RequestURITooLarge",
    "UnsupportedMediaType",
    "RequestedRangeNotSatisfiable",
    "ExpectationFailed",
    "ImATeapot",
    "MisdirectedRequest",
    "UnprocessableEntity",
    "Locked",
    "FailedDependency",
    "PreconditionRequired",
    "TooManyRequests",
    "RequestHeaderFieldsTooLarge",
    "UnavailableForLegalReasons",
    "InternalServerError",
    "NotImplemented",
    "BadGateway",
    "ServiceUnavailable",
    "GatewayTimeout",
    "HTTPVersionNotSupported",
    "Aborter",
    "abort",
    "default_exceptions",
]


def _environ_of_request_or_environ(environ: t.Any) -> t.Any:
    """Accept a WSGI environ or a Request object, return the environ."""
    if environ is None or isinstance(environ, dict):
        return environ
    return getattr(environ, "environ", environ)


class HTTPException(Exception):
    """Base class of every HTTP error.  ``code`` and ``description`` are set
    by the subclasses; ``response``, when given, is returned as-is by
    :meth:`get_response`."""

    code: int | None = None
    description: str | None = None

    def __init__(self, description: str | None = None, response: t.Any = None) -> None:
        super().__init__()
        if description is not None:
            self.description = description
        self.response = response

    @classmethod
    def wrap(cls, exception: type[BaseException], name: str | None = None) -> type:
        """Make a subclass that is both this HTTP error and ``exception``."""

        def init_both(self: t.Any, arg: t.Any = None, *args: t.Any, **kwargs: t.Any) -> None:
            super(wrapped, self).__init__(*args, **kwargs)  # type: ignore[misc]
            if arg is None:
                exception.__init__(self)
            else:
                exception.__init__(self, arg)

        def str_both(self: t.Any) -> str:
            return f"{cls.__str__(self)}: {exception.__str__(self)}"

        wrapped = type(
            name or f"{cls.__name__}_{exception.__name__}",
            (cls, exception),
            {"__init__": init_both, "__str__": str_both, "__module__": cls.__module__},
        )
        return wrapped

    @property
    def name(self) -> str:
        """The status reason phrase, e.g. ``"Not Found"``."""
        return HTTP_STATUS_CODES.get(self.code, "Unknown Error")  # type: ignore[arg-type]

    def get_description(self, environ: t.Any = None, scope: t.Any = None) -> str:
        """The description as one HTML paragraph, escaped, newlines as ``<br>``."""
        if not self.description:
            return "<p></p>"
        description = str(escape(self.description)).replace("\n", "<br>")
        return f"<p>{description}</p>"

    def get_body(self, environ: t.Any = None, scope: t.Any = None) -> str:
        """The whole HTML error page."""
        name = escape(self.name)
        return (
            "<!doctype html>\n<html lang=en>\n"
            f"<title>{self.code} {name}</title>\n"
            f"<h1>{name}</h1>\n"
            f"{self.get_description(environ, scope)}\n"
        )

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        """Headers of the error response (subclasses add Allow, Retry-After, ...)."""
        return [("Content-Type", "text/html; charset=utf-8")]

    def get_response(self, environ: t.Any = None, scope: t.Any = None) -> Response:
        """A Response carrying this error (or the one given to ``__init__``)."""
        if self.response is not None:
            return self.response
        from microflask.wrappers import Response

        environ = _environ_of_request_or_environ(environ)
        headers = self.get_headers(environ, scope)
        return Response(self.get_body(environ, scope), self.code, headers)

    def __call__(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        response = self.get_response(environ)
        return response(environ, start_response)

    def __str__(self) -> str:
        code = self.code if self.code is not None else "???"
        return f"{code} {self.name}: {self.description}"

    def __repr__(self) -> str:
        code = self.code if self.code is not None else "???"
        return f"<{type(self).__name__} '{code}: {self.name}'>"


class BadRequest(HTTPException):
    """400: the request was malformed."""

    code = 400
    description = (
        "The browser (or proxy) sent a request that this server could not understand."
    )


class ClientDisconnected(BadRequest):
    """The client went away while the request body was being read."""


class SecurityError(BadRequest):
    """A request looked like an attack (e.g. a path traversal attempt)."""


class BadHost(BadRequest):
    """The Host header was malformed or not trusted."""


class BadRequestKeyError(BadRequest, KeyError):
    """A missing key in request data: a ``KeyError`` that answers 400.

    Set ``show_exception`` (Flask does in debug mode) to put the key in the
    description."""

    _description = BadRequest.description
    show_exception = False

    def __init__(self, arg: t.Any = None, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        if arg is None:
            KeyError.__init__(self)
        else:
            KeyError.__init__(self, arg)

    @property  # type: ignore[override]
    def description(self) -> str:
        if self.show_exception:
            return f"{self._description}\nKeyError: {KeyError.__str__(self)}"
        return self._description

    @description.setter
    def description(self, value: str) -> None:
        self._description = value


class Unauthorized(HTTPException):
    """401: credentials are needed.  ``www_authenticate`` (one value or a
    list) becomes WWW-Authenticate headers."""

    code = 401
    description = (
        "The server could not verify that you are authorized to access the URL"
        " requested. You either supplied the wrong credentials (e.g. a bad"
        " password), or your browser doesn't understand how to supply the"
        " credentials required."
    )

    def __init__(
        self,
        description: str | None = None,
        response: t.Any = None,
        www_authenticate: t.Any = None,
    ) -> None:
        super().__init__(description, response)
        if www_authenticate is not None and not isinstance(www_authenticate, (tuple, list)):
            www_authenticate = (www_authenticate,)
        self.www_authenticate = www_authenticate

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.www_authenticate:
            headers.extend(("WWW-Authenticate", str(value)) for value in self.www_authenticate)
        return headers


class Forbidden(HTTPException):
    """403: the client may not access this."""

    code = 403
    description = (
        "You don't have the permission to access the requested resource. It is"
        " either read-protected or not readable by the server."
    )


class NotFound(HTTPException):
    """404: nothing lives at this URL."""

    code = 404
    description = (
        "The requested URL was not found on the server. If you entered the URL"
        " manually please check your spelling and try again."
    )


class MethodNotAllowed(HTTPException):
    """405: the URL exists but not for this method; ``valid_methods``
    becomes the Allow header."""

    code = 405
    description = "The method is not allowed for the requested URL."

    def __init__(
        self,
        valid_methods: t.Iterable[str] | None = None,
        description: str | None = None,
        response: t.Any = None,
    ) -> None:
        super().__init__(description=description, response=response)
        self.valid_methods = valid_methods

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.valid_methods:
            headers.append(("Allow", ", ".join(self.valid_methods)))
        return headers


class NotAcceptable(HTTPException):
    """406: no representation matches the Accept headers."""

    code = 406
    description = (
        "The resource identified by the request is only capable of generating"
        " response entities which have content characteristics not acceptable"
        " according to the accept headers sent in the request."
    )


class RequestTimeout(HTTPException):
    """408: the client was too slow sending the request."""

    code = 408
    description = (
        "The server closed the network connection because the browser didn't"
        " finish the request within the specified time."
    )


class Conflict(HTTPException):
    """409: the request conflicts with the resource's current state."""

    code = 409
    description = (
        "A conflict happened while processing the request. The resource might"
        " have been modified while the request was being processed."
    )


class Gone(HTTPException):
    """410: the resource existed but is gone for good."""

    code = 410
    description = (
        "The requested URL is no longer available on this server and there is"
        " no forwarding address. If you followed a link from a foreign page,"
        " please contact the author of this page."
    )


class LengthRequired(HTTPException):
    """411: a body was sent without a Content-Length."""

    code = 411
    description = (
        "A request with this method requires a valid <code>Content-Length</code> header."
    )


class PreconditionFailed(HTTPException):
    """412: an If-* precondition did not hold."""

    code = 412
    description = "The precondition on the request for the URL failed positive evaluation."


class RequestEntityTooLarge(HTTPException):
    """413: the body is larger than the configured limit."""

    code = 413
    description = "The data value transmitted exceeds the capacity limit."


class RequestURITooLarge(HTTPException):
    """414: the URL is too long."""

    code = 414
    description = (
        "The length of the requested URL exceeds the capacity limit for this"
        " server. The request cannot be processed."
    )


class UnsupportedMediaType(HTTPException):
    """415: the body's content type is not understood."""

    code = 415
    description = "The server does not support the media type transmitted in the request."


class RequestedRangeNotSatisfiable(HTTPException):
    """416: the Range cannot be served; ``length`` adds
    ``Content-Range: <units> */<length>``."""

    code = 416
    description = "The server cannot provide the requested range."

    def __init__(
        self,
        length: int | None = None,
        units: str = "bytes",
        description: str | None = None,
        response: t.Any = None,
    ) -> None:
        super().__init__(description=description, response=response)
        self.length = length
        self.units = units

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.length is not None:
            headers.append(("Content-Range", f"{self.units} */{self.length}"))
        return headers


class ExpectationFailed(HTTPException):
    """417: the Expect header cannot be met."""

    code = 417
    description = "The server could not meet the requirements of the Expect header"


class ImATeapot(HTTPException):
    """418: the famous joke status."""

    code = 418
    description = "This server is a teapot, not a coffee machine"


class MisdirectedRequest(HTTPException):
    """421: the request reached a server that cannot answer it."""

    code = 421
    description = "The server is not able to produce a response."


class UnprocessableEntity(HTTPException):
    """422: well-formed but semantically wrong."""

    code = 422
    description = (
        "The request was well-formed but was unable to be followed due to semantic errors."
    )


class Locked(HTTPException):
    """423: the resource is locked."""

    code = 423
    description = "The resource that is being accessed is locked."


class FailedDependency(HTTPException):
    """424: an action this one depended on failed."""

    code = 424
    description = (
        "The method could not be performed on the resource because the requested"
        " action depended on another action and that action failed."
    )


class PreconditionRequired(HTTPException):
    """428: the request must be conditional."""

    code = 428
    description = (
        "This request is required to be conditional; try using"
        ' "If-Match" or "If-Unmodified-Since".'
    )


class _RetryAfterHTTPException(HTTPException):
    """Shared base of 429 and 503: ``retry_after`` (seconds or a datetime)
    becomes the Retry-After header."""

    def __init__(
        self,
        description: str | None = None,
        response: t.Any = None,
        retry_after: datetime | int | None = None,
    ) -> None:
        super().__init__(description, response)
        self.retry_after = retry_after

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.retry_after:
            if isinstance(self.retry_after, datetime):
                value = http_date(self.retry_after)
            else:
                value = str(self.retry_after)
            headers.append(("Retry-After", value))
        return headers


class TooManyRequests(_RetryAfterHTTPException):
    """429: rate limit hit."""

    code = 429
    description = "This user has exceeded an allotted request count. Try again later."


class RequestHeaderFieldsTooLarge(HTTPException):
    """431: a header (or all of them) is too large."""

    code = 431
    description = "One or more header fields exceeds the maximum size."


class UnavailableForLegalReasons(HTTPException):
    """451: blocked for legal reasons."""

    code = 451
    description = "Unavailable for legal reasons."


class InternalServerError(HTTPException):
    """500: an unhandled error; ``original_exception`` keeps the cause."""

    code = 500
    description = (
        "The server encountered an internal error and was unable to complete"
        " your request. Either the server is overloaded or there is an error in"
        " the application."
    )

    def __init__(
        self,
        description: str | None = None,
        response: t.Any = None,
        original_exception: BaseException | None = None,
    ) -> None:
        self.original_exception = original_exception
        super().__init__(description=description, response=response)


class NotImplemented(HTTPException):  # noqa: A001 - the peer's public name
    """501: the server cannot do this."""

    code = 501
    description = "The server does not support the action requested by the browser."


class BadGateway(HTTPException):
    """502: an upstream server answered badly."""

    code = 502
    description = "The proxy server received an invalid response from an upstream server."


class ServiceUnavailable(_RetryAfterHTTPException):
    """503: temporarily down."""

    code = 503
    description = (
        "The server is temporarily unable to service your request due to"
        " maintenance downtime or capacity problems. Please try again later."
    )


class GatewayTimeout(HTTPException):
    """504: an upstream server timed out."""

    code = 504
    description = "The connection to an upstream server timed out."


class HTTPVersionNotSupported(HTTPException):
    """505: unsupported HTTP version."""

    code = 505
    description = "The server does not support the HTTP protocol version used in the request."


default_exceptions: dict[int, type[HTTPException]] = {
    exc.code: exc  # type: ignore[misc]
    for exc in (
        BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed,
        NotAcceptable, RequestTimeout, Conflict, Gone, LengthRequired,
        PreconditionFailed, RequestEntityTooLarge, RequestURITooLarge,
        UnsupportedMediaType, RequestedRangeNotSatisfiable, ExpectationFailed,
        ImATeapot, MisdirectedRequest, UnprocessableEntity, Locked,
        FailedDependency, PreconditionRequired, TooManyRequests,
        RequestHeaderFieldsTooLarge, UnavailableForLegalReasons,
        InternalServerError, NotImplemented, BadGateway, ServiceUnavailable,
        GatewayTimeout, HTTPVersionNotSupported,
    )
}


class Aborter:
    """Raise the HTTP error for a status code; ``mapping`` (default
    :data:`default_exceptions`) plus ``extra`` decide which class."""

    def __init__(
        self,
        mapping: dict[int, type[HTTPException]] | None = None,
        extra: dict[int, type[HTTPException]] | None = None,
    ) -> None:
        if mapping is None:
            mapping = default_exceptions
        self.mapping = dict(mapping)
        if extra is not None:
            self.mapping.update(extra)

    def __call__(self, code: t.Any, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        if not args and not kwargs and not isinstance(code, int):
            # A Response object: raise it wrapped so it is sent as-is.
            raise HTTPException(response=code)
        if code not in self.mapping:
            raise LookupError(f"no exception for {code!r}")
        raise self.mapping[code](*args, **kwargs)


_default_aborter = Aborter()


def _abort_with_default_aborter(status: t.Any, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP error for ``status`` (an int code or a Response)."""
    _default_aborter(status, *args, **kwargs)


# Flask's helpers define their own ``abort`` too; in the single-file bundle
# the public name is bound per module by this alias line.
abort = _abort_with_default_aborter
