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

Priority, which decides the winner when several rules fit a URL:

1. at each segment, literal text beats a variable;
2. among variable parts: parts within one segment beat slash-spanning ones
   (``path``), then more literal text in the part wins (``v<int:n>`` over
   ``<n>``), then fewer variables, then lighter converter weights
   (int/float 50 < string/uuid/any 100 < path 200);
3. equal parts and rules ending at the same node keep the order they were
   added in.

A rule whose converter rejects the value (``ValidationError``) does not
match, and the search moves on to the next candidate.
"""

from __future__ import annotations

import typing as t

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


def _trie_rules_first_fit(
    rules: list[Rule], raw: tuple[str, ...], method: str, websocket: bool
) -> tuple[Rule, dict[str, t.Any]] | None:
    for rule in rules:
        methods = rule.methods
        if methods is not None and method not in methods:
            continue
        if rule.websocket != websocket:
            continue
        values = rule._convert_matched(raw)
        if values is not None:
            return rule, values
    return None


def _trie_first_match(
    node: _TrieNode,
    parts: list[str],
    count: int,
    raw: tuple[str, ...],
    method: str,
    websocket: bool,
) -> tuple[Rule, dict[str, t.Any]] | None:
    """Depth-first search for the first rule that fits path and method.

    A loop rather than recursion (it is the hot path): descending into a
    child pushes a resume point only when the node has alternatives left,
    which most nodes do not."""
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
                        return rule, values
        else:
            segment = parts[index]
            dynamic = node.dynamic
            if next_dynamic < 0:
                child = node.static.get(segment)
                if child is not None:
                    if dynamic:
                        backtrack.append((node, index, raw, 0))
                    node = child
                    index += 1
                    continue
                next_dynamic = 0
            descended = False
            size = len(dynamic)
            while next_dynamic < size:
                simple, test, part, child = dynamic[next_dynamic]
                next_dynamic += 1
                if simple:
                    if not test(segment):
                        continue
                    values = (segment,)
                elif part.final:
                    values = part.read_values("/".join(parts[index:]))
                    if values is not None:
                        found = _trie_rules_first_fit(
                            child.rules, raw + values, method, websocket
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
                raw = raw + values
                next_dynamic = -1
                descended = True
                break
            if descended:
                continue
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
    """Collect every rule whose pattern fits the path, whatever its method."""
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
    for _simple, _fullmatch, part, child in node.dynamic:
        if part.final:
            values = part.read_values("/".join(parts[index:]))
            if values is not None:
                _trie_all_matches(child, parts, len(parts), raw + values, found)
        else:
            values = part.read_values(segment)
            if values is not None:
                _trie_all_matches(child, parts, index + 1, raw + values, found)


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
    ) -> tuple[Rule, dict[str, t.Any]] | None:
        """The best rule for a request, or None.  ``path`` has no leading
        slash (``"user/42"``); it and ``domain`` are decoded text."""
        by_path = self.static_routes.get(domain)
        if by_path is not None:
            rules = by_path.get(path)
            if rules is not None:
                for rule in rules:
                    methods = rule.methods
                    if (methods is None or method in methods) and rule.websocket == websocket:
                        return rule, dict(rule.defaults) if rule.defaults else {}
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
