"""Exceptions raised while matching and building URLs (what Werkzeug calls
``werkzeug.routing.exceptions``).

Matching signals redirects with exceptions because a redirect is the
answer to the request: ``RequestRedirect`` is an HTTP exception whose
response is a 308 to the corrected URL.  ``BuildError`` explains why
``url_for`` could not build a URL and suggests the likely fix.
"""

from __future__ import annotations

import typing as t

from microflask.exceptions import BadRequest, HTTPException

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.wrappers import Response

__all__ = [
    "RoutingException",
    "RequestRedirect",
    "RequestPath",
    "RequestAliasRedirect",
    "BuildError",
    "WebsocketMismatch",
    "NoMatch",
]


class RoutingException(Exception):
    """Base of the exceptions the router raises for flow control."""


class RequestRedirect(HTTPException, RoutingException):
    """The URL matched, but the client should ask for ``new_url`` instead
    (missing trailing slash, merged slashes, ``redirect_to``, an alias, or
    values equal to another rule's defaults).  308 keeps method and body."""

    code = 308

    def __init__(self, new_url: str) -> None:
        super().__init__(new_url)
        self.new_url = new_url

    def get_response(self, environ: t.Any = None, scope: t.Any = None) -> Response:
        from microflask.utils import redirect

        return redirect(self.new_url, self.code)


class RequestPath(RoutingException):
    """Internal signal: the path should be ``path_info`` instead."""

    def __init__(self, path_info: str) -> None:
        super().__init__()
        self.path_info = path_info


class RequestAliasRedirect(RoutingException):
    """Internal signal: an alias rule matched; redirect to the canonical URL
    of ``endpoint`` built from ``matched_values``."""

    def __init__(self, matched_values: t.Mapping[str, t.Any], endpoint: t.Any) -> None:
        super().__init__()
        self.matched_values = matched_values
        self.endpoint = endpoint


def _routing_similarity(first: str, second: str) -> float:
    """How alike two endpoint names are, from 0.0 to 1.0."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, first, second).ratio()


class BuildError(RoutingException, LookupError):
    """No rule could build a URL for ``endpoint`` with ``values`` (and
    ``method``).  The message names what was asked and, when the adapter is
    known, suggests the closest rule: another endpoint name, the methods
    that rule accepts, or the values it still needs."""

    def __init__(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any],
        method: str | None,
        adapter: t.Any = None,
    ) -> None:
        super().__init__(endpoint, values, method)
        self.endpoint = endpoint
        self.values = values
        self.method = method
        self.adapter = adapter
        self._suggested_cache: t.Any = ...

    @property
    def suggested(self) -> t.Any:
        """The rule closest to what was asked for, or None."""
        if self._suggested_cache is ...:
            self._suggested_cache = self.closest_rule(self.adapter)
        return self._suggested_cache

    def closest_rule(self, adapter: t.Any) -> t.Any:
        """Score every rule of the adapter's map by endpoint-name similarity,
        with a small bonus for accepting the given values and method."""
        if adapter is None or not adapter.map._rules:
            return None
        given = set(self.values or ())
        best_rule = None
        best_score = -1.0
        for rule in adapter.map._rules:
            score = _routing_similarity(str(rule.endpoint), str(self.endpoint))
            if rule.arguments <= given:
                score += 0.01
            # Only a rule that names the method earns this (as Werkzeug).
            if self.method is not None and rule.methods and rule.accepts(self.method):
                score += 0.01
            if score > best_score:
                best_rule, best_score = rule, score
        return best_rule

    def __str__(self) -> str:
        parts = [f"Could not build url for endpoint {self.endpoint!r}"]
        if self.method:
            parts.append(f" ({self.method!r})")
        if self.values:
            parts.append(f" with values {sorted(self.values)!r}")
        parts.append(".")
        rule = self.suggested
        if rule is not None:
            if rule.endpoint == self.endpoint:
                if self.method and not rule.accepts(self.method):
                    parts.append(f" Did you mean to use methods {sorted(rule.methods)!r}?")
                needed = rule.arguments | set(rule.defaults or ())
                missing = needed - set(self.values or ())
                if missing:
                    parts.append(f" Did you forget to specify values {sorted(missing)!r}?")
            else:
                parts.append(f" Did you mean {rule.endpoint!r} instead?")
        return "".join(parts)


class WebsocketMismatch(BadRequest):
    """The URL matched a rule only for the other kind of request: a
    WebSocket rule asked over plain HTTP, or the reverse."""


class NoMatch(Exception):
    """No rule fits the path; a matcher's internal signal.

    ``have_match_for`` holds the methods some rule for this path would take
    (a 405 rather than a 404), ``websocket_mismatch`` whether a rule fits
    but differs in being a WebSocket rule."""

    __slots__ = ("have_match_for", "websocket_mismatch")

    def __init__(self, have_match_for: t.Any, websocket_mismatch: bool) -> None:
        self.have_match_for = have_match_for
        self.websocket_mismatch = websocket_mismatch
