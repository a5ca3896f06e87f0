"""The rule matcher: a trie over ``/``-separated path segments, searched
depth first (Werkzeug's ``StateMachineMatcher`` in
``werkzeug.routing.matcher`` does the same job the same way).

Each node of the trie stands for a path prefix.  A node holds

- ``static``: a dict from literal segment text to the next node, so any
  number of literal routes costs one dict look-up per segment;
- ``dynamic``: the parts with variables that may come next, each with its
  own next node, tried in priority order;
- ``rules``: the rules that end here.

The first level is the domain (the subdomain, or the host when the map does
host matching).  :meth:`SegmentTrieMatcher.match` walks the trie one
segment at a time: the literal child first, then the variable parts, and a
dead end returns to try the next alternative.  So the cost grows with the
depth of the URL, not with the number of rules.  The same walk gives every
answer a request can get: the rule and its values, a redirect for a missing
trailing slash or for slashes to merge (:class:`RequestPath`), or
:class:`NoMatch` with the methods that rules for the path would take (405).

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

from microflask.routing.exceptions import NoMatch, RequestPath
from microflask.routing.rules import _MERGEABLE_SLASHES_RE, Rule, _RoutePart

__all__ = ["SegmentTrieMatcher"]


def _segment_test(part: _RoutePart) -> t.Callable[[str], t.Any]:
    """Fast path: a callable that is truthy exactly when a whole segment
    fits a one-variable part, i.e. equal in truth to
    ``part.pattern.fullmatch``.

    Invariant: a segment never holds "/", so the stock ``[^/]+`` only needs
    it non-empty (``len``), and ``\\d`` means the Unicode decimal digits,
    which are what ``str.isdecimal`` accepts.  Any other regex keeps
    ``fullmatch``."""
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
        for _simple, _test, existing, child in self.dynamic:
            if existing.match_key == part.match_key:
                return child
        child = _TrieNode()
        self.dynamic.append((part.simple, _segment_test(part), part, child))
        # list.sort is stable: equal parts stay in the order they came.
        self.dynamic.sort(key=lambda entry: entry[2].sort_key)
        return child


# A match: the rule and its converted values.
_TrieMatch = tuple[Rule, dict[str, t.Any]]


class _TrieSlashRequired(Exception):
    """Ends a search: the path fits ``rule`` only with a "/" added, and the
    rule has strict slashes, so the answer is a redirect."""

    def __init__(self, rule: Rule) -> None:
        super().__init__()
        self.rule = rule


# What a search is for: the method, whether it is a WebSocket request, and
# a list that collects the rules whose pattern fits but which refuse the
# request (they turn a failure into a 405, or a 400).
_TrieRequest = tuple[str, bool, list[Rule]]


def _trie_walk(
    node: _TrieNode, parts: list[str], index: int, raw: tuple[str, ...], request: _TrieRequest
) -> _TrieMatch | None:
    """Depth-first search from ``node`` for the first rule that fits
    ``parts[index:]`` and takes the request; None if none does.  ``raw``
    holds the text of the variables matched so far.

    Raises :class:`_TrieSlashRequired` when the path ends where only the
    same path plus "/" has a rule with strict slashes."""
    if index == len(parts):
        # The path is used up here: a rule that ends here, else a rule for
        # the path plus "/" (which answers with a redirect to it if it has
        # strict slashes).
        found = _trie_first_taker(node.rules, raw, request)
        if found is None and "" in node.static:
            found = _trie_first_taker(node.static[""].rules, raw, request, False)
            if found is not None and found[0].strict_slashes:
                raise _TrieSlashRequired(found[0])
        return found
    segment = parts[index]
    child = node.static.get(segment)
    if child is not None:
        found = _trie_walk(child, parts, index + 1, raw, request)
        if found is not None:
            return found
    for simple, test, part, child in node.dynamic:
        if simple:
            if not test(segment):
                continue
            found = _trie_walk(child, parts, index + 1, raw + (segment,), request)
        elif part.final:
            found = _trie_rest_fits(part, child, parts, index, raw, request)
        else:
            values = part.read_values(segment)
            if values is None:
                continue
            found = _trie_walk(child, parts, index + 1, raw + values, request)
        if found is not None:
            return found
    if not segment and index + 1 == len(parts):
        # "path/" asked and nothing took it: a rule for "path" that does
        # not mind the slash.
        lenient = [rule for rule in node.rules if not rule.strict_slashes]
        return _trie_first_taker(lenient, raw, request)
    return None


def _trie_rest_fits(
    part: _RoutePart,
    child: _TrieNode,
    parts: list[str],
    index: int,
    raw: tuple[str, ...],
    request: _TrieRequest,
) -> _TrieMatch | None:
    """A slash-spanning part (``<path:p>``) takes all the rest of the path."""
    rest = "/".join(parts[index:])
    end = len(parts)
    if rest.endswith("/") and "" in child.static:
        # The rule may end in "/<path:p>/": then the closing slash is the
        # rule's, not the value's.
        values = part.read_values(rest)
        if values is not None:
            found = _trie_first_taker(child.rules, raw + values, request)
            if found is not None:
                return found
        values = part.read_values(rest[:-1])
        if values is None:
            return None
        return _trie_walk(child, parts, end - 1, raw + values, request)
    values = part.read_values(rest)
    if values is None:
        return None
    return _trie_walk(child, parts, end, raw + values, request)


def _trie_first_taker(
    rules: list[Rule], raw: tuple[str, ...], request: _TrieRequest, note_refusals: bool = True
) -> _TrieMatch | None:
    """The first of ``rules`` that takes the request and accepts the values."""
    method, websocket, refused = request
    for rule in rules:
        if rule.accepts(method) and rule.websocket == websocket:
            values = rule._convert_matched(raw)
            if values is not None:
                return rule, values
        elif note_refusals:
            refused.append(rule)
    return None


class SegmentTrieMatcher:
    """Finds the rule for a (domain, path, method).  Rules made only of
    literal text are also indexed in a plain dict for a one-step answer.
    ``merge_slashes`` (the map's option) says whether a path that fits no
    rule is tried again with runs of slashes merged."""

    def __init__(self, merge_slashes: bool = True) -> None:
        self.merge_slashes = merge_slashes
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
    ) -> _TrieMatch:
        """The best rule for a request, as ``(rule, values)``.  ``path`` has
        no leading slash (``"user/42"``); it and ``domain`` are decoded text.

        Raises :class:`RequestPath` with the path the client should ask for
        instead (a missing trailing slash, slashes to merge), or
        :class:`NoMatch` saying which methods rules for the path would take.
        """
        found = self.match_literal(domain, path, method, websocket)
        if found is not None:
            return found
        refused: list[Rule] = []
        try:
            found = self.search(domain, path, method, websocket, refused)
        except _TrieSlashRequired:
            raise RequestPath(path + "/") from None
        if found is None and self.merge_slashes and "//" in path:
            self.redirect_if_merged_fits(domain, path, method, websocket, refused)
        if found is None:
            raise _trie_no_match(refused, method)
        return found

    def redirect_if_merged_fits(
        self, domain: str, path: str, method: str, websocket: bool, refused: list[Rule]
    ) -> None:
        """Raise :class:`RequestPath` to the path with runs of slashes
        merged (``a//b`` to ``a/b``) when that path fits a rule that allows
        merging."""
        merged = _MERGEABLE_SLASHES_RE.sub("/", path)
        try:
            found = self.search(domain, merged, method, websocket, refused)
        except _TrieSlashRequired as slash:
            if slash.rule.merge_slashes:
                raise RequestPath(merged + "/") from None
            return
        if found is not None and found[0].merge_slashes:
            raise RequestPath(merged)

    def match_literal(
        self, domain: str, path: str, method: str, websocket: bool
    ) -> _TrieMatch | None:
        """Fast path: a rule made only of literal text, in one dict look-up.

        Invariant: it returns what :meth:`search` would.  The search tries
        the literal child before variables at every level, the literal
        domain included, so the first end of path it reaches is the node of
        the literal rules for this exact path; there it tries them in the
        order added, as here, and their values are their defaults.  When
        none takes the request, the search answers (405, redirect, ...).
        """
        by_path = self.static_routes.get(domain)
        if by_path is not None:
            rules = by_path.get(path)
            if rules is not None:
                for rule in rules:
                    if rule.accepts(method) and rule.websocket == websocket:
                        return rule, dict(rule.defaults) if rule.defaults else {}
        return None

    def search(
        self, domain: str, path: str, method: str, websocket: bool, refused: list[Rule]
    ) -> _TrieMatch | None:
        """Walk the trie from the root: the domain is the first part, so a
        literal domain is tried before a domain with variables
        (``<user>.example.com``)."""
        parts = [domain, *path.split("/")]
        return _trie_walk(self.root, parts, 0, (), (method, websocket, refused))


def _trie_no_match(refused: list[Rule], method: str) -> NoMatch:
    """Why no rule took the request: the methods the refusing rules take
    (a 405), or whether one differs only in being a WebSocket rule."""
    have_match_for: set[str] = set()
    websocket_mismatch = False
    for rule in refused:
        if rule.accepts(method):
            websocket_mismatch = True
        else:
            have_match_for.update(rule.methods)  # type: ignore[arg-type]
    return NoMatch(have_match_for, websocket_mismatch)
