"""The request and response objects a WSGI application works with.

This module plays the role of Werkzeug's ``werkzeug.wrappers``: a
``Request`` wraps a WSGI environ and parses each part (query string,
cookies, headers, form, JSON) only when first touched, caching the result
on the instance; a ``Response`` holds a status, ``Headers`` and a body
iterable, and is itself a WSGI application.  Nothing here knows about an
app: limits and JSON are the class defaults, host and URL come from
:mod:`microflask.sansio.utils`.

Flask's subclasses (``flask.wrappers``), which read limits from the app's
config, use the app's JSON provider and explain errors in debug mode, are
in :mod:`microflask._app_wrappers`; ``microflask.Request`` and
``microflask.Response`` are those.  One difference from Werkzeug: the
routing data Flask adds (``url_rule``, ``view_args``,
``routing_exception`` and the ``endpoint``/``blueprint``/``blueprints``
read from them) is on this ``Request`` already.  It needs no app, and so an
app whose ``request_class`` subclasses this class directly still works.
"""

from __future__ import annotations

import functools
import json as _stdlib_json  # microflask.json is another json in the one-file bundle
import typing as t
from datetime import datetime, timedelta, timezone
from io import BytesIO
from urllib.parse import urljoin

from microflask.datastructures import (
    Accept,
    Authorization,
    CallbackDict,
    CharsetAccept,
    CombinedMultiDict,
    ContentRange,
    EnvironHeaders,
    ETags,
    HeaderSet,
    Headers,
    IfRange,
    ImmutableList,
    ImmutableMultiDict,
    LanguageAccept,
    MIMEAccept,
    MultiDict,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
    WWWAuthenticate,
    iter_multi_items,
)
from microflask.exceptions import (
    BadRequest,
    HTTPException,
    RequestedRangeNotSatisfiable,
    UnsupportedMediaType,
)
from microflask.formparser import (
    FormDataParser,
    _content_length_from_environ,
    _decode_urlencoded_pairs,
    _get_input_stream_for_environ,
    default_stream_factory,
)
from microflask.http import (
    COEP,
    COOP,
    HTTP_STATUS_CODES,
    _wsgi_str_to_text,
    dump_age,
    dump_cookie,
    dump_header,
    dump_options_header,
    generate_etag,
    http_date,
    is_resource_modified,
    parse_accept_header,
    parse_age,
    parse_cache_control_header,
    parse_content_range_header,
    parse_cookie,
    parse_csp_header,
    parse_date,
    parse_etags,
    parse_if_range_header,
    parse_options_header,
    parse_range_header,
    parse_set_header,
    quote_etag,
    remove_entity_headers,
    unquote_etag,
)
from microflask.sansio.utils import get_current_url, get_host
from microflask.urls import iri_to_uri
from microflask.utils import _keeps_methods_of, cached_property, get_content_type
from microflask.wsgi import ClosingIterator, _query_string_bytes, _server_from_environ
from microflask.wsgi import get_current_url as _current_url_of_environ

__all__ = ["Request", "Response", "ResponseStream", "UserAgent"]


# --- small helpers ----------------------------------------------------------


def _environ_from_sansio_request_parts(
    method: str,
    scheme: str,
    server: tuple[str, int | None] | None,
    root_path: str,
    path: str,
    query_string: bytes,
    headers: t.Any,
    remote_addr: str | None,
) -> dict[str, t.Any]:
    """A WSGI environ holding what Werkzeug's sans-IO ``Request`` is given."""
    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": method,
        "wsgi.url_scheme": scheme,
        "SCRIPT_NAME": root_path.encode("utf-8").decode("latin-1"),
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": bytes(query_string).decode("latin-1"),
        "wsgi.input": BytesIO(),
    }
    if remote_addr is not None:
        environ["REMOTE_ADDR"] = remote_addr
    if server is not None:
        environ["SERVER_NAME"] = server[0]
        if server[1] is not None:
            environ["SERVER_PORT"] = str(server[1])
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        if key in environ:
            separator = "; " if key == "HTTP_COOKIE" else ", "
            value = environ[key] + separator + value
        environ[key] = value
    return environ


# --- the user agent -----------------------------------------------------------


def _json_error_text(error: ValueError) -> str:
    """The parser's message for invalid JSON, as text safe to put in a page.

    CPython's messages are ASCII ("Expecting value: line 1 column 1 (char
    0)").  PyPy's quote the offending character, and for a non-ASCII one its
    message string is malformed (its ``isascii()`` says True, and formatting
    it later raises SystemError), so such a message gives way to the
    position alone.  Each character is checked, not ``isascii()``.
    """
    text = str(error)
    if not isinstance(error, _stdlib_json.JSONDecodeError) or all(ord(ch) < 128 for ch in text):
        return text
    return "invalid JSON: line %d column %d (char %d)" % (error.lineno, error.colno, error.pos)


class UserAgent:
    """The ``User-Agent`` header.  No parsing: ``browser`` and friends stay None.

    Werkzeug 2.1+ dropped its built-in parser too; subclass and set
    ``Request.user_agent_class`` to parse with a library of your choice.
    """

    platform: str | None = None
    browser: str | None = None
    version: str | None = None
    language: str | None = None

    def __init__(self, string: str) -> None:
        self.string = string

    def to_header(self) -> str:
        return self.string

    def __str__(self) -> str:
        return self.string

    def __bool__(self) -> bool:
        return bool(self.browser)

    def __repr__(self) -> str:
        return "<%s %s/%s>" % (type(self).__name__, self.browser, self.version)


# --- request ------------------------------------------------------------------


def _environ_header_text(key: str, doc: str) -> property:
    """A read-only request property reading one environ key (or None)."""

    def get(self: BaseRequest) -> str | None:
        return self.environ.get(key)

    return property(get, doc=doc)


def _environ_header_date(key: str, doc: str) -> cached_property:
    """A cached request property: one environ key parsed as an HTTP date."""

    def get(self: BaseRequest) -> datetime | None:
        return parse_date(self.environ.get(key))

    return cached_property(get, doc=doc)


class BaseRequest:
    """A WSGI environ, with every part of the HTTP request parsed on demand.

    Nothing is parsed in ``__init__``: ``args``, ``form``, ``cookies``,
    ``headers``, ``json``... are computed when first read and cached.
    """

    #: Class of ``args``, ``form`` and ``values`` parts.
    parameter_storage_class: type[MultiDict] = ImmutableMultiDict
    #: Class for lists such as ``access_route``.
    list_storage_class: type[list] = ImmutableList
    #: Class of ``cookies``.
    dict_storage_class: type[MultiDict] = ImmutableMultiDict
    #: Parser class used for ``form`` and ``files``.
    form_data_parser_class: type[FormDataParser] = FormDataParser
    #: Class wrapping the User-Agent header.
    user_agent_class: type[UserAgent] = UserAgent
    #: Host names (``.example.com`` for subdomains) accepted in ``host``: None
    #: checks nothing, an empty list trusts nothing (see microflask.sansio.utils).
    trusted_hosts: list[str] | None = None
    #: Module with ``loads``/``dumps`` used by ``get_json``.
    json_module: t.Any = _stdlib_json
    #: Largest body accepted, in bytes (413 past it); None means no limit.
    max_content_length: int | None = None
    #: Largest non-file form field kept in memory (413 past it).
    max_form_memory_size: int | None = 500_000
    #: Most multipart parts accepted (413 past it).
    max_form_parts: int | None = 1000

    # Flask's routing data, filled in by the app while dispatching (see the
    # module docstring for why it is here).
    url_rule: t.Any = None
    view_args: dict[str, t.Any] | None = None
    routing_exception: Exception | None = None

    def __init__(
        self,
        environ: dict[str, t.Any],
        populate_request: bool = True,
        shallow: bool = False,
        *sansio_parts: t.Any,
    ) -> None:
        if sansio_parts:
            # Werkzeug's sans-IO form: Request(method, scheme, server,
            # root_path, path, query_string, headers, remote_addr).
            environ = _environ_from_sansio_request_parts(
                environ, populate_request, shallow, *sansio_parts
            )
            populate_request, shallow = False, False
        self.environ = environ
        self.shallow = shallow
        # Routing reads these on every request, so they are set right away
        # (cheaper than computing them lazily); everything else waits.
        #: The request method, upper case (``GET``, ``POST``...).
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        raw_path = environ.get("PATH_INFO") or ""
        if not raw_path.isascii():
            raw_path = _wsgi_str_to_text(raw_path)
        #: The decoded path below the mount point, always starting with ``/``.
        self.path: str = "/" + raw_path.lstrip("/")
        if populate_request and not shallow:
            environ["werkzeug.request"] = self

    def __repr__(self) -> str:
        try:
            url = self.url
        except Exception as error:  # noqa: BLE001 - repr must not raise
            url = "(invalid URL: %s)" % error
        return "<%s %r [%s]>" % (type(self).__name__, url, self.method)

    # -- the request line and URL ----------------------------------------------

    @cached_property
    def scheme(self) -> str:
        """``http`` or ``https`` (``wsgi.url_scheme``)."""
        return self.environ.get("wsgi.url_scheme", "http")

    @cached_property
    def server(self) -> tuple[str, int | None] | None:
        """``(SERVER_NAME, SERVER_PORT)`` from the environ, if known."""
        return _server_from_environ(self.environ)

    @property
    def remote_addr(self) -> str | None:
        """The client address (``REMOTE_ADDR``)."""
        return self.environ.get("REMOTE_ADDR")

    @property
    def remote_user(self) -> str | None:
        """The user the server authenticated, if any (``REMOTE_USER``)."""
        return self.environ.get("REMOTE_USER")

    @cached_property
    def root_path(self) -> str:
        """The mount point of the application (``SCRIPT_NAME``), no trailing slash."""
        return _wsgi_str_to_text(self.environ.get("SCRIPT_NAME") or "").rstrip("/")

    @property
    def script_root(self) -> str:
        """Alias of ``root_path``."""
        return self.root_path

    @cached_property
    def query_string(self) -> bytes:
        """The raw query string, as bytes."""
        return _query_string_bytes(self.environ)

    @property
    def full_path(self) -> str:
        """``path`` plus ``?`` and the query string."""
        return "%s?%s" % (self.path, self.query_string.decode("utf-8", "replace"))

    @property
    def is_secure(self) -> bool:
        """True for ``https`` and ``wss``."""
        return self.scheme in ("https", "wss")

    @cached_property
    def host(self) -> str:
        """The host (with port when not the default), checked against
        ``trusted_hosts``: ``SecurityError`` (400) if it is not trusted, ``""``
        if it is malformed.  See :mod:`microflask.sansio.utils` for the rules."""
        return get_host(self.scheme, self.environ.get("HTTP_HOST"), self.server, self.trusted_hosts)

    @cached_property
    def root_url(self) -> str:
        """``scheme://host/root_path/``: the application's URL."""
        return get_current_url(self.scheme, self.host, self.root_path)

    @property
    def url_root(self) -> str:
        """Alias of ``root_url``."""
        return self.root_url

    @cached_property
    def host_url(self) -> str:
        """``scheme://host/``."""
        return get_current_url(self.scheme, self.host)

    @cached_property
    def base_url(self) -> str:
        """The full URL without the query string."""
        return get_current_url(self.scheme, self.host, self.root_path, self.path)

    @cached_property
    def url(self) -> str:
        """The full URL, query string included (an IRI: non-ASCII kept readable)."""
        return get_current_url(
            self.scheme, self.host, self.root_path, self.path, self.query_string
        )

    @cached_property
    def access_route(self) -> list[str]:
        """Client then proxies from ``X-Forwarded-For``, else just ``remote_addr``."""
        forwarded = self.environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            return self.list_storage_class([x.strip() for x in forwarded.split(",") if x.strip()])
        if self.remote_addr:
            return self.list_storage_class([self.remote_addr])
        return self.list_storage_class()

    # -- query string, cookies, headers -------------------------------------------

    @cached_property
    def args(self) -> MultiDict:
        """The parsed query string (``?a=1&b=2``) as an ImmutableMultiDict."""
        query = self.environ.get("QUERY_STRING")
        if not query:
            return self.parameter_storage_class()
        if query.isascii():
            text = query
        else:
            try:
                text = query.encode("latin-1").decode("utf-8", "microflask.url_quote")
            except UnicodeEncodeError:  # a server that already decoded it
                text = query
        if "%" in text or "+" in text:
            return self.parameter_storage_class(_decode_urlencoded_pairs(text))
        # Nothing to unquote: split into (name, value) pairs right here.
        return self.parameter_storage_class(
            [item.partition("=")[::2] for item in text.split("&") if item]
        )

    @cached_property
    def cookies(self) -> MultiDict:
        """The cookies the client sent, as an ImmutableMultiDict."""
        header = self.environ.get("HTTP_COOKIE")
        if not header:
            return self.dict_storage_class()
        return parse_cookie(header, cls=self.dict_storage_class)

    @cached_property
    def headers(self) -> EnvironHeaders:
        """The request headers, read straight from the environ."""
        return EnvironHeaders(self.environ)

    content_type = _environ_header_text(
        "CONTENT_TYPE", "The Content-Type header, as sent (None if missing)."
    )
    content_encoding = _environ_header_text("HTTP_CONTENT_ENCODING", "The Content-Encoding header.")
    content_md5 = _environ_header_text("HTTP_CONTENT_MD5", "The Content-MD5 header.")
    referrer = _environ_header_text("HTTP_REFERER", "The Referer header.")
    origin = _environ_header_text("HTTP_ORIGIN", "The Origin header.")
    access_control_request_method = _environ_header_text(
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD", "The method a CORS preflight asks about."
    )
    date = _environ_header_date("HTTP_DATE", "The Date header, as a datetime.")
    if_modified_since = _environ_header_date(
        "HTTP_IF_MODIFIED_SINCE", "If-Modified-Since, as a datetime."
    )
    if_unmodified_since = _environ_header_date(
        "HTTP_IF_UNMODIFIED_SINCE", "If-Unmodified-Since, as a datetime."
    )

    @cached_property
    def content_length(self) -> int | None:
        """The announced body length; None when unknown or chunked."""
        return _content_length_from_environ(self.environ)

    @cached_property
    def max_forwards(self) -> int | None:
        """The Max-Forwards header as an int."""
        try:
            return int(self.environ["HTTP_MAX_FORWARDS"])
        except (KeyError, ValueError):
            return None

    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        cached = self.__dict__.get("_parsed_content_type_value")
        if cached is None:
            mimetype, options = parse_options_header(self.environ.get("CONTENT_TYPE") or "")
            cached = self.__dict__["_parsed_content_type_value"] = (mimetype.lower(), options)
        return cached

    @property
    def mimetype(self) -> str:
        """The Content-Type without parameters, lower case ("" if missing)."""
        return self._parsed_content_type()[0]

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The Content-Type parameters, e.g. ``{"charset": "utf-8"}``."""
        return self._parsed_content_type()[1]

    @cached_property
    def pragma(self) -> HeaderSet:
        """The Pragma header as a HeaderSet."""
        return parse_set_header(self.environ.get("HTTP_PRAGMA", ""))

    @cached_property
    def access_control_request_headers(self) -> HeaderSet | None:
        """Headers a CORS preflight asks about, as a HeaderSet (or None)."""
        value = self.environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
        return None if value is None else parse_set_header(value)

    @cached_property
    def user_agent(self) -> UserAgent:
        """The User-Agent header, wrapped in ``user_agent_class``."""
        return self.user_agent_class(self.environ.get("HTTP_USER_AGENT", ""))

    @cached_property
    def authorization(self) -> Authorization | None:
        """The Authorization header (Basic or a token scheme), or None."""
        return Authorization.from_header(self.environ.get("HTTP_AUTHORIZATION"))

    @cached_property
    def accept_mimetypes(self) -> MIMEAccept:
        """The Accept header as a MIMEAccept."""
        return parse_accept_header(self.environ.get("HTTP_ACCEPT"), MIMEAccept)

    @cached_property
    def accept_charsets(self) -> CharsetAccept:
        """The Accept-Charset header as a CharsetAccept."""
        return parse_accept_header(self.environ.get("HTTP_ACCEPT_CHARSET"), CharsetAccept)

    @cached_property
    def accept_encodings(self) -> Accept:
        """The Accept-Encoding header as an Accept."""
        return parse_accept_header(self.environ.get("HTTP_ACCEPT_ENCODING"), Accept)

    @cached_property
    def accept_languages(self) -> LanguageAccept:
        """The Accept-Language header as a LanguageAccept."""
        return parse_accept_header(self.environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)

    @cached_property
    def cache_control(self) -> RequestCacheControl:
        """The Cache-Control header as a RequestCacheControl."""
        return parse_cache_control_header(
            self.environ.get("HTTP_CACHE_CONTROL"), None, RequestCacheControl
        )

    @cached_property
    def if_match(self) -> ETags:
        """The If-Match header as ETags."""
        return parse_etags(self.environ.get("HTTP_IF_MATCH"))

    @cached_property
    def if_none_match(self) -> ETags:
        """The If-None-Match header as ETags."""
        return parse_etags(self.environ.get("HTTP_IF_NONE_MATCH"))

    @cached_property
    def if_range(self) -> IfRange:
        """The If-Range header as an IfRange."""
        return parse_if_range_header(self.environ.get("HTTP_IF_RANGE"))

    @cached_property
    def range(self) -> Range | None:
        """The Range header as a Range, or None."""
        return parse_range_header(self.environ.get("HTTP_RANGE"))

    @property
    def is_json(self) -> bool:
        """True if the mimetype is ``application/json`` or ``application/*+json``."""
        mimetype = self.mimetype
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    # -- WSGI flags ----------------------------------------------------------------

    @property
    def is_multithread(self) -> bool:
        return bool(self.environ.get("wsgi.multithread"))

    @property
    def is_multiprocess(self) -> bool:
        return bool(self.environ.get("wsgi.multiprocess"))

    @property
    def is_run_once(self) -> bool:
        return bool(self.environ.get("wsgi.run_once"))

    # -- the body ------------------------------------------------------------------

    @property
    def input_stream(self) -> t.Any:
        """The raw WSGI input, unlimited: prefer ``stream``."""
        return self.environ["wsgi.input"]

    @cached_property
    def stream(self) -> t.Any:
        """The body stream, limited to Content-Length / ``max_content_length``."""
        if self.shallow:
            raise RuntimeError(
                "This request was created with 'shallow=True', reading from"
                " the input stream is disabled."
            )
        return _get_input_stream_for_environ(self.environ, self.max_content_length)

    def get_data(
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> bytes | str:
        """Read the whole body (cached by default); optionally as text."""
        data = self.__dict__.get("_cached_data")
        if data is None:
            if parse_form_data:
                self._load_form_data()
            data = self.stream.read()
            if cache:
                self.__dict__["_cached_data"] = data
        if as_text:
            return data.decode("utf-8", "replace")
        return data

    @cached_property
    def data(self) -> bytes:
        """The body as bytes; empty once it was parsed as a form."""
        return self.get_data(parse_form_data=True)  # type: ignore[return-value]

    @property
    def want_form_data_parsed(self) -> bool:
        """True if the request says it has a body type (Content-Type is set)."""
        return bool(self.environ.get("CONTENT_TYPE"))

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> t.IO[bytes]:
        return default_stream_factory(
            total_content_length=total_content_length,
            filename=filename,
            content_type=content_type,
            content_length=content_length,
        )

    def make_form_data_parser(self) -> FormDataParser:
        """The parser used for ``form`` and ``files``, with this request's limits."""
        return self.form_data_parser_class(
            self._get_file_stream,
            max_form_memory_size=self.max_form_memory_size,
            max_content_length=self.max_content_length,
            max_form_parts=self.max_form_parts,
            cls=self.parameter_storage_class,
        )

    def _get_stream_for_parsing(self) -> t.Any:
        cached = self.__dict__.get("_cached_data")
        if cached is not None:
            return BytesIO(cached)
        return self.stream

    def _load_form_data(self) -> None:
        cache = self.__dict__
        if "form" in cache:
            return
        if self.want_form_data_parsed:
            parser = self.make_form_data_parser()
            mimetype, options = self._parsed_content_type()
            parsed = parser.parse(
                self._get_stream_for_parsing(), mimetype, self.content_length, options
            )
        else:
            empty = self.parameter_storage_class()
            parsed = (self.stream, empty, self.parameter_storage_class())
        cache["stream"], cache["form"], cache["files"] = parsed

    @cached_property
    def form(self) -> MultiDict:
        """Fields of a urlencoded or multipart body (files are in ``files``)."""
        self._load_form_data()
        return self.__dict__["form"]

    @cached_property
    def files(self) -> MultiDict:
        """Uploaded files of a multipart body, as FileStorage objects."""
        self._load_form_data()
        return self.__dict__["files"]

    @cached_property
    def values(self) -> CombinedMultiDict:
        """``args`` and ``form`` together (only ``args`` for GET)."""
        sources = [self.args]
        if self.method != "GET":
            sources.append(self.form)
        return CombinedMultiDict(
            [source if isinstance(source, MultiDict) else MultiDict(source) for source in sources]
        )

    # -- JSON ----------------------------------------------------------------------

    @property
    def json(self) -> t.Any:
        """The parsed JSON body (see ``get_json``)."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> t.Any:
        """Parse the body as JSON.

        Not JSON (by mimetype, unless ``force``): 415.  Invalid JSON: 400.
        With ``silent`` both give None instead.
        """
        cached = self.__dict__.get("_cached_json")
        if cache and cached is not None and cached[silent] is not Ellipsis:
            return cached[silent]
        if not (force or self.is_json):
            if not silent:
                return self.on_json_loading_failed(None)
            return None
        data = self.get_data(cache=cache)
        if cached is None:
            cached = (Ellipsis, Ellipsis)
        try:
            value = self.json_module.loads(data)
        except (ValueError, RecursionError) as error:
            if isinstance(
                error, RecursionError
            ):  # whatever the provider, deep nesting is bad input
                error = ValueError("the JSON document is nested too deeply")
            if silent:
                value = None
                if cache:
                    self.__dict__["_cached_json"] = (cached[0], value)
            else:
                value = self.on_json_loading_failed(error)
                if cache:
                    self.__dict__["_cached_json"] = (value, cached[1])
        else:
            if cache:
                self.__dict__["_cached_json"] = (value, value)
        return value

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Called when the JSON body is invalid (``e``) or not JSON (``e`` None)."""
        if e is None:
            raise UnsupportedMediaType(
                "Did not attempt to load JSON data because the request"
                " Content-Type was not 'application/json'."
            )
        raise BadRequest("Failed to decode JSON object: %s" % _json_error_text(e))

    # -- Flask's routing extras ----------------------------------------------------

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched URL rule, if any."""
        if self.url_rule is not None:
            return self.url_rule.endpoint
        return None

    @property
    def blueprint(self) -> str | None:
        """The (dotted) name of the blueprint that handled the request."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The current blueprint and its parents, innermost first."""
        name = self.blueprint
        if name is None:
            return []
        names = [name]
        while "." in name:
            name = name.rpartition(".")[0]
            names.append(name)
        return names

    # -- lifetime ------------------------------------------------------------------

    def close(self) -> None:
        """Close uploaded files."""
        files = self.__dict__.get("files")
        if files:
            for _, value in iter_multi_items(files):
                value.close()

    def __enter__(self) -> BaseRequest:
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self.close()

    @classmethod
    def from_values(cls, *args: t.Any, **kwargs: t.Any) -> BaseRequest:
        """Build a request from ``EnvironBuilder`` arguments (for tests)."""
        # layer exception: Werkzeug's Request.from_values builds with its test EnvironBuilder
        from microflask.testing import EnvironBuilder

        builder = EnvironBuilder(*args, **kwargs)
        try:
            return builder.get_request(cls)
        finally:
            builder.close()

    @classmethod
    def application(cls, f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Decorate ``f(request) -> response`` into a WSGI application.

        HTTP errors raised by ``f`` are sent as their error response.
        """

        @functools.wraps(f)
        def application(*args: t.Any) -> t.Any:
            environ, start_response = args[-2], args[-1]
            request = cls(environ)
            with request:
                try:
                    response = f(*args[:-2] + (request,))
                except HTTPException as error:
                    response = error.get_response(environ)
                return response(environ, start_response)

        return application


# --- response -----------------------------------------------------------------


class _RangeBodyIterator:
    """Stream ``length`` bytes of a body from ``start`` (a 206 response).

    File bodies (or wrappers with a ``file``) are seeked; other iterables
    are read and the bytes before ``start`` skipped.  Nothing is buffered
    beyond one chunk.
    """

    chunk_size = 64 * 1024

    def __init__(self, body: t.Any, start: int, length: int) -> None:
        self._body = body
        self._start = start
        self._remaining = length
        self._file: t.Any = None
        self._chunks: t.Any = None
        for candidate in (body, getattr(body, "file", None)):
            if candidate is not None and hasattr(candidate, "seek") and hasattr(candidate, "read"):
                self._file = candidate
                break

    def __iter__(self) -> _RangeBodyIterator:
        return self

    def _next_from_file(self) -> bytes:
        if self._start is not None:
            self._file.seek(self._start)
            self._start = None
        data = self._file.read(min(self.chunk_size, self._remaining))
        if not data:
            raise StopIteration
        return data

    def _next_from_iterable(self) -> bytes:
        if self._chunks is None:
            self._chunks = _encode_body_items(self._body)
        while True:
            data = next(self._chunks)
            if self._start:
                if len(data) <= self._start:
                    self._start -= len(data)
                    continue
                data = data[self._start :]
                self._start = 0
            if data:
                return data[: self._remaining]

    def __next__(self) -> bytes:
        if self._remaining <= 0:
            raise StopIteration
        if self._file is not None:
            data = self._next_from_file()
        else:
            data = self._next_from_iterable()
        self._remaining -= len(data)
        return data

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


class ResponseStream:
    """A write-only file object appending to a response body (``response.stream``)."""

    mode = "wb+"

    def __init__(self, response: BaseResponse) -> None:
        self.response = response
        self.closed = False

    def write(self, value: bytes | str) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        self.response._ensure_sequence(mutable=True)
        self.response.response.append(value)
        self.response.headers.remove("Content-Length")
        return len(value)

    def writelines(self, seq: t.Iterable[bytes | str]) -> None:
        for item in seq:
            self.write(item)

    def close(self) -> None:
        self.closed = True

    def flush(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return False

    def tell(self) -> int:
        self.response._ensure_sequence()
        return sum(map(len, self.response.iter_encoded()))

    @property
    def encoding(self) -> str:
        return "utf-8"


def _encode_body_items(iterable: t.Iterable[t.Any]) -> t.Iterator[bytes]:
    for item in iterable:
        if isinstance(item, str):
            yield item.encode("utf-8")
        else:
            yield item


def _run_wsgi_app_for_response(
    app: t.Callable[..., t.Any], environ: dict[str, t.Any], buffered: bool
) -> tuple[t.Any, str, list[tuple[str, str]]]:
    """Call a WSGI app; give back its ``(body iterable, status, headers)``."""
    captured: list[t.Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list, exc_info: t.Any = None) -> t.Callable:
        if exc_info is not None and captured:
            raise exc_info[1].with_traceback(exc_info[2])
        captured[:] = [status, headers]
        return written.append

    app_iter = app(environ, start_response)
    close = getattr(app_iter, "close", None)
    if buffered or not captured or written:
        # Buffer until start_response has been called (generators call it late).
        try:
            body = list(app_iter)
        finally:
            if close is not None:
                close()
        return written + body, captured[0], captured[1]
    return app_iter, captured[0], captured[1]


def _response_header_property(
    name: str,
    doc: str,
    load: t.Callable[[str], t.Any] | None = None,
    dump: t.Callable[[t.Any], str] | None = None,
    default: t.Any = None,
) -> property:
    """A response property stored in one header (None deletes it).

    A header value that does not parse reads as ``default``, not an error.
    """

    def get(self: BaseResponse) -> t.Any:
        value = self.headers.get(name)
        if value is None:
            return default
        if load is None:
            return value
        try:
            return load(value)
        except (ValueError, TypeError):
            return default

    def set(self: BaseResponse, value: t.Any) -> None:  # noqa: A001
        if value is None:
            self.headers.remove(name)
        else:
            self.headers[name] = dump(value) if dump is not None else value

    def delete(self: BaseResponse) -> None:
        self.headers.remove(name)

    return property(get, set, delete, doc=doc)


def _dump_date_header(value: t.Any) -> str:
    if isinstance(value, str):
        return value
    return http_date(value)


def _parse_retry_after(value: str) -> datetime | None:
    if value.isdigit():
        return datetime.now(timezone.utc) + timedelta(seconds=int(value))
    return parse_date(value)


def _dump_retry_after(value: t.Any) -> str:
    if isinstance(value, datetime):
        return http_date(value)
    return str(value)


def _dump_enum_header(value: t.Any) -> str:
    return getattr(value, "value", value)


def _response_set_header_property(name: str, doc: str) -> property:
    """A response property holding a HeaderSet that writes itself back."""

    def get(self: BaseResponse) -> t.Any:
        def on_update(header_set: t.Any) -> None:
            if not header_set:
                self.headers.remove(name)
            else:
                self.headers[name] = header_set.to_header()

        return parse_set_header(self.headers.get(name), on_update)

    def set(self: BaseResponse, value: t.Any) -> None:  # noqa: A001
        if not value:
            self.headers.remove(name)
        elif isinstance(value, str):
            self.headers[name] = value
        else:
            self.headers[name] = dump_header(value)

    def delete(self: BaseResponse) -> None:
        self.headers.remove(name)

    return property(get, set, delete, doc=doc)


def _status_line_for_code(code: int) -> str:
    return "%d %s" % (code, HTTP_STATUS_CODES.get(code, "unknown").upper())


# The status line of every known code, made once: ``200`` -> ``"200 OK"``.
_status_lines = {code: _status_line_for_code(code) for code in HTTP_STATUS_CODES}


def _one_body_header_pairs(mimetype: str | None, body: bytes) -> list[tuple[str, str]]:
    """The headers of a response whose whole body is ``body``: Content-Type
    for ``mimetype`` (UTF-8 where it is text; none when it is None), then
    Content-Length."""
    length = ("Content-Length", str(len(body)))
    if mimetype is None:
        return [length]
    return [("Content-Type", get_content_type(mimetype, "utf-8")), length]


# What BaseResponse(text)(environ, start_response) goes through; a subclass
# overriding one of these builds its responses to text itself.
_STEPS_OF_A_TEXT_RESPONSE = (
    "__init__",
    "_start_with_fresh_headers",
    "set_data",
    "status",
    "__call__",
    "get_wsgi_response",
    "get_wsgi_headers",
    "get_app_iter",
    "_body_needs_no_closing",
    "iter_encoded",
    "close",
)


class BaseResponse:
    """An HTTP response: status, headers and a body iterable; a WSGI app.

    ``response`` may be ``str``/``bytes`` (sent as one chunk, with a
    Content-Length) or any iterable of them (streamed).
    """

    #: Whether this class keeps the steps :meth:`_send_text_without_object`
    #: stands for (set for each subclass by ``__init_subclass__``).
    _sends_text_as_base_does = True

    default_status = 200
    default_mimetype: str | None = "text/html"
    #: Join a streamed body into a list when the data is asked for.
    implicit_sequence_conversion = True
    #: Make a relative Location header absolute (off, as in Werkzeug 2.1+).
    autocorrect_location_header = False
    #: Set Content-Length for str/bytes bodies and sequences.
    automatically_set_content_length = True
    #: Module with ``loads``/``dumps`` used by ``get_json``.
    json_module: t.Any = _stdlib_json

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._sends_text_as_base_does = _keeps_methods_of(
            cls, BaseResponse, _STEPS_OF_A_TEXT_RESPONSE
        )

    def __init__(
        self,
        response: t.Iterable[bytes] | bytes | t.Iterable[str] | str | None = None,
        status: int | str | None = None,
        headers: t.Any = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        if status is None:
            status = self.default_status
        self.status = status  # type: ignore[assignment]
        self.direct_passthrough = direct_passthrough
        self._on_close: list[t.Callable[[], t.Any]] = []
        if self._start_with_fresh_headers(response, headers, mimetype, content_type):
            return  # the fast path did what the steps below do for Response("text")
        if isinstance(headers, Headers):
            self.headers = headers
        else:
            self.headers = Headers(headers)
        if content_type is None:
            if mimetype is None and "content-type" not in self.headers:
                mimetype = self.default_mimetype
            if mimetype is not None:
                content_type = get_content_type(mimetype, "utf-8")
        if content_type is not None:
            self.headers["Content-Type"] = content_type
        if response is None:
            self.response: t.Any = []
        elif isinstance(response, (str, bytes, bytearray)):
            self.set_data(response)
        else:
            self.response = response

    def _start_with_fresh_headers(
        self, response: t.Any, headers: t.Any, mimetype: str | None, content_type: str | None
    ) -> bool:
        """Fast path for the usual ``Response("text")``: set the body and
        build its two headers at once; False leaves all to ``__init__``.

        Invariant: with no headers and no content type given, a ``str`` or
        ``bytes`` body, automatic Content-Length on and ``set_data`` not
        overridden, the general steps of ``__init__`` end with exactly
        ``Content-Type`` (from ``mimetype``, else ``default_mimetype``, none
        if both are None) then ``Content-Length``, and the body as one bytes
        chunk.  ``tests/test_fast_paths.py`` compares the two.
        """
        if (
            headers is not None
            or content_type is not None
            or not (response.__class__ is str or response.__class__ is bytes)
            or not self.automatically_set_content_length
            or type(self).set_data is not BaseResponse.set_data
        ):
            return False
        body = response.encode("utf-8") if response.__class__ is str else response
        if mimetype is None:
            mimetype = self.default_mimetype
        self.headers = Headers(_one_body_header_pairs(mimetype, body))
        self.response = [body]
        return True

    def __repr__(self) -> str:
        if self.is_sequence:
            body_info = "%d bytes" % sum(len(x) for x in self.iter_encoded())
        else:
            body_info = "streamed" if self.is_streamed else "likely-streamed"
        return "<%s %s [%s]>" % (type(self).__name__, body_info, self.status)

    # -- status ---------------------------------------------------------------------

    @property
    def status(self) -> str:
        """The status line, e.g. ``"200 OK"``; set with an int or a string."""
        return self._status

    @status.setter
    def status(self, value: int | str) -> None:
        if isinstance(value, int):
            line = _status_lines.get(value)
            self._status = line if line is not None else _status_line_for_code(value)
            self._status_code = int(value)
            return
        if not isinstance(value, str):
            raise TypeError("Invalid status argument")
        value = value.strip()
        if not value:
            raise ValueError("Empty status argument")
        code_text, _, reason = value.partition(" ")
        if code_text.isdigit():
            code = int(code_text)
            if reason:
                self._status = value
            else:
                self._status = _status_line_for_code(code)
            self._status_code = code
        else:
            self._status = "0 " + value
            self._status_code = 0

    @property
    def status_code(self) -> int:
        """The status as an int."""
        return self._status_code

    @status_code.setter
    def status_code(self, code: int) -> None:
        self.status = code

    # -- body -----------------------------------------------------------------------

    def get_data(self, as_text: bool = False) -> bytes | str:
        """The whole body (a streamed body is joined into a list first)."""
        self._ensure_sequence()
        body = b"".join(self.iter_encoded())
        if as_text:
            return body.decode("utf-8")
        return body

    def set_data(self, value: bytes | str) -> None:
        """Replace the body; sets Content-Length."""
        if isinstance(value, str):
            value = value.encode("utf-8")
        elif not isinstance(value, bytes):
            value = bytes(value)
        self.response = [value]
        if self.automatically_set_content_length:
            self.headers["Content-Length"] = str(len(value))

    data = property(get_data, set_data, doc="The body as bytes (``get_data``/``set_data``).")

    @cached_property
    def stream(self) -> ResponseStream:
        """A file-like object; ``response.stream.write(data)`` appends to the body."""
        return ResponseStream(self)

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 text."""
        return self.get_data(as_text=True)  # type: ignore[return-value]

    @property
    def is_streamed(self) -> bool:
        """True when the body has no known length (a generator, say)."""
        try:
            len(self.response)
        except (TypeError, AttributeError):
            return True
        return False

    @property
    def is_sequence(self) -> bool:
        """True when the body is a list or tuple."""
        return isinstance(self.response, (tuple, list))

    def calculate_content_length(self) -> int | None:
        """The body length, or None if it cannot be known without streaming."""
        try:
            self._ensure_sequence()
        except RuntimeError:
            return None
        return sum(len(x) for x in self.iter_encoded())

    def _ensure_sequence(self, mutable: bool = False) -> None:
        if self.is_sequence:
            if mutable and not isinstance(self.response, list):
                self.response = list(self.response)
            return
        if self.direct_passthrough:
            raise RuntimeError(
                "Attempted implicit sequence conversion but the response"
                " object is in direct passthrough mode."
            )
        if not self.implicit_sequence_conversion:
            raise RuntimeError(
                "The response object required the iterable to be a sequence,"
                " but the implicit conversion was disabled. Call"
                " make_sequence() yourself."
            )
        self.make_sequence()

    def make_sequence(self) -> None:
        """Read a streamed body into a list (closing the original iterable)."""
        if not self.is_sequence:
            close = getattr(self.response, "close", None)
            self.response = list(self.iter_encoded())
            if close is not None:
                self.call_on_close(close)

    def iter_encoded(self) -> t.Iterator[bytes]:
        """Iterate the body as bytes (str items are UTF-8 encoded)."""
        return _encode_body_items(self.response)

    def call_on_close(self, func: t.Callable[[], t.Any]) -> t.Callable[[], t.Any]:
        """Run ``func`` when the response is closed; usable as a decorator."""
        self._on_close.append(func)
        return func

    def close(self) -> None:
        """Close the body iterable (if it can be) and run ``call_on_close`` functions."""
        close = getattr(self.response, "close", None)
        if close is not None:
            close()
        for func in self._on_close:
            func()

    def __enter__(self) -> BaseResponse:
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self.close()

    def freeze(self) -> None:
        """Buffer the body, set Content-Length and an ETag (e.g. before caching)."""
        self.response = list(self.iter_encoded())
        self.headers["Content-Length"] = str(sum(map(len, self.response)))
        self.add_etag()

    # -- JSON (handy in tests) ---------------------------------------------------------

    @property
    def is_json(self) -> bool:
        """True if the mimetype is ``application/json`` or ``application/*+json``."""
        mimetype = self.mimetype or ""
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    @property
    def json(self) -> t.Any:
        """The body parsed as JSON, or None if the mimetype is not JSON."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False) -> t.Any:
        """Parse the body as JSON; None if not JSON (unless ``force``)."""
        if not (force or self.is_json):
            return None
        data = self.get_data()
        try:
            return self.json_module.loads(data)
        except (ValueError, RecursionError) as error:
            if not silent:
                if isinstance(error, RecursionError):
                    raise ValueError("the JSON document is nested too deeply") from None
                raise
            return None

    # -- headers ------------------------------------------------------------------------

    @property
    def mimetype(self) -> str | None:
        """The Content-Type without parameters."""
        content_type = self.headers.get("Content-Type")
        if content_type:
            return content_type.split(";", 1)[0].strip()
        return None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.headers["Content-Type"] = get_content_type(value, "utf-8")

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The Content-Type parameters; changing the dict rewrites the header."""

        def on_update(params: dict[str, str]) -> None:
            self.headers["Content-Type"] = dump_options_header(self.mimetype, params)

        params = parse_options_header(self.headers.get("Content-Type", ""))[1]
        return CallbackDict(params, on_update)

    content_type = _response_header_property("Content-Type", "The Content-Type header.")
    content_length = _response_header_property(
        "Content-Length", "The Content-Length header as an int.", int, str
    )
    location = _response_header_property("Location", "The Location header (may be relative).")
    content_location = _response_header_property("Content-Location", "The Content-Location header.")
    content_encoding = _response_header_property("Content-Encoding", "The Content-Encoding header.")
    content_md5 = _response_header_property("Content-MD5", "The Content-MD5 header.")
    accept_ranges = _response_header_property("Accept-Ranges", "The Accept-Ranges header.")
    age = _response_header_property("Age", "The Age header, as a timedelta.", parse_age, dump_age)
    date = _response_header_property(
        "Date", "The Date header, as a datetime.", parse_date, _dump_date_header
    )
    expires = _response_header_property(
        "Expires", "The Expires header, as a datetime.", parse_date, _dump_date_header
    )
    last_modified = _response_header_property(
        "Last-Modified", "The Last-Modified header, as a datetime.", parse_date, _dump_date_header
    )
    retry_after = _response_header_property(
        "Retry-After",
        "The Retry-After header, as a datetime (set seconds or a datetime).",
        _parse_retry_after,
        _dump_retry_after,
    )
    vary = _response_set_header_property("Vary", "The Vary header as a HeaderSet.")
    content_language = _response_set_header_property(
        "Content-Language", "The Content-Language header as a HeaderSet."
    )
    allow = _response_set_header_property("Allow", "The Allow header as a HeaderSet.")
    access_control_allow_credentials = property(
        lambda self: self.headers.get("Access-Control-Allow-Credentials") == "true",
        lambda self, value: (
            self.headers.set("Access-Control-Allow-Credentials", "true")
            if value
            else self.headers.remove("Access-Control-Allow-Credentials")
        ),
        doc="Access-Control-Allow-Credentials, as a bool.",
    )
    access_control_allow_headers = _response_set_header_property(
        "Access-Control-Allow-Headers", "Access-Control-Allow-Headers as a HeaderSet."
    )
    access_control_allow_methods = _response_set_header_property(
        "Access-Control-Allow-Methods", "Access-Control-Allow-Methods as a HeaderSet."
    )
    access_control_allow_origin = _response_header_property(
        "Access-Control-Allow-Origin", "The Access-Control-Allow-Origin header."
    )
    access_control_expose_headers = _response_set_header_property(
        "Access-Control-Expose-Headers", "Access-Control-Expose-Headers as a HeaderSet."
    )
    access_control_max_age = _response_header_property(
        "Access-Control-Max-Age", "Access-Control-Max-Age, in seconds.", int, str
    )
    cross_origin_opener_policy = _response_header_property(
        "Cross-Origin-Opener-Policy",
        "The Cross-Origin-Opener-Policy header, as a ``COOP`` member.",
        COOP,
        _dump_enum_header,
        COOP.UNSAFE_NONE,
    )
    cross_origin_embedder_policy = _response_header_property(
        "Cross-Origin-Embedder-Policy",
        "The Cross-Origin-Embedder-Policy header, as a ``COEP`` member.",
        COEP,
        _dump_enum_header,
        COEP.UNSAFE_NONE,
    )

    @property
    def cache_control(self) -> ResponseCacheControl:
        """The Cache-Control header as a ResponseCacheControl; edits write back."""
        def on_update(cache_control: t.Any) -> None:
            if not cache_control and "cache-control" in self.headers:
                self.headers.remove("Cache-Control")
            elif cache_control:
                self.headers["Cache-Control"] = cache_control.to_header()

        return parse_cache_control_header(
            self.headers.get("Cache-Control"), on_update, ResponseCacheControl
        )

    @property
    def content_range(self) -> ContentRange:
        """The Content-Range header as a ContentRange; edits write back."""
        def on_update(content_range: t.Any) -> None:
            if not content_range:
                self.headers.remove("Content-Range")
            else:
                self.headers["Content-Range"] = content_range.to_header()

        value = parse_content_range_header(self.headers.get("Content-Range"), on_update)
        if value is None:
            value = ContentRange(None, None, None, on_update=on_update)
        return value

    @content_range.setter
    def content_range(self, value: t.Any) -> None:
        if not value:
            self.headers.remove("Content-Range")
        elif isinstance(value, str):
            self.headers["Content-Range"] = value
        else:
            self.headers["Content-Range"] = value.to_header()

    @property
    def www_authenticate(self) -> WWWAuthenticate:
        """The WWW-Authenticate header as a WWWAuthenticate (``basic`` if missing)."""
        header = self.headers.get("WWW-Authenticate")
        value = WWWAuthenticate.from_header(header) if header else None
        if value is None:
            value = WWWAuthenticate("basic")

        def on_update(auth: t.Any) -> None:
            self.www_authenticate = auth

        if hasattr(value, "_on_update"):
            value._on_update = on_update
        return value

    @www_authenticate.setter
    def www_authenticate(self, value: t.Any) -> None:
        if not value:
            self.headers.remove("WWW-Authenticate")
        elif isinstance(value, str):
            self.headers["WWW-Authenticate"] = value
        elif isinstance(value, (list, tuple)):
            self.headers.remove("WWW-Authenticate")
            for item in value:
                self.headers.add("WWW-Authenticate", item.to_header())
        else:
            self.headers["WWW-Authenticate"] = value.to_header()

    @www_authenticate.deleter
    def www_authenticate(self) -> None:
        self.headers.remove("WWW-Authenticate")

    def _csp_property_value(self, name: str) -> t.Any:
        def on_update(csp: t.Any) -> None:
            if not csp:
                self.headers.remove(name)
            else:
                self.headers[name] = csp.to_header()

        return parse_csp_header(self.headers.get(name), on_update)

    def _set_csp_property_value(self, name: str, value: t.Any) -> None:
        if not value:
            self.headers.remove(name)
        elif isinstance(value, str):
            self.headers[name] = value
        else:
            self.headers[name] = value.to_header()

    content_security_policy = property(
        lambda self: self._csp_property_value("Content-Security-Policy"),
        lambda self, value: self._set_csp_property_value("Content-Security-Policy", value),
        doc="The Content-Security-Policy header as a ContentSecurityPolicy.",
    )
    content_security_policy_report_only = property(
        lambda self: self._csp_property_value("Content-Security-Policy-Report-Only"),
        lambda self, value: self._set_csp_property_value(
            "Content-Security-Policy-Report-Only", value
        ),
        doc="The Content-Security-Policy-Report-Only header.",
    )

    # -- cookies --------------------------------------------------------------------------

    #: Warn about cookies larger than this, in bytes (0 turns the warning off).
    max_cookie_size = 4093

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: timedelta | int | None = None,
        expires: str | datetime | int | float | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Add a ``Set-Cookie`` header."""
        self.headers.add(
            "Set-Cookie",
            dump_cookie(
                key,
                value=value,
                max_age=max_age,
                expires=expires,
                path=path,
                domain=domain,
                secure=secure,
                httponly=httponly,
                max_size=self.max_cookie_size,
                samesite=samesite,
                partitioned=partitioned,
            ),
        )

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Tell the client to drop a cookie (expired, empty value)."""
        self.set_cookie(
            key,
            expires=0,
            max_age=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    # -- ETags and conditional requests ------------------------------------------------

    def get_etag(self) -> tuple[str, bool] | tuple[None, None]:
        """``(etag, is_weak)`` from the ETag header, or ``(None, None)``."""
        return unquote_etag(self.headers.get("ETag"))

    def set_etag(self, etag: str, weak: bool = False) -> None:
        """Set the ETag header (quoted; ``W/`` prefix when weak)."""
        self.headers["ETag"] = quote_etag(etag, weak)

    def add_etag(self, overwrite: bool = False, weak: bool = False) -> None:
        """Set an ETag from a hash of the body, unless one is already set."""
        if overwrite or "etag" not in self.headers:
            self.set_etag(generate_etag(self.get_data()), weak)  # type: ignore[arg-type]

    def _is_range_request_processable(self, environ: dict[str, t.Any]) -> bool:
        return (
            "HTTP_IF_RANGE" not in environ
            or not is_resource_modified(
                environ,
                self.headers.get("etag"),
                None,
                self.headers.get("last-modified"),
                ignore_if_range=False,
            )
        ) and "HTTP_RANGE" in environ

    def _process_range_request(
        self, environ: dict[str, t.Any], complete_length: int | None, accept_ranges: str | None
    ) -> bool:
        if (
            accept_ranges is None
            or complete_length is None
            or complete_length == 0
            or not self._is_range_request_processable(environ)
        ):
            return False
        if accept_ranges == "none":
            return False
        parsed = parse_range_header(environ.get("HTTP_RANGE"))
        if parsed is None:
            raise RequestedRangeNotSatisfiable(complete_length)
        range_tuple = parsed.range_for_length(complete_length)
        content_range = parsed.to_content_range_header(complete_length)
        if range_tuple is None or content_range is None:
            raise RequestedRangeNotSatisfiable(complete_length)
        start, stop = range_tuple
        length = stop - start
        self.headers["Content-Length"] = str(length)
        self.headers["Accept-Ranges"] = accept_ranges
        self.content_range = content_range
        self.status_code = 206
        self._slice_body_for_range(start, length)
        return True

    def _slice_body_for_range(self, start: int, length: int) -> None:
        self.response = _RangeBodyIterator(self.response, start, length)

    def make_conditional(
        self,
        request_or_environ: t.Any,
        accept_ranges: bool | str = False,
        complete_length: int | None = None,
    ) -> BaseResponse:
        """Answer conditional and range requests for GET/HEAD.

        304 when If-None-Match / If-Modified-Since say the client is up to
        date, 412 when If-Match fails, 206 with Content-Range for a valid
        single range (needs ``complete_length``), 416 for a bad range.
        """
        environ = getattr(request_or_environ, "environ", request_or_environ)
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            if "date" not in self.headers:
                self.headers["Date"] = http_date()
            if accept_ranges is True:
                cleaned_ranges: str | None = "bytes"
            elif accept_ranges is False:
                cleaned_ranges = "none"
            elif isinstance(accept_ranges, str):
                cleaned_ranges = accept_ranges
            else:
                raise ValueError("Invalid accept_ranges value")
            is206 = self._process_range_request(environ, complete_length, cleaned_ranges)
            if cleaned_ranges != "none" and "accept-ranges" not in self.headers:
                self.headers["Accept-Ranges"] = cleaned_ranges
            if not is206 and not is_resource_modified(
                environ, self.headers.get("etag"), None, self.headers.get("last-modified")
            ):
                if parse_etags(environ.get("HTTP_IF_MATCH")):
                    self.status_code = 412
                else:
                    self.status_code = 304
            if self.automatically_set_content_length and "content-length" not in self.headers:
                length = self.calculate_content_length()
                if length is not None:
                    self.headers["Content-Length"] = str(length)
        return self

    # -- WSGI ---------------------------------------------------------------------------------

    def get_wsgi_headers(self, environ: dict[str, t.Any]) -> Headers:
        """The headers to send for ``environ``.

        Location and Content-Location are made ASCII, a sequence body gets
        its Content-Length, and a status that has no body loses the headers
        that would describe one.  ``self.headers`` is never changed: when
        something must change, a fixed copy is returned.
        """
        headers = self.headers
        status = self._status_code
        location = content_location = content_length = None
        for key, value in headers:
            lower = key.lower()
            if lower == "location":
                location = value
            elif lower == "content-location":
                content_location = value
            elif lower == "content-length":
                content_length = value
        no_body = 100 <= status < 200 or status == 204 or status == 304
        needs_length = (
            content_length is None
            and self.automatically_set_content_length
            and not no_body
            and self.is_sequence
        )
        if location is None and content_location is None and not no_body and not needs_length:
            return headers
        headers = Headers(headers)
        if location is not None:
            if self.autocorrect_location_header:
                base = iri_to_uri(_current_url_of_environ(environ, strip_querystring=True))
                location = urljoin(base, location)
            headers["Location"] = iri_to_uri(location)
        if content_location is not None:
            headers["Content-Location"] = iri_to_uri(content_location)
        if 100 <= status < 200 or status == 204:
            headers.remove("Content-Length")
            if status == 204:
                # A 204 has no content, so no content type (wsgiref.validate agrees).
                headers.remove("Content-Type")
        elif status == 304:
            remove_entity_headers(headers)
        if needs_length:
            headers["Content-Length"] = str(sum(len(x) for x in self.iter_encoded()))
        return headers

    def get_app_iter(self, environ: dict[str, t.Any]) -> t.Iterable[bytes]:
        """The body iterable for ``environ``: empty for HEAD, 1xx, 204 and
        304; closing it closes the response (``call_on_close`` functions run)."""
        status = self._status_code
        if (
            environ.get("REQUEST_METHOD") == "HEAD"
            or 100 <= status < 200
            or status == 204
            or status == 304
        ):
            iterable: t.Iterable[bytes] = ()
        elif self.direct_passthrough or self._body_needs_no_closing():
            return self.response  # type: ignore[no-any-return]
        else:
            iterable = self.iter_encoded()
        return ClosingIterator(iterable, self.close)

    def _body_needs_no_closing(self) -> bool:
        """Fast path: True when the body list itself can go to the server.

        Invariant: for a body that is a list of one ``bytes`` chunk, no
        ``call_on_close`` functions, and ``close`` and ``iter_encoded`` not
        overridden, the ``ClosingIterator`` the general path makes yields
        exactly that chunk, and closing it does nothing (a list has no
        ``close``; there are no callbacks).  ``tests/test_fast_paths.py``
        compares the two.
        """
        body = self.response
        return (
            body.__class__ is list
            and len(body) == 1
            and body[0].__class__ is bytes
            and not self._on_close
            and type(self).close is BaseResponse.close
            and type(self).iter_encoded is BaseResponse.iter_encoded
        )

    def get_wsgi_response(
        self, environ: dict[str, t.Any]
    ) -> tuple[t.Iterable[bytes], str, list[tuple[str, str]]]:
        """``(app_iter, status, header list)`` ready for ``start_response``."""
        headers = self.get_wsgi_headers(environ)
        app_iter = self.get_app_iter(environ)
        return app_iter, self._status, headers.to_wsgi_list()

    def __call__(
        self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
    ) -> t.Iterable[bytes]:
        """Send the response: the WSGI application interface."""
        app_iter, status, headers = self.get_wsgi_response(environ)
        start_response(status, headers)
        return app_iter

    @classmethod
    def _send_text_without_object(
        cls, body: bytes, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
    ) -> t.Iterable[bytes]:
        """Fast path: send what ``cls(text)(environ, start_response)`` sends,
        given ``body``, the text encoded as UTF-8 (the caller encodes it
        where an error can still be handled), without building the object.

        Invariant: for a class that keeps this class's steps for a text body
        (:attr:`_sends_text_as_base_does`), with ``default_status`` 200 and
        automatic Content-Length, that response starts ``200 OK`` with
        Content-Type (from ``default_mimetype``; none when that is None) then
        Content-Length, and its body is the UTF-8 text, nothing for HEAD.
        Only for callers that know nothing else would see the object (the
        app checks: :meth:`Flask._text_needs_no_response_object`).
        ``tests/test_fast_paths.py`` compares the two.
        """
        start_response("200 OK", _one_body_header_pairs(cls.default_mimetype, body))
        if environ.get("REQUEST_METHOD") == "HEAD":
            return ()
        return [body]

    @classmethod
    def force_type(cls, response: t.Any, environ: dict[str, t.Any] | None = None) -> BaseResponse:
        """Make ``response`` an instance of ``cls`` (a WSGI app is run first)."""
        if not isinstance(response, BaseResponse):
            if environ is None:
                raise TypeError(
                    "cannot convert WSGI application into response objects without an environ"
                )
            response = BaseResponse(*_run_wsgi_app_for_response(response, environ, False))
        response.__class__ = cls
        return response

    @classmethod
    def from_app(
        cls, app: t.Callable[..., t.Any], environ: dict[str, t.Any], buffered: bool = False
    ) -> BaseResponse:
        """Run a WSGI app and wrap what it returns in a response."""
        return cls(*_run_wsgi_app_for_response(app, environ, buffered))


# Werkzeug's names.  The class statements say BaseRequest and BaseResponse
# (Werkzeug 1's names for these classes) because the single-file bundle holds
# Flask's Request and Response, the package's public ones, in the same
# namespace; reprs and tracebacks show Werkzeug's names.
BaseRequest.__name__ = BaseRequest.__qualname__ = "Request"
BaseResponse.__name__ = BaseResponse.__qualname__ = "Response"
Request = BaseRequest
Response = BaseResponse
