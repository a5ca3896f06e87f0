"""The rule matcher: a trie over ``/``-separated path segments (Werkzeug
has a ``StateMachineMatcher`` in ``werkzeug.routing.matcher`` for the same
job).

Each node of the trie stands for a path prefix.  A node holds

- ``static``: a dict from literal segment text to the next node, so any
  number of literal routes costs one dict look-up per segment;
- ``dynamic``: the parts with variables that may come next, each with its
  own next node, tried in priority order;
- ``rules``: the rules that end here.

The first level is the domain (the subdomain, or the host when the map does
host matching).  Matching walks depth first: at each segment the literal
child is tried before the variable parts, and a dead end backtracks.  So
the cost grows with the depth of the URL, not with the number of rules.

Priority, which decides the winner when several rules fit a URL (the
same outcomes as Werkzeug's on its own test maps):

1. at each segment, literal text beats a variable;
2. variable parts are tried in this order: more pieces of literal text
   first (so ``/<path:name>/edit`` beats ``/<a>/<b>/<c>``, and ``v<int:n>``
   beats ``<n>``; slashes are not literal text here), then longer literal
   pieces, earliest first, then more variables, then
   lighter converter weights (int/float 50 < string/uuid/any 100 < path
   200), so ``<int:n>`` beats ``<n>`` which beats ``<path:p>``;
3. equal parts and rules ending at the same node keep the order they were
   added in.

A rule whose converter rejects the value (``ValidationError``) does not
match, and the search moves on to the next candidate.
"""

from __future__ import annotations

import typing as t
from types import MappingProxyType

from microflask.routing.rules import Rule, _RoutePart

__all__ = ["SegmentTrieMatcher"]


def _segment_test(part: _RoutePart) -> t.Callable[[str], t.Any]:
    """A callable that is truthy when a whole segment fits a one-variable
    part.  The stock regexes get an equivalent cheaper test: a segment never
    holds "/", so ``[^/]+`` only needs it non-empty, and ``\\d`` means the
    Unicode digits that ``str.isdecimal`` accepts."""
    source = part.pattern.pattern
    if source == "(?:[^/]+)" or source == "(?:[^/]{1,})":
        return len
    if source == "(?:\\d+)":
        return str.isdecimal
    return part.pattern.fullmatch


class _TrieNode:
    """One path prefix: literal children, variable children, ending rules."""

    __slots__ = ("static", "dynamic", "rules")

    def __init__(self) -> None:
        self.static: dict[str, _TrieNode] = {}
        # (simple, test, part, child): "simple" parts are one variable
        # filling the segment, whose value is the segment itself, and
        # test(segment) says whether it fits.
        self.dynamic: list[tuple[bool, t.Any, _RoutePart, _TrieNode]] = []
        self.rules: list[Rule] = []

    def child_for(self, part: str | _RoutePart) -> _TrieNode:
        if isinstance(part, str):
            child = self.static.get(part)
            if child is None:
                child = self.static[part] = _TrieNode()
            return child
        for _simple, _fullmatch, existing, child in self.dynamic:
            if existing.match_key == part.match_key:
                return child
        child = _TrieNode()
        self.dynamic.append((part.simple, _segment_test(part), part, child))
        # list.sort is stable: equal parts stay in the order they came.
        self.dynamic.sort(key=lambda entry: entry[2].sort_key)
        return child


# What a search returns: the rule, its converted values, and whether the
# client must be redirected to the URL with a "/" added (strict slashes).
_TrieMatch = t.Tuple[Rule, t.Dict[str, t.Any], bool]


def _trie_rules_first_fit(
    rules: list[Rule],
    raw: tuple[str, ...],
    method: str,
    websocket: bool,
    add_slash: bool = False,
) -> _TrieMatch | None:
    """The first of ``rules`` that takes the method and converts the values."""
    for rule in rules:
        methods = rule.methods
        if methods is not None and method not in methods:
            continue
        if rule.websocket != websocket:
            continue
        values = rule._convert_matched(raw)
        if values is not None:
            return rule, values, add_slash and rule.strict_slashes
    return None


def _trie_slash_rules_fit(
    node: _TrieNode, raw: tuple[str, ...], method: str, websocket: bool
) -> _TrieMatch | None:
    """The path ended at ``node`` without a rule: a rule for the same path
    plus "/" answers (strict: with a redirect to it)."""
    slash_child = node.static.get("")
    if slash_child is None or not slash_child.rules:
        return None
    return _trie_rules_first_fit(slash_child.rules, raw, method, websocket, True)


def _trie_final_part_fit(
    part: _RoutePart,
    child: _TrieNode,
    rest: str,
    raw: tuple[str, ...],
    method: str,
    websocket: bool,
) -> _TrieMatch | None:
    """Match a slash-spanning part against the whole rest of the path."""
    values = part.read_values(rest)
    if values is not None and child.rules:
        found = _trie_rules_first_fit(child.rules, raw + values, method, websocket)
        if found is not None:
            return found
    slash_child = child.static.get("")
    if slash_child is None:
        return None
    if rest.endswith("/"):
        values = part.read_values(rest[:-1])
        if values is not None:
            return _trie_rules_first_fit(slash_child.rules, raw + values, method, websocket)
    elif values is not None:
        return _trie_rules_first_fit(slash_child.rules, raw + values, method, websocket, True)
    return None


def _trie_first_match(
    node: _TrieNode,
    parts: list[str],
    count: int,
    raw: tuple[str, ...],
    method: str,
    websocket: bool,
) -> _TrieMatch | None:
    """Depth-first search for the first rule that fits path and method.

    A loop rather than recursion (it is the hot path): descending into a
    child pushes a resume point only when the node has alternatives left,
    which most nodes do not.  Slashes are settled where Werkzeug settles
    them, before backtracking: a path that ends where only "path/" has a
    rule redirects there, and "path/" matches a non-strict "path" rule."""
    backtrack: list[tuple[_TrieNode, int, tuple[str, ...], int]] = []
    index = 0
    next_dynamic = -1  # -1: literal child not tried yet at this node
    while True:
        if index == count:
            rules = node.rules
            if rules:
                for rule in rules:
                    methods = rule.methods
                    if methods is not None and method not in methods:
                        continue
                    if rule.websocket != websocket:
                        continue
                    values = rule._convert_matched(raw)
                    if values is not None:
                        return rule, values, False
            found = _trie_slash_rules_fit(node, raw, method, websocket)
            if found is not None:
                return found
        else:
            segment = parts[index]
            dynamic = node.dynamic
            if next_dynamic < 0:
                child = node.static.get(segment)
                if child is not None:
                    if dynamic or not segment:
                        backtrack.append((node, index, raw, 0))
                    node = child
                    index += 1
                    continue
                next_dynamic = 0
            if next_dynamic == 0 and not segment and index + 1 == count and node.rules:
                # "path/" asked, a rule for "path" that does not mind.
                for rule in node.rules:
                    if not rule.strict_slashes:
                        found = _trie_rules_first_fit([rule], raw, method, websocket)
                        if found is not None:
                            return found
            size = len(dynamic)
            while next_dynamic < size:
                simple, test, part, child = dynamic[next_dynamic]
                next_dynamic += 1
                if simple:
                    if not test(segment):
                        continue
                    values = (segment,)
                elif part.final:
                    found = _trie_final_part_fit(
                        part, child, "/".join(parts[index:]), raw, method, websocket
                    )
                    if found is not None:
                        return found
                    continue
                else:
                    values = part.read_values(segment)
                    if values is None:
                        continue
                if next_dynamic < size:
                    backtrack.append((node, index, raw, next_dynamic))
                node = child
                index += 1
                raw += values
                next_dynamic = -1
                break
            else:
                # No variable part fits this segment: back up.
                if not backtrack:
                    return None
                node, index, raw, next_dynamic = backtrack.pop()
            continue
        # The path ended here without a rule: back up.
        if not backtrack:
            return None
        node, index, raw, next_dynamic = backtrack.pop()


def _trie_all_matches(
    node: _TrieNode,
    parts: list[str],
    index: int,
    raw: tuple[str, ...],
    found: list[tuple[Rule, dict[str, t.Any]]],
) -> None:
    """Collect every rule whose pattern fits the path exactly, whatever its
    method (used to explain a failure as 405 or a websocket mismatch)."""
    if index == len(parts):
        for rule in node.rules:
            values = rule._convert_matched(raw)
            if values is not None:
                found.append((rule, values))
        return
    segment = parts[index]
    child = node.static.get(segment)
    if child is not None:
        _trie_all_matches(child, parts, index + 1, raw, found)
    for _simple, _test, part, child in node.dynamic:
        if part.final:
            rest = "/".join(parts[index:])
            values = part.read_values(rest)
            if values is not None:
                _trie_all_matches(child, parts, len(parts), raw + values, found)
            slash_child = child.static.get("")
            if slash_child is not None and rest.endswith("/"):
                values = part.read_values(rest[:-1])
                if values is not None:
                    _trie_all_matches(slash_child, parts, len(parts), raw + values, found)
        else:
            values = part.read_values(segment)
            if values is not None:
                _trie_all_matches(child, parts, index + 1, raw + values, found)


_NO_STATIC_ROUTES: t.Mapping[str, list[Rule]] = MappingProxyType({})


def _trie_static_fit(rules: list[Rule], method: str, websocket: bool) -> _TrieMatch | None:
    """The first of the rules for a literal path that takes the method."""
    for rule in rules:
        methods = rule.methods
        if (methods is None or method in methods) and rule.websocket == websocket:
            return rule, dict(rule.defaults) if rule.defaults else {}, False
    return None


class SegmentTrieMatcher:
    """Finds the rule for a (domain, path, method).  Rules made only of
    literal text are also indexed in a plain dict for a one-step answer."""

    def __init__(self) -> None:
        self.root = _TrieNode()
        # domain -> path without leading "/" -> rules, in the order added.
        self.static_routes: dict[str, dict[str, list[Rule]]] = {}

    def add(self, rule: Rule) -> None:
        node = self.root.child_for(rule._domain_part)
        for part in rule._path_parts:
            node = node.child_for(part)
        node.rules.append(rule)
        if rule._static_key is not None:
            domain, path = rule._static_key
            self.static_routes.setdefault(domain, {}).setdefault(path, []).append(rule)

    def match(
        self, domain: str, path: str, method: str, websocket: bool = False
    ) -> _TrieMatch | None:
        """The best rule for a request as ``(rule, values, add_slash)``, or
        None.  ``path`` has no leading slash (``"user/42"``); it and
        ``domain`` are decoded text."""
        by_path = self.static_routes.get(domain)
        if by_path is not None:
            rules = by_path.get(path)
            if rules is not None:
                found = _trie_static_fit(rules, method, websocket)
                if found is not None:
                    return found
        return self.match_tree(domain, path, method, websocket)

    def static_routes_for(self, domain: str) -> t.Mapping[str, list[Rule]]:
        """The literal-path index of one domain, for an adapter to keep.
        A domain without literal rules gets a shared empty mapping rather
        than a new entry: hosts come from requests, and must not grow the
        index.  (Rules added later are still found through the trie.)"""
        return self.static_routes.get(domain, _NO_STATIC_ROUTES)

    def path_matcher_for(
        self, domain: str
    ) -> t.Callable[[str, str, bool], _TrieMatch | None]:
        """``match_tree`` with the domain step done once, for an adapter:
        ``function(path, method, websocket)``."""
        root = self.root
        node = root.static.get(domain)
        if node is None:
            return lambda path, method, websocket: self.match_tree(
                domain, path, method, websocket
            )

        def match_path(path: str, method: str, websocket: bool) -> _TrieMatch | None:
            parts = path.split("/")
            found = _trie_first_match(node, parts, len(parts), (), method, websocket)
            if found is None and root.dynamic:
                # Rules for variable domains ("<user>") come after this one.
                return self.match_tree(domain, path, method, websocket)
            return found

        return match_path

    def match_tree(
        self, domain: str, path: str, method: str, websocket: bool = False
    ) -> _TrieMatch | None:
        """:meth:`match` without the literal-path index."""
        parts = path.split("/")
        count = len(parts)
        root = self.root
        child = root.static.get(domain)
        if child is not None:
            found = _trie_first_match(child, parts, count, (), method, websocket)
            if found is not None:
                return found
        for _simple, _fullmatch, part, child in root.dynamic:
            values = part.read_values(domain)
            if values is not None:
                found = _trie_first_match(child, parts, count, values, method, websocket)
                if found is not None:
                    return found
        return None

    def all_matches(self, domain: str, path: str) -> list[tuple[Rule, dict[str, t.Any]]]:
        """Every rule whose pattern fits, ignoring method and websocket;
        used only after :meth:`match` failed, to explain why (405, 400)."""
        found: list[tuple[Rule, dict[str, t.Any]]] = []
        parts = path.split("/")
        child = self.root.static.get(domain)
        if child is not None:
            _trie_all_matches(child, parts, 0, (), found)
        for _simple, _fullmatch, part, child in self.root.dynamic:
            values = part.read_values(domain)
            if values is not None:
                _trie_all_matches(child, parts, 0, values, found)
        return found
