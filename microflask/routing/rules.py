"""URL rules and rule factories (what Werkzeug calls ``werkzeug.routing.rules``).

A :class:`Rule` is one URL pattern such as ``/user/<int:id>`` plus what
it leads to (an endpoint, allowed methods, defaults, redirects).  When a
:class:`~microflask.routing.Map` adopts a rule it *binds* it: the pattern is
parsed once, converters are created from the map's converter table, and
any syntax error is raised right then with the rule named in the message.

Rule factories (:class:`Subdomain`, :class:`Submount`,
:class:`EndpointPrefix`, :class:`RuleTemplate`) produce rules in bulk.
"""

from __future__ import annotations

import re
import typing as t
from string import Template
from urllib.parse import quote_plus

from microflask.routing.converters import (
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    UnicodeConverter,
    _quote_url_path,
)

__all__ = [
    "parse_converter_args",
    "RuleFactory",
    "Subdomain",
    "Submount",
    "EndpointPrefix",
    "RuleTemplate",
    "RuleTemplateFactory",
    "Rule",
]

# "<name>", "<conv:name>" or "<conv(args):name>".
_RULE_VARIABLE_RE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<arguments>.*?)\))?:)?"
    r"(?P<variable>[a-zA-Z_][a-zA-Z0-9_]*)>"
)
# One converter argument: an optional "name=" then a quoted string or a bare word.
_CONVERTER_ARGUMENT_RE = re.compile(
    r"""\s*(?:(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*)?
        (?P<value>[uU]?"[^"]*"|[uU]?'[^']*'|[\w.+\-]+)\s*(?:,|$)""",
    re.VERBOSE,
)
_MERGEABLE_SLASHES_RE = re.compile("/{2,}")
_CONVERTER_LITERALS = {"True": True, "False": False, "None": None}


class _DuplicateRuleVariableError(SyntaxError, ValueError):
    """A variable name appears twice in one rule.  Werkzeug reports this as
    a SyntaxError; being a ValueError too puts it with the other rule errors."""


def _converter_literal(text: str) -> t.Any:
    """Turn one converter argument into True/False/None, a number or text."""
    if text in _CONVERTER_LITERALS:
        return _CONVERTER_LITERALS[text]
    if text[:2] in ('u"', "u'", 'U"', "U'"):
        text = text[1:]
    if text[:1] in "\"'":
        return text[1:-1]
    for number_type in (int, float):
        try:
            return number_type(text)
        except ValueError:
            pass
    return text


def parse_converter_args(argstr: str) -> tuple[tuple[t.Any, ...], dict[str, t.Any]]:
    """Parse the text between a converter's parentheses, e.g.
    ``2, "x", min=1, signed=True`` -> ``((2, "x"), {"min": 1, "signed": True})``."""
    args: list[t.Any] = []
    kwargs: dict[str, t.Any] = {}
    position = 0
    length = len(argstr)
    if not argstr.strip():
        return (), {}
    while position < length:
        found = _CONVERTER_ARGUMENT_RE.match(argstr, position)
        if found is None or found.end() == position:
            raise ValueError(f"Cannot parse converter argument {argstr[position:]!r}")
        value = _converter_literal(found.group("value"))
        name = found.group("name")
        if name is None:
            args.append(value)
        else:
            kwargs[name] = value
        position = found.end()
    return tuple(args), kwargs


def _tokenize_rule_text(text: str, rule: str) -> list[tuple[str | None, str | None, str]]:
    """Split rule text into tokens: ``(None, None, static_text)`` or
    ``(converter_name, argument_text, variable_name)``."""
    tokens: list[tuple[str | None, str | None, str]] = []
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            if position < len(text):
                tokens.append((None, None, text[position:]))
            return tokens
        if start > position:
            tokens.append((None, None, text[position:start]))
        found = _RULE_VARIABLE_RE.match(text, start)
        if found is None:
            raise ValueError(f"malformed url rule: {rule!r}")
        tokens.append(
            (
                found.group("converter") or "default",
                found.group("arguments"),
                found.group("variable"),
            )
        )
        position = found.end()


def _fast_decoder(converter: BaseConverter) -> t.Callable[[str], t.Any] | None:
    """The cheapest callable equal to ``converter.to_python`` for matched
    text: None for identity, plain ``int``/``float`` when no option needs
    checking (the regex already guarantees the form)."""
    kind = type(converter)
    if kind is UnicodeConverter or kind.to_python is BaseConverter.to_python:
        return None
    if kind in (IntegerConverter, FloatConverter) and not (
        converter.fixed_digits or converter.min is not None or converter.max is not None  # type: ignore[attr-defined]
    ):
        return kind.num_convert  # type: ignore[attr-defined,no-any-return]
    return converter.to_python


def _make_value_converter(
    names: tuple[str, ...], decoders: tuple[t.Any, ...], defaults: t.Any
) -> t.Callable[[tuple[str, ...]], dict[str, t.Any] | None]:
    """Generate the function that turns a rule's matched text into view
    arguments, e.g. for ``/<int:id>/<name>``::

        def convert_values(raw):
            try:
                return {'id': decode_0(raw[0]), 'name': raw[1]}
            except ValueError:
                return None

    A converter's ValueError (ValidationError included) means "not this
    rule"; rule defaults are merged in last, as Werkzeug does.
    """
    items = []
    namespace: dict[str, t.Any] = {"defaults": defaults}
    for index, (name, decode) in enumerate(zip(names, decoders)):
        if decode is None:
            items.append(f"{name!r}: raw[{index}]")
        else:
            namespace[f"decode_{index}"] = decode
            items.append(f"{name!r}: decode_{index}(raw[{index}])")
    if defaults:
        items.append("**defaults")
    result = "{" + ", ".join(items) + "}"
    if len(namespace) == 1:
        source = f"def convert_values(raw):\n    return {result}\n"
    else:
        source = (
            "def convert_values(raw):\n"
            "    try:\n"
            f"        return {result}\n"
            "    except ValueError:\n"
            "        return None\n"
        )
    exec(compile(source, "<microflask routing>", "exec"), namespace)
    return namespace["convert_values"]  # type: ignore[no-any-return]


def _make_url_builder(
    domain_tokens: list[t.Any],
    path_tokens: list[t.Any],
    converters: dict[str, BaseConverter],
    defaults: t.Any,
) -> t.Callable[[t.Mapping[str, t.Any]], tuple[str, str]]:
    """Generate the function that builds a rule's domain part and path from
    values (a missing value raises KeyError), e.g. for ``/user/<int:id>``::

        def build_parts(values):
            return '', '/user/' + to_url_0(values['id'])

    Literal text is quoted once, here.  A variable with a default reads
    ``values.get(name, default)``.  The stock string converter's ``to_url``
    is replaced by the quoting it does.
    """
    namespace: dict[str, t.Any] = {"quote_path": _quote_url_path, "defaults": defaults}
    seen: dict[str, str] = {}

    def expression(tokens: list[t.Any], quote_literals: bool) -> str:
        pieces = []
        for converter_name, _arguments, data in tokens:
            if converter_name is None:
                pieces.append(repr(_quote_url_path(data) if quote_literals else data))
                continue
            if defaults and data in defaults:
                value = f"values.get({data!r}, defaults[{data!r}])"
            else:
                value = f"values[{data!r}]"
            converter = converters[data]
            if type(converter).to_url is BaseConverter.to_url:
                pieces.append(f"quote_path(str({value}))")
            else:
                name = seen.setdefault(data, f"to_url_{len(seen)}")
                namespace[name] = converter.to_url
                pieces.append(f"{name}({value})")
        if len(pieces) > 16:
            # A long "a + b + ..." chain nests too deep for the compiler.
            return "''.join((" + ", ".join(pieces) + ",))"
        return " + ".join(pieces) or "''"

    source = (
        "def build_parts(values):\n"
        f"    return {expression(domain_tokens, False)}, {expression(path_tokens, True)}\n"
    )
    exec(compile(source, "<microflask routing>", "exec"), namespace)
    return namespace["build_parts"]  # type: ignore[no-any-return]


class _RoutePart:
    """One matchable piece of a bound rule: a ``/``-separated path segment
    (or the domain) containing variables, or with ``final`` set, the whole
    rest of the path (used once a slash-matching converter appears)."""

    __slots__ = ("pattern", "group_names", "simple", "final", "sort_key", "match_key")

    def __init__(
        self,
        tokens: list[tuple[t.Any, ...]],
        converters: dict[str, BaseConverter],
        final: bool,
    ) -> None:
        pieces = []
        weights = []
        # (index, -length) of each piece of literal text; slashes separate
        # pieces and do not count, as with Werkzeug.
        static_weights: list[tuple[int, int]] = []
        variables = 0
        for converter_name, _arguments, data in tokens:
            if converter_name is None:
                pieces.append(re.escape(data))
                for literal in data.split("/"):
                    if literal:
                        static_weights.append((len(static_weights), -len(literal)))
            else:
                converter = converters[data]
                pieces.append(f"(?P<_v{variables}>{converter.regex})")
                weights.append(converter.weight)
                variables += 1
        # A lone variable needs no group: the whole segment is its value.
        self.simple = variables == 1 and len(tokens) == 1 and not final
        if self.simple:
            source = f"(?:{converters[tokens[0][2]].regex})"
        else:
            source = "".join(pieces)
        self.pattern = re.compile(source)
        self.group_names = tuple(f"_v{index}" for index in range(variables))
        self.final = final
        # Sorted ascending: more pieces of literal text first, then longer
        # literal pieces, more variables, and lighter (more specific)
        # converters; see the matcher module for the whole ordering.
        self.sort_key = (-len(static_weights), tuple(static_weights), -variables, tuple(weights))
        self.match_key = (final, source, tuple(weights))

    def read_values(self, text: str) -> tuple[str, ...] | None:
        """The raw variable values if ``text`` matches this part, else None."""
        found = self.pattern.fullmatch(text)
        if found is None:
            return None
        if self.simple:
            return (text,)
        if len(self.group_names) == 1:
            return (found.group("_v0"),)
        return found.group(*self.group_names)


class RuleFactory:
    """Something that yields rules for a map: a :class:`Rule` itself, or a
    grouping such as :class:`Submount`."""

    def get_rules(self, map: t.Any) -> t.Iterable[Rule]:
        raise NotImplementedError()


class Subdomain(RuleFactory):
    """Give every rule in ``rules`` the subdomain ``subdomain``."""

    def __init__(self, subdomain: str, rules: t.Iterable[RuleFactory]) -> None:
        self.subdomain = subdomain
        self.rules = rules

    def get_rules(self, map: t.Any) -> t.Iterator[Rule]:
        for rulefactory in self.rules:
            for rule in rulefactory.get_rules(map):
                rule = rule.empty()
                rule.subdomain = self.subdomain
                yield rule


class Submount(RuleFactory):
    """Prefix the path of every rule in ``rules`` with ``path``."""

    def __init__(self, path: str, rules: t.Iterable[RuleFactory]) -> None:
        self.path = path.rstrip("/")
        self.rules = rules

    def get_rules(self, map: t.Any) -> t.Iterator[Rule]:
        for rulefactory in self.rules:
            for rule in rulefactory.get_rules(map):
                rule = rule.empty()
                rule.rule = self.path + rule.rule
                yield rule


class EndpointPrefix(RuleFactory):
    """Prefix the endpoint of every rule in ``rules`` with ``prefix``."""

    def __init__(self, prefix: str, rules: t.Iterable[RuleFactory]) -> None:
        self.prefix = prefix
        self.rules = rules

    def get_rules(self, map: t.Any) -> t.Iterator[Rule]:
        for rulefactory in self.rules:
            for rule in rulefactory.get_rules(map):
                rule = rule.empty()
                rule.endpoint = self.prefix + rule.endpoint
                yield rule


class RuleTemplate:
    """Rules with ``$placeholders`` (``string.Template`` syntax) in their
    path, subdomain, endpoint and string defaults; call it with values to
    get a factory of concrete rules."""

    def __init__(self, rules: t.Iterable[Rule]) -> None:
        self.rules = list(rules)

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> RuleTemplateFactory:
        return RuleTemplateFactory(self.rules, dict(*args, **kwargs))


class RuleTemplateFactory(RuleFactory):
    """The rules of a :class:`RuleTemplate` filled in with ``context``."""

    def __init__(self, rules: t.Iterable[RuleFactory], context: dict[str, t.Any]) -> None:
        self.rules = rules
        self.context = context

    def get_rules(self, map: t.Any) -> t.Iterator[Rule]:
        context = self.context
        for rulefactory in self.rules:
            for rule in rulefactory.get_rules(map):
                new_defaults = subdomain = None
                if rule.defaults:
                    new_defaults = {}
                    for key, value in rule.defaults.items():
                        if isinstance(value, str):
                            value = Template(value).substitute(context)
                        new_defaults[key] = value
                if rule.subdomain is not None:
                    subdomain = Template(rule.subdomain).substitute(context)
                new_endpoint = rule.endpoint
                if isinstance(new_endpoint, str):
                    new_endpoint = Template(new_endpoint).substitute(context)
                yield Rule(
                    Template(rule.rule).substitute(context),
                    new_defaults,
                    subdomain,
                    rule.methods,
                    rule.build_only,
                    new_endpoint,
                    rule.strict_slashes,
                )


class Rule(RuleFactory):
    """One URL pattern and where it leads.

    ``string`` must start with ``/``; ``<converter(args):name>`` marks a
    variable.  ``methods`` is upper-cased into a set and gains ``HEAD``
    when it has ``GET`` (None means any method).  ``defaults`` supply values
    for variables the pattern lacks; ``redirect_to`` (a template like
    ``/new/<id>`` or a callable ``(adapter, **values)``) makes the rule
    redirect; ``alias`` rules redirect to the endpoint's canonical URL.
    """

    def __init__(
        self,
        string: str,
        defaults: t.Mapping[str, t.Any] | None = None,
        subdomain: str | None = None,
        methods: t.Iterable[str] | None = None,
        build_only: bool = False,
        endpoint: t.Any = None,
        strict_slashes: bool | None = None,
        merge_slashes: bool | None = None,
        redirect_to: str | t.Callable[..., str] | None = None,
        alias: bool = False,
        host: str | None = None,
        websocket: bool = False,
    ) -> None:
        if not isinstance(string, str) or not string.startswith("/"):
            raise ValueError(f"URL rule '{string}' must start with a slash.")
        self.rule = string
        self.is_leaf = not string.endswith("/")
        self.is_branch = string.endswith("/")
        self.map: t.Any = None
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.subdomain = subdomain
        self.host = host
        self.defaults = defaults
        self.build_only = build_only
        self.alias = alias
        self.websocket = websocket
        if methods is not None:
            if isinstance(methods, str):
                raise TypeError("'methods' should be a list of strings.")
            methods = {method.upper() for method in methods}
            if "GET" in methods and "HEAD" not in methods:
                methods.add("HEAD")
            if websocket and methods - {"GET", "HEAD", "OPTIONS"}:
                raise ValueError(
                    "WebSocket rules can only use 'GET', 'HEAD', and 'OPTIONS' methods."
                )
        self.methods: set[str] | None = methods
        self.endpoint = endpoint
        self.redirect_to = redirect_to
        self.arguments: set[str] = set(map(str, defaults)) if defaults else set()
        self._converters: dict[str, BaseConverter] = {}
        self._trace: list[tuple[bool, str]] = []
        # Filled in by compile(): see _compile_parts and _compile_builder.
        self._domain_part: str | _RoutePart = ""
        self._path_parts: list[str | _RoutePart] = []
        self._value_names: tuple[str, ...] = ()
        self._value_decoders: tuple[t.Any, ...] = ()
        self._static_key: tuple[str, str] | None = None
        self._has_default_provider = False
        self._may_redirect = False

    # -- RuleFactory and copying --------------------------------------------

    def get_rules(self, map: t.Any) -> t.Iterator[Rule]:
        yield self

    def get_empty_kwargs(self) -> dict[str, t.Any]:
        """The constructor arguments that :meth:`empty` passes on."""
        defaults = dict(self.defaults) if self.defaults else None
        return {
            "defaults": defaults,
            "subdomain": self.subdomain,
            "methods": self.methods,
            "build_only": self.build_only,
            "endpoint": self.endpoint,
            "strict_slashes": self.strict_slashes,
            "redirect_to": self.redirect_to,
            "alias": self.alias,
            "host": self.host,
        }

    def empty(self) -> Rule:
        """An unbound copy of this rule (rule factories modify copies)."""
        return type(self)(self.rule, **self.get_empty_kwargs())

    # -- binding and parsing ------------------------------------------------

    def refresh(self) -> None:
        """Parse the rule again after changing it in place (it stays bound
        to the same map)."""
        self.bind(self.map, rebind=True)

    def bind(self, map: t.Any, rebind: bool = False) -> None:
        """Attach the rule to ``map``, fill unset options from the map's
        defaults, and parse the pattern."""
        if self.map is not None and not rebind:
            raise RuntimeError(f"url rule {self!r} already bound to map {self.map!r}")
        self.map = map
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        if self.merge_slashes is None:
            self.merge_slashes = map.merge_slashes
        if self.subdomain is None:
            self.subdomain = map.default_subdomain
        self.compile()

    def get_converter(
        self,
        variable_name: str,
        converter_name: str,
        args: tuple[t.Any, ...],
        kwargs: t.Mapping[str, t.Any],
    ) -> BaseConverter:
        """Create the converter ``converter_name`` from the map's table."""
        if converter_name not in self.map.converters:
            raise LookupError(
                f"the converter {converter_name!r} does not exist (in rule {self.rule!r})"
            )
        return self.map.converters[converter_name](self.map, *args, **kwargs)

    def _make_converter(self, token: tuple[t.Any, ...]) -> BaseConverter:
        converter_name, argument_text, variable = token
        if argument_text is None:
            args: tuple[t.Any, ...] = ()
            kwargs: dict[str, t.Any] = {}
        else:
            try:
                args, kwargs = parse_converter_args(argument_text)
            except ValueError as error:
                raise ValueError(f"{error} (in rule {self.rule!r})") from None
        try:
            return self.get_converter(variable, converter_name, args, kwargs)
        except TypeError as error:
            raise TypeError(
                f"bad arguments for converter {converter_name!r} in rule {self.rule!r}: {error}"
            ) from None

    def compile(self) -> None:
        """Parse the pattern into match parts, build pieces and the trace."""
        url_map = self.map
        if url_map.host_matching:
            domain_text = self.host or ""
        else:
            domain_text = self.subdomain or ""
        path_text = self.rule
        if self.merge_slashes:
            path_text = _MERGEABLE_SLASHES_RE.sub("/", path_text)
        domain_tokens = _tokenize_rule_text(domain_text, self.rule)
        path_tokens = _tokenize_rule_text(path_text, self.rule)

        self._converters = {}
        self.arguments = set(map(str, self.defaults or ()))
        names: list[str] = []
        for token in domain_tokens + path_tokens:
            if token[0] is None:
                continue
            variable = token[2]
            if variable in self._converters:
                raise _DuplicateRuleVariableError(
                    f"variable name {variable!r} used twice in rule {self.rule!r}"
                )
            self._converters[variable] = self._make_converter(token)
            self.arguments.add(variable)
            names.append(variable)
        self._value_names = tuple(names)
        self._value_decoders = tuple(_fast_decoder(self._converters[name]) for name in names)
        self._convert_matched = _make_value_converter(  # type: ignore[method-assign]
            self._value_names, self._value_decoders, self.defaults
        )
        self._trace = [(token[0] is not None, token[2]) for token in domain_tokens]
        self._trace.append((False, "|"))
        self._trace.extend((token[0] is not None, token[2]) for token in path_tokens)
        self._compile_parts(domain_tokens, path_tokens)
        self._compile_builder(domain_tokens, path_tokens)

    def _compile_parts(self, domain_tokens: list[t.Any], path_tokens: list[t.Any]) -> None:
        """Cut the pattern into what the matcher walks: the domain, then one
        part per path segment (static text, or a regex part with variables)."""
        converters = self._converters
        if any(token[0] is not None for token in domain_tokens):
            self._domain_part = _RoutePart(domain_tokens, converters, False)
        else:
            self._domain_part = "".join(token[2] for token in domain_tokens)

        # The leading "/" is implied: "/a/b" has the segments "a" and "b".
        tokens = list(path_tokens)
        first = tokens[0]
        tokens[0] = (None, None, first[2][1:])
        segments: list[list[t.Any]] = [[]]
        final_tokens: list[t.Any] | None = None
        for index, token in enumerate(tokens):
            if token[0] is None:
                pieces = token[2].split("/")
                if pieces[0]:
                    segments[-1].append((None, None, pieces[0]))
                for piece in pieces[1:]:
                    segments.append([(None, None, piece)] if piece else [])
            elif converters[token[2]].part_isolating:
                segments[-1].append(token)
            else:
                final_tokens = segments.pop() + tokens[index:]
                break
        parts: list[str | _RoutePart] = []
        for segment in segments:
            if all(token[0] is None for token in segment):
                parts.append("".join(token[2] for token in segment))
            else:
                parts.append(_RoutePart(segment, converters, False))
        if final_tokens is not None:
            # A closing "/" becomes its own empty segment, as for other
            # rules, so "/<path:p>/" gets the usual slash redirect.
            closing_slash = final_tokens[-1][0] is None and final_tokens[-1][2].endswith("/")
            if closing_slash:
                text = final_tokens[-1][2][:-1]
                final_tokens[-1:] = [(None, None, text)] if text else []
            parts.append(_RoutePart(final_tokens, converters, True))
            if closing_slash:
                parts.append("")
        self._path_parts = parts
        if isinstance(self._domain_part, str) and all(isinstance(p, str) for p in parts):
            self._static_key = (self._domain_part, "/".join(parts))  # type: ignore[arg-type]
        else:
            self._static_key = None

    def _compile_builder(self, domain_tokens: list[t.Any], path_tokens: list[t.Any]) -> None:
        """Generate the function that builds ``(domain_part, path)``."""
        self._build_parts = _make_url_builder(  # type: ignore[method-assign]
            domain_tokens, path_tokens, self._converters, self.defaults
        )

    # -- matching support ---------------------------------------------------

    def accepts(self, method: str) -> bool:
        """Does this rule take requests with ``method`` (upper case)?  A rule
        without ``methods`` takes any; HEAD is taken wherever GET is, since
        the constructor adds HEAD to a method set that has GET."""
        return self.methods is None or method in self.methods

    def _convert_matched(self, raw_values: tuple[str, ...]) -> dict[str, t.Any] | None:
        """Run ``to_python`` over matched text and add the defaults; None
        if a converter refuses.  Replaced per rule by compile() with a
        generated function that does the same with no loop."""
        return None

    # -- building -----------------------------------------------------------

    def provides_defaults_for(self, rule: Rule) -> bool:
        """True if this rule's defaults make it the canonical URL for
        ``rule`` (same endpoint and arguments, not build-only)."""
        return bool(
            not self.build_only
            and self.defaults
            and self.endpoint == rule.endpoint
            and self != rule
            and self.arguments == rule.arguments
        )

    def suitable_for(self, values: t.Mapping[str, t.Any], method: str | None = None) -> bool:
        """Can this rule build a URL from ``values`` (and for ``method``)?
        Every variable needs a value or a default, and given values must
        equal this rule's defaults."""
        if method is not None and not self.accepts(method):
            return False
        defaults = self.defaults or ()
        for key in self.arguments:
            if key not in defaults and key not in values:
                return False
        if defaults:
            for key, value in defaults.items():  # type: ignore[union-attr]
                if key in values and value != values[key]:
                    return False
        return True

    def build_compare_key(self) -> tuple[int, int, int]:
        """Sort key for building: non-aliases first, then rules with more
        variables, then rules with more defaults."""
        return (1 if self.alias else 0, -len(self.arguments), -len(self.defaults or ()))

    def build(
        self, values: t.Mapping[str, t.Any], append_unknown: bool = True
    ) -> tuple[str, str] | None:
        """Build ``(domain_part, path)`` from ``values``; unknown values go
        to the query string when ``append_unknown``.  None if a variable has
        no value."""
        try:
            domain_part, path = self._build_parts(values)
        except KeyError:
            return None
        if append_unknown and values:
            arguments = self.arguments
            unknown = [(key, value) for key, value in values.items() if key not in arguments]
            if unknown:
                query = _routing_encode_query(
                    unknown, self.map.sort_parameters, self.map.sort_key
                )
                if query:
                    path = f"{path}?{query}"
        return domain_part, path

    def _build_parts(self, values: t.Mapping[str, t.Any]) -> tuple[str, str]:
        """Replaced per rule by compile() with a generated function."""
        raise KeyError("rule is not bound")

    # -- comparison and display --------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self._trace == other._trace

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.rule

    def __repr__(self) -> str:
        if self.map is None:
            return f"<{type(self).__name__} (unbound)>"
        text = "".join(f"<{data}>" if is_variable else data for is_variable, data in self._trace)
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods is not None else ""
        return f"<{type(self).__name__} {text.lstrip('|')!r}{methods} -> {self.endpoint}>"


# Runs a query-string key or value must encode: all but the unreserved
# characters and "!$'()*,/:;?@" (Werkzeug's set); a space becomes "+".
_QUERY_UNSAFE_RUN_RE = re.compile(r"[^A-Za-z0-9_.\-~!$'()*,/:;?@]+")
_QUERY_ENCODED_BYTES = tuple("+" if byte == 32 else f"%{byte:02X}" for byte in range(256))


def _query_encode_run(found: re.Match[str]) -> str:
    return "".join([_QUERY_ENCODED_BYTES[byte] for byte in found.group().encode("utf-8")])


def _quote_query_text(value: t.Any) -> str:
    if isinstance(value, bytes):
        return quote_plus(value, safe="!$'()*,/:;?@")
    return _QUERY_UNSAFE_RUN_RE.sub(_query_encode_run, str(value))


def _routing_encode_query(
    values: t.Any, sort: bool = False, key: t.Any = None
) -> str:
    """URL-encode a mapping (or pairs) for a query string: sequences repeat
    the key, None is left out, spaces become ``+``."""
    items = values.items() if hasattr(values, "items") else values
    pairs = []
    for name, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            pairs.extend((name, item) for item in value if item is not None)
        else:
            pairs.append((name, value))
    if sort:
        pairs.sort(key=key)
    return "&".join(
        [f"{_quote_query_text(name)}={_quote_query_text(value)}" for name, value in pairs]
    )
