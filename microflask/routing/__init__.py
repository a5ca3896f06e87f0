"""URL routing: rules, converters, the URL map and its adapter (what
Werkzeug calls ``werkzeug.routing``).

    url_map = Map([Rule("/", endpoint="index"), Rule("/user/<int:id>", endpoint="user")])
    adapter = url_map.bind("example.com")
    adapter.match("/user/42")            # ("user", {"id": 42})
    adapter.build("user", {"id": 7})     # "/user/7"

Literal URLs are found with one dict look-up and URLs with variables by
walking a trie of path segments, so matching costs about the same with 10
rules or 1,000.  See :mod:`microflask.routing.matcher` for the priority
rules that decide between competing rules.
"""

from __future__ import annotations

from microflask.routing.converters import (
    DEFAULT_CONVERTERS,
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    NumberConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
    ValidationError,
)
from microflask.routing.exceptions import (
    BuildError,
    NoMatch,
    RequestAliasRedirect,
    RequestPath,
    RequestRedirect,
    RoutingException,
    WebsocketMismatch,
)
from microflask.routing.map import Map, MapAdapter
from microflask.routing.matcher import SegmentTrieMatcher
from microflask.routing.rules import (
    EndpointPrefix,
    Rule,
    RuleFactory,
    RuleTemplate,
    RuleTemplateFactory,
    Subdomain,
    Submount,
    parse_converter_args,
)

default_converters = DEFAULT_CONVERTERS

__all__ = [
    "AnyConverter",
    "BaseConverter",
    "BuildError",
    "DEFAULT_CONVERTERS",
    "EndpointPrefix",
    "FloatConverter",
    "IntegerConverter",
    "Map",
    "MapAdapter",
    "NoMatch",
    "NumberConverter",
    "PathConverter",
    "RequestAliasRedirect",
    "RequestPath",
    "RequestRedirect",
    "RoutingException",
    "Rule",
    "RuleFactory",
    "RuleTemplate",
    "RuleTemplateFactory",
    "SegmentTrieMatcher",
    "Subdomain",
    "Submount",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
    "WebsocketMismatch",
    "default_converters",
    "parse_converter_args",
]
