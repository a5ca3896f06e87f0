"""The URL map and its per-request adapter (what Werkzeug calls
``werkzeug.routing.map``).

:class:`Map` holds the rules of an application.  :meth:`Map.bind` (or
:meth:`Map.bind_to_environ` for a WSGI request) gives a :class:`MapAdapter`
that knows the server name, script root, subdomain and scheme, and answers
two questions: which rule does this URL match (:meth:`MapAdapter.match`),
and what is the URL of this endpoint (:meth:`MapAdapter.build`).
"""

from __future__ import annotations

import re
import typing as t
from _thread import allocate_lock as _routing_thread_allocate_lock
from bisect import bisect_right
from urllib.parse import urljoin

from microflask.datastructures import ImmutableDict
from microflask.exceptions import BadHost, HTTPException, MethodNotAllowed, NotFound
from microflask.http import _wsgi_str_to_text
from microflask.routing.converters import DEFAULT_CONVERTERS, _quote_url_path
from microflask.routing.exceptions import (
    BuildError,
    NoMatch,
    RequestPath,
    RequestRedirect,
    WebsocketMismatch,
)
from microflask.routing.matcher import SegmentTrieMatcher
from microflask.routing.rules import (
    _RULE_VARIABLE_RE,
    Rule,
    RuleFactory,
    _routing_encode_query,
)

__all__ = ["Map", "MapAdapter"]

_HOST_CONTROL_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")


def _routing_environ_host(environ: t.Mapping[str, t.Any]) -> str:
    """The request's host, lower-cased, without the scheme's default port."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "")
        port = str(environ.get("SERVER_PORT", ""))
        if port:
            host = f"{host}:{port}"
    if _HOST_CONTROL_CHARACTERS.search(host):
        # A garbage Host: escaped, so URLs built from it (redirects) stay valid header text.
        host = _HOST_CONTROL_CHARACTERS.sub(lambda m: "%%%02X" % ord(m.group()), host)
    return _routing_strip_default_port(host.lower(), scheme)


def _routing_strip_default_port(host: str, scheme: str) -> str:
    if scheme in ("http", "ws") and host.endswith(":80"):
        return host[:-3]
    if scheme in ("https", "wss") and host.endswith(":443"):
        return host[:-4]
    return host


class Map:
    """The rules of an application, and the options they share.

    ``strict_slashes`` redirects ``/docs`` to a ``/docs/`` rule;
    ``merge_slashes`` redirects ``/a//b`` to ``/a/b``; ``redirect_defaults``
    redirects a URL whose values equal the defaults of another rule of the
    same endpoint to that rule's URL; ``converters`` adds to (or replaces)
    :attr:`default_converters`; ``host_matching`` matches ``Rule(host=...)``
    against the full host instead of rule subdomains.
    """

    default_converters: t.Mapping[str, type] = ImmutableDict(DEFAULT_CONVERTERS)
    #: The lock type Werkzeug's map guards its rule updates with.
    lock_class = _routing_thread_allocate_lock

    def __init__(
        self,
        rules: t.Iterable[RuleFactory] | None = None,
        default_subdomain: str = "",
        strict_slashes: bool = True,
        merge_slashes: bool = True,
        redirect_defaults: bool = True,
        converters: t.Mapping[str, type] | None = None,
        sort_parameters: bool = False,
        sort_key: t.Callable[[t.Any], t.Any] | None = None,
        host_matching: bool = False,
    ) -> None:
        self._matcher = SegmentTrieMatcher(merge_slashes)
        self._rules_by_endpoint: dict[t.Any, list[Rule]] = {}
        self._build_keys_by_endpoint: dict[t.Any, list[tuple[int, int, int]]] = {}
        self._endpoints_with_defaults: set[t.Any] = set()
        self._all_rules: list[Rule] | None = []
        self._remap = True
        self.default_subdomain = default_subdomain
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.redirect_defaults = redirect_defaults
        self.host_matching = host_matching
        self.converters: dict[str, type] = dict(self.default_converters)
        if converters:
            self.converters.update(converters)
        self.sort_parameters = sort_parameters
        self.sort_key = sort_key
        for rulefactory in rules or ():
            self.add(rulefactory)

    @property
    def _rules(self) -> list[Rule]:
        """All rules, grouped by endpoint, in building order."""
        if self._all_rules is None:
            self._all_rules = [
                rule for rules in self._rules_by_endpoint.values() for rule in rules
            ]
        return self._all_rules

    def is_endpoint_expecting(self, endpoint: t.Any, *arguments: str) -> bool:
        """Does some rule of ``endpoint`` take all of ``arguments``?"""
        wanted = set(arguments)
        return any(wanted <= rule.arguments for rule in self._rules_by_endpoint[endpoint])

    def iter_rules(self, endpoint: t.Any = None) -> t.Iterator[Rule]:
        """Iterate over all rules, or those of one endpoint (KeyError if none)."""
        if endpoint is not None:
            return iter(self._rules_by_endpoint[endpoint])
        return iter(self._rules)

    def add(self, rulefactory: RuleFactory) -> None:
        """Add a rule (or every rule of a factory).  The rule is parsed now,
        so a bad pattern or an unknown converter fails here."""
        for rule in rulefactory.get_rules(self):
            rule.bind(self)
            if not rule.build_only:
                self._matcher.add(rule)
            # Keep each endpoint's rules in building order; bisect_right
            # puts a rule after equal ones, so ties keep the order added.
            same_endpoint = self._rules_by_endpoint.setdefault(rule.endpoint, [])
            keys = self._build_keys_by_endpoint.setdefault(rule.endpoint, [])
            key = rule.build_compare_key()
            position = bisect_right(keys, key)
            keys.insert(position, key)
            same_endpoint.insert(position, rule)
            rule._may_redirect = bool(rule.redirect_to is not None or rule.alias)
            if rule.defaults:
                self._endpoints_with_defaults.add(rule.endpoint)
            if rule.endpoint in self._endpoints_with_defaults:
                self._mark_default_redirects(same_endpoint)
            self._all_rules = None
        self._remap = True

    @staticmethod
    def _mark_default_redirects(same_endpoint: list[Rule]) -> None:
        """Flag the rules whose URL redirects to an earlier rule of the
        endpoint that provides their values as defaults (``/page/1`` to
        ``/page/``), so matching checks that only for them."""
        for position, later in enumerate(same_endpoint):
            later._has_default_provider = any(
                earlier.provides_defaults_for(later) for earlier in same_endpoint[:position]
            )
            later._may_redirect = bool(
                later.redirect_to is not None or later.alias or later._has_default_provider
            )

    def update(self) -> None:
        """Kept for compatibility: rules are indexed as they are added."""
        self._remap = False

    def bind(
        self,
        server_name: str,
        script_name: str | None = None,
        subdomain: str | None = None,
        url_scheme: str = "http",
        default_method: str = "GET",
        path_info: str | None = None,
        query_args: t.Any = None,
    ) -> MapAdapter:
        """An adapter for requests to ``server_name`` (a host, with port if
        not the default).  ``subdomain`` defaults to the map's default."""
        server_name = server_name.lower()
        if self.host_matching:
            if subdomain is not None:
                raise RuntimeError("host matching enabled and a subdomain was provided")
        elif subdomain is None:
            subdomain = self.default_subdomain
        if script_name is None:
            script_name = "/"
        if path_info is None:
            path_info = "/"
        if not server_name.isascii():
            try:
                # IDNA limits each label to 63 characters: the port is no label.
                host, colon, port = server_name.rpartition(":")
                if not colon or not port.isdigit():
                    host, colon, port = server_name, "", ""
                server_name = host.encode("idna").decode("ascii") + colon + port
            except UnicodeError as error:
                raise BadHost() from error
        return MapAdapter(
            self,
            server_name,
            script_name,
            subdomain,
            url_scheme,
            path_info,
            default_method,
            query_args,
        )

    def bind_to_environ(
        self,
        environ: t.Any,
        server_name: str | None = None,
        subdomain: str | None = None,
    ) -> MapAdapter:
        """An adapter for one WSGI request (an environ, or an object with
        ``.environ`` such as a Request).  Without ``server_name`` the Host
        header is used.  Without ``subdomain`` it is what the host has in
        front of ``server_name``; a host that does not end in
        ``server_name`` gets the subdomain ``"<invalid>"`` (so only rules
        for any subdomain can match) and a warning."""
        env = getattr(environ, "environ", environ)
        wsgi_server_name = _routing_environ_host(env)
        scheme = env.get("wsgi.url_scheme", "http")
        upgrade_to = env.get("HTTP_UPGRADE")
        if upgrade_to and upgrade_to.lower() == "websocket":
            connection = env.get("HTTP_CONNECTION", "").lower()
            if any(token.strip() == "upgrade" for token in connection.split(",")):
                scheme = "wss" if scheme == "https" else "ws"
        if server_name is None:
            server_name = wsgi_server_name
        else:
            server_name = _routing_strip_default_port(server_name.lower(), scheme)
        if subdomain is None and not self.host_matching:
            current = wsgi_server_name.split(".")
            configured = server_name.split(".")
            offset = -len(configured)
            if current[offset:] != configured:
                import warnings

                warnings.warn(
                    f"Current server name {wsgi_server_name!r} doesn't match configured"
                    f" server name {server_name!r}",
                    stacklevel=2,
                )
                subdomain = "<invalid>"
            else:
                subdomain = ".".join(filter(None, current[:offset]))
        path_info = _wsgi_str_to_text(env.get("PATH_INFO", ""))
        script_name = _wsgi_str_to_text(env.get("SCRIPT_NAME", ""))
        return Map.bind(
            self,
            server_name,
            script_name,
            subdomain,
            scheme,
            env.get("REQUEST_METHOD", "GET"),
            path_info,
            query_args=env.get("QUERY_STRING", ""),
        )

    def match_plain(
        self, domain: str, path_info: str, method: str
    ) -> tuple[Rule, dict[str, t.Any]] | None:
        """``(rule, values)`` when ``path_info`` simply matches a rule, else None.

        The request's common case without building an adapter: no redirect,
        no error, no websocket.  None means "ask a bound adapter", which
        gives the full answer (a redirect, 404, 405, ...).
        """
        try:
            rule, values = self._matcher.match(domain, path_info.lstrip("/"), method)
        except (RequestPath, NoMatch):  # a redirect to another path, or no match
            return None
        if rule._may_redirect or (not path_info and rule.strict_slashes):
            return None
        return rule, values

    def __repr__(self) -> str:
        from pprint import pformat

        return f"{type(self).__name__}({pformat(list(self.iter_rules()))})"


def _routing_no_match_error(failure: NoMatch) -> HTTPException:
    """The HTTP error for a path no rule took: 405 with the methods that
    rules for the path take, 400 for a WebSocket mismatch, else 404."""
    if failure.have_match_for:
        return MethodNotAllowed(valid_methods=sorted(failure.have_match_for))
    if failure.websocket_mismatch:
        return WebsocketMismatch()
    return NotFound()


class MapAdapter:
    """A :class:`Map` bound to one server name, script root, subdomain and
    scheme; made by :meth:`Map.bind` and :meth:`Map.bind_to_environ`."""

    def __init__(
        self,
        map: Map,
        server_name: str,
        script_name: str,
        subdomain: str | None,
        url_scheme: str,
        path_info: str,
        default_method: str,
        query_args: t.Any = None,
    ) -> None:
        self.map = map
        self.server_name = server_name
        if not script_name.endswith("/"):
            script_name += "/"
        self.script_name = script_name
        self.subdomain = subdomain
        self.url_scheme = url_scheme
        self.path_info = path_info
        self.default_method = default_method
        self.query_args = query_args
        self.websocket = url_scheme in ("ws", "wss")
        # What the matcher compares rule domains with.
        self._match_domain = server_name if map.host_matching else subdomain

    # -- matching -------------------------------------------------------

    def dispatch(
        self,
        view_func: t.Callable[[t.Any, dict[str, t.Any]], t.Any],
        path_info: str | None = None,
        method: str | None = None,
        catch_http_exceptions: bool = False,
    ) -> t.Any:
        """Match, then call ``view_func(endpoint, values)`` and return its
        result.  A redirect is returned as the exception (a WSGI app); other
        HTTP errors too when ``catch_http_exceptions``, else they propagate."""
        try:
            try:
                endpoint, args = self.match(path_info, method)
            except RequestRedirect as redirect:
                return redirect
            return view_func(endpoint, args)
        except HTTPException as error:
            if catch_http_exceptions:
                return error
            raise

    def match(
        self,
        path_info: str | None = None,
        method: str | None = None,
        return_rule: bool = False,
        query_args: t.Any = None,
        websocket: bool | None = None,
    ) -> tuple[t.Any, dict[str, t.Any]]:
        """Find the rule for ``path_info`` (decoded text) and ``method``.

        Returns ``(endpoint, values)``, or ``(rule, values)`` with
        ``return_rule``.  Raises :class:`NotFound`, :class:`MethodNotAllowed`
        (with the allowed methods), :class:`WebsocketMismatch`, or
        :class:`RequestRedirect` for slash, alias, default and
        ``redirect_to`` redirects (which keep ``query_args``).
        """
        if path_info is None:
            path_info = self.path_info
        method = (method or self.default_method).upper()
        if websocket is None:
            websocket = self.websocket
        domain = self._match_domain
        try:
            rule, values = self.map._matcher.match(
                domain, path_info.lstrip("/"), method, websocket
            )
        except RequestPath as corrected:
            raise RequestRedirect(self._redirect_url(corrected.path_info, query_args)) from None
        except NoMatch as failure:
            raise _routing_no_match_error(failure) from None
        if not path_info and rule.strict_slashes:
            # An empty path (an app mounted at "/app" asked for "/app") is
            # the root URL without its slash.
            raise RequestRedirect(self._redirect_url("/", query_args))
        if rule._may_redirect:
            self._redirect_if_needed(rule, values, method, domain, query_args)
        if return_rule:
            return rule, values
        return rule.endpoint, values

    def _redirect_url(self, path: str, query_args: t.Any) -> str:
        """The absolute URL of a corrected (unquoted) path, with the query."""
        if query_args is None:
            query_args = self.query_args
        return self.make_redirect_url(_quote_url_path(path), query_args)

    def _redirect_if_needed(
        self,
        rule: Rule,
        values: dict[str, t.Any],
        method: str,
        domain: str,
        query_args: t.Any,
    ) -> None:
        """Raise RequestRedirect for ``redirect_to``, alias and defaults rules."""
        if query_args is None:
            query_args = self.query_args
        if rule.redirect_to is not None:
            target = rule.redirect_to
            if isinstance(target, str):
                converters = rule._converters

                def fill_variable(found: t.Any) -> str:
                    name = found.group("variable")
                    value = values[name]
                    if name in converters:
                        return converters[name].to_url(value)
                    return _quote_url_path(str(value))

                target = _RULE_VARIABLE_RE.sub(fill_variable, target)
            else:
                target = target(self, **values)
            if not isinstance(target, str):
                raise TypeError("redirect_to must be a string or return a string")
            base = f"{self.url_scheme or 'http'}://{self.get_host(domain)}{self.script_name}"
            raise RequestRedirect(urljoin(base, target))
        if not self.map.redirect_defaults:
            return
        if rule.alias:
            rule_found = self._partial_build(rule.endpoint, values, method, False)
            if rule_found is not None:
                domain_part, path, _websocket = rule_found
                raise RequestRedirect(self.make_redirect_url(path, query_args, domain_part))
            return
        for other in self.map._rules_by_endpoint[rule.endpoint]:
            if other is rule:
                break
            if other.provides_defaults_for(rule) and other.suitable_for(values, method):
                values.update(other.defaults)  # type: ignore[arg-type]
                built = other.build(values)
                if built is not None:
                    domain_part, path = built
                    raise RequestRedirect(self.make_redirect_url(path, query_args, domain_part))

    def test(self, path_info: str | None = None, method: str | None = None) -> bool:
        """Would :meth:`match` find a rule (a redirect counts as yes)?"""
        try:
            self.match(path_info, method)
        except RequestRedirect:
            pass
        except HTTPException:
            return False
        return True

    def allowed_methods(self, path_info: str | None = None) -> t.Iterable[str]:
        """The methods the URL accepts (empty if it takes any or none)."""
        try:
            self.match(path_info, method="--")
        except MethodNotAllowed as error:
            return error.valid_methods  # type: ignore[return-value]
        except HTTPException:
            pass
        return []

    # -- URLs -----------------------------------------------------------

    def get_host(self, domain_part: str | None) -> str:
        """The host for a rule's domain part (a subdomain, or the whole host
        with host matching); None means the bound one."""
        if self.map.host_matching:
            if domain_part is None:
                return self.server_name
            return domain_part
        subdomain = self.subdomain if domain_part is None else domain_part
        if subdomain:
            return f"{subdomain}.{self.server_name}"
        return self.server_name

    def encode_query_args(self, query_args: t.Any) -> str:
        """A query string from a mapping (or a string, returned as is)."""
        if isinstance(query_args, str):
            return query_args
        if hasattr(query_args, "lists"):
            query_args = list(query_args.lists())
        return _routing_encode_query(query_args)

    def make_redirect_url(
        self, path_info: str, query_args: t.Any = None, domain_part: str | None = None
    ) -> str:
        """An absolute URL for an already-quoted path under the script root."""
        suffix = ""
        if query_args:
            suffix = f"?{self.encode_query_args(query_args)}"
        scheme = self.url_scheme or "http"
        host = self.get_host(domain_part)
        return f"{scheme}://{host}{self.script_name.rstrip('/')}/{path_info.lstrip('/')}{suffix}"

    def _partial_build(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any],
        method: str | None,
        append_unknown: bool,
    ) -> tuple[str, str, bool] | None:
        """Build with the first suitable rule of ``endpoint``: with no
        method, rules for the default method are preferred."""
        if method is None:
            found = self._partial_build(endpoint, values, self.default_method, append_unknown)
            if found is not None:
                return found
        first_fit = None
        for rule in self.map._rules_by_endpoint.get(endpoint, ()):
            if rule.suitable_for(values, method):
                built = rule.build(values, append_unknown)
                if built is not None:
                    found = (built[0], built[1], rule.websocket)
                    # With host matching, a rule for the current host beats
                    # an earlier one for another host (an endpoint served
                    # by several hosts links within the host it is on).
                    if not self.map.host_matching or built[0] == self.server_name:
                        return found
                    if first_fit is None:
                        first_fit = found
        return first_fit

    def build(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any] | None = None,
        method: str | None = None,
        force_external: bool = False,
        append_unknown: bool = True,
        url_scheme: str | None = None,
    ) -> str:
        """The URL of ``endpoint`` with ``values``.

        Values the rule does not use become query arguments (sequences
        repeat the key; None is dropped) unless ``append_unknown`` is false.
        The URL is relative to the server (``/app/user/1``) unless
        ``force_external`` or the rule lives on another subdomain/host.
        Raises :class:`BuildError` when no rule fits.
        """
        if values:
            if hasattr(values, "lists"):
                # A MultiDict keeps None values (the converter decides);
                # only keys without any value are left out.
                values = {
                    key: (items[0] if len(items) == 1 else items)
                    for key, items in values.lists()  # type: ignore[attr-defined]
                    if items
                }
            else:
                values = {key: value for key, value in values.items() if value is not None}
        else:
            values = {}
        built = self._partial_build(endpoint, values, method, append_unknown)
        if built is None:
            raise BuildError(endpoint, values, method, self)
        domain_part, path, websocket = built
        host = self.get_host(domain_part)
        if not url_scheme:
            url_scheme = self.url_scheme
        secure = url_scheme in ("https", "wss")
        if websocket:
            force_external = True
            url_scheme = "wss" if secure else "ws"
        elif url_scheme:
            url_scheme = "https" if secure else "http"
        if not force_external and (
            (self.map.host_matching and host == self.server_name)
            or (not self.map.host_matching and domain_part == self.subdomain)
        ):
            return f"{self.script_name.rstrip('/')}/{path.lstrip('/')}"
        scheme = f"{url_scheme}:" if url_scheme else ""
        return f"{scheme}//{host}{self.script_name[:-1]}/{path.lstrip('/')}"
