"""Jinja's extension API: extensions written for Jinja2 run unchanged.

The extensions below use only Jinja's public API (``Extension``, ``nodes``,
the parser's stream and methods, ``lexer.Token``); the expected outputs
were produced by running the same code on Jinja2.
"""

import datetime
import re

import pytest

from microflask.templating import DictLoader, Environment, nodes
from microflask.templating.ext import Extension
from microflask.templating.lexer import Token, count_newlines
from microflask.templating.parser import Parser


class NowTag(Extension):
    tags = {"now"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(datetime_format="%Y-%m-%d")

    def _now(self, zone, fmt):
        return (
            datetime.datetime(2026, 12, 6, 4, 30).strftime(fmt or self.environment.datetime_format)
            + "@"
            + zone
        )

    def _shifted(self, zone, op, offset, fmt):
        hours = int(offset.split("=")[1])
        moment = datetime.datetime(2026, 12, 6, 4, 30) + datetime.timedelta(
            hours=hours if op == "+" else -hours
        )
        return moment.strftime(fmt or self.environment.datetime_format)

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        node = parser.parse_expression()
        fmt = parser.parse_expression() if parser.stream.skip_if("comma") else nodes.Const(None)
        if isinstance(node, (nodes.Add, nodes.Sub)):
            op = "+" if isinstance(node, nodes.Add) else "-"
            call = self.call_method(
                "_shifted", [node.left, nodes.Const(op), node.right, fmt], lineno=lineno
            )
        else:
            call = self.call_method("_now", [node, fmt], lineno=lineno)
        return nodes.Output([call], lineno=lineno)


class InlineGettext(Extension):
    """_(text) inside template data becomes a gettext call."""

    pattern = re.compile(r"_\(((?:\\.|[^\)\\])*)\)")

    def filter_stream(self, stream):
        for token in stream:
            if token.type != "data":
                yield token
                continue
            pos = 0
            lineno = token.lineno
            while True:
                match = self.pattern.search(token.value, pos)
                if match is None:
                    break
                before = token.value[pos:match.start()]
                if before:
                    yield Token(lineno, "data", before)
                    lineno += count_newlines(before)
                yield Token(lineno, "variable_begin", None)
                yield Token(lineno, "name", "gettext")
                yield Token(lineno, "lparen", None)
                yield Token(lineno, "string", match.group(1))
                yield Token(lineno, "rparen", None)
                yield Token(lineno, "variable_end", None)
                pos = match.end()
            if pos < len(token.value):
                yield Token(lineno, "data", token.value[pos:])


class Shout(Extension):
    """{% shout [upper=true] %}body{% endshout %} with keyword args and a scope."""

    tags = {"shout"}
    priority = 50

    def preprocess(self, source, name, filename=None):
        return source.replace("[[", "{{").replace("]]", "}}")

    def parse(self, parser):
        lineno = parser.stream.expect("name:shout").lineno
        kwargs = []
        while parser.stream.current.type != "block_end":
            key = parser.stream.expect("name").value
            parser.stream.expect("assign")
            kwargs.append(nodes.Keyword(key, parser.parse_expression(), lineno=lineno))
        body = parser.parse_statements(("name:endshout",), drop_needle=True)
        suffix = parser.free_identifier(lineno)
        assign = nodes.Assign(nodes.Name("shouted", "store"), nodes.Const("yes"), lineno=lineno)
        keep_suffix = nodes.Assign(suffix, nodes.Const("."), lineno=lineno)
        call = self.call_method("_shout", [suffix], kwargs, lineno=lineno)
        block = nodes.CallBlock(call, [], [], body, lineno=lineno)
        return [nodes.Scope([assign, keep_suffix, block], lineno=lineno),
                nodes.Output([nodes.TemplateData("!")], lineno=lineno)]

    def _shout(self, suffix, caller, upper=False):
        text = caller()
        return (text.upper() if upper else text) + suffix



class FragmentCache(Extension):
    """The fragment cache of Jinja's documentation, written anew."""

    tags = {"cache"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(fragment_cache_prefix="p:", fragment_cache={})

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        args = [parser.parse_expression()]
        args.append(
            parser.parse_expression() if parser.stream.skip_if("comma") else nodes.Const(None)
        )
        body = parser.parse_statements(["name:endcache"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_cached", args), [], [], body).set_lineno(lineno)

    def _cached(self, name, timeout, caller):
        cache = self.environment.fragment_cache
        key = self.environment.fragment_cache_prefix + name
        if key not in cache:
            cache[key] = caller()
        return cache[key]


@pytest.fixture()
def env():
    environment = Environment(
        extensions=[NowTag, InlineGettext, Shout, FragmentCache],
        autoescape=True,
        loader=DictLoader({"t": "a"}),
    )
    environment.globals["gettext"] = lambda s: "<%s>" % s.upper()
    return environment


def test_a_tag_with_a_call_method_and_node_isinstance_checks(env):
    out = env.from_string(
        "{% now 'utc' %}|{% now 'utc', '%H:%M' %}|{% now 'utc' + 'hours=3', '%H' %}|"
        "{% now 'utc' - 'hours=5' %}"
    ).render()
    assert out == "2026-12-06@utc|04:30@utc|07|2026-12-05"
    assert env.datetime_format == "%Y-%m-%d"  # Environment.extend from the extension


def test_filter_stream_rewrites_tokens(env):
    assert (
        env.from_string("Hi _(there) and _(you)!\n{{ 1 }}").render()
        == "Hi &lt;THERE&gt; and &lt;YOU&gt;!\n1"
    )


def test_preprocess_keywords_scope_free_identifier_and_lists_of_nodes(env):
    out = env.from_string(
        "{% shout upper=true %}[[ name ]] <{{ shouted }}>{% endshout %}{{ shouted }}"
    ).render(name="x<y")
    assert out == "X&LT;Y <YES>.!"


def test_fragment_cache_call_block(env):
    template = env.from_string("{% cache 'k', 30 %}<b>{{ x }}</b>{% endcache %}|{{ x }}")
    assert template.render(x="1<") == "<b>1&lt;</b>|1&lt;"
    assert template.render(x="2") == "<b>1&lt;</b>|2"
    assert list(env.fragment_cache) == ["p:k"]


def test_extensions_by_import_path_priority_and_overlay(env):
    by_path = Environment(extensions=["test_templating_extensions.FragmentCache", "jinja2.ext.do"])
    assert "test_templating_extensions.FragmentCache" in by_path.extensions
    assert [type(e).__name__ for e in env.iter_extensions()][0] == "Shout"  # priority 50 first
    overlay = env.overlay()
    assert overlay.extensions[Shout.identifier].environment is overlay
    assert env.extensions[Shout.identifier].environment is env
    env.add_extension("jinja2.ext.loopcontrols")
    assert (
        env.from_string(
            "{% for i in [1, 2, 3] %}{% if i == 2 %}{% break %}{% endif %}{{ i }}{% endfor %}"
        ).render()
        == "1"
    )


def test_unknown_extension_tag_is_a_syntax_error_with_the_line():
    from microflask.templating import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError) as info:
        Environment().from_string("x\n{% cache 'k' %}y{% endcache %}")
    assert info.value.lineno == 2


def test_parser_state_variable_parses_one_expression(env):
    # Sphinx evaluates ``.. only::`` expressions this way.
    expression = Parser(env, "a and b or not c", state="variable").parse_expression()
    assert type(expression).__name__ == "Or"
    assert isinstance(expression.left, nodes.And) and isinstance(expression.right, nodes.Not)


def test_node_api(env):
    tree = env.parse("{% for x in y %}{{ x.a + 1 }}{% endfor %}")
    assert [type(n).__name__ for n in tree.find_all((nodes.Getattr, nodes.Add, nodes.Const))] == [
        "Add", "Getattr", "Const"]
    assert isinstance(tree.find(nodes.For), nodes.For) and tree.find(nodes.Macro) is None
    add = tree.find(nodes.Add)
    assert dict(add.iter_fields()).keys() == {"left", "right"}
    assert nodes.Add(nodes.Const(2), nodes.Const(3)).as_const(nodes.EvalContext(env)) == 5
    assert nodes.Const(1) == nodes.Const(1) and nodes.Const(1) != nodes.Const(2)
    with pytest.raises(nodes.Impossible):
        nodes.Name("x", "load").as_const()
    with pytest.raises(nodes.Impossible):
        nodes.Const.from_untrusted(object())
    target = nodes.Tuple([nodes.Name("a", "load"), nodes.Name("b", "load")], "load").set_ctx(
        "store"
    )
    assert [item.ctx for item in target.items] == ["store", "store"]
    output = nodes.Output([nodes.Const("x")]).set_lineno(7)
    assert output.lineno == 7 and output.nodes[0].lineno == 7
    with pytest.raises(TypeError):
        nodes.Expr()  # abstract
    with pytest.raises(TypeError):
        nodes.Const(1, 2)
    with pytest.raises(TypeError):
        nodes.InternalName("x")
    assert repr(nodes.Const(1)) == "Const(value=1)"


def test_version_is_the_jinja_release_it_follows():
    import microflask
    import microflask.templating

    major, minor = microflask.templating.__version__.split(".")[:2]
    assert (int(major), int(minor)) >= (3, 1)  # code compares jinja2.__version__ like this
    assert microflask.__version__ != microflask.templating.__version__


def test_single_underscore_attributes_are_readable_dunders_are_not():
    from microflask.templating import SecurityError
    from microflask.templating.sandbox import SandboxedEnvironment

    class Admin:
        _views = ["a", "b"]

    env = Environment()
    assert env.from_string("{{ admin._views|length }}").render(admin=Admin()) == "2"
    assert env.from_string("{{ admin['_views']|length }}").render(admin=Admin()) == "2"
    for expression in ("admin.__class__", "admin.__init__.__globals__", "lipsum.__globals__",
                       "cycler.__init__.__globals__", "admin.__class__.mro",
                       "self._TemplateReference__context"):
        with pytest.raises(SecurityError):
            env.from_string("{{ %s.x }}" % expression).render(admin=Admin())
    sandboxed = SandboxedEnvironment()
    with pytest.raises(SecurityError):
        sandboxed.from_string("{{ admin._views.x }}").render(admin=Admin())


def test_node_classes_match_jinjas():
    # tests/fixtures/jinja_nodes.json was written from Jinja2 3.1.6's nodes module:
    # each class's fields, attributes, abstractness and bases.
    import json
    import os

    path = os.path.join(os.path.dirname(__file__), "fixtures", "jinja_nodes.json")
    with open(path) as f:
        expected = json.load(f)["nodes"]
    for name, facts in expected.items():
        ours = getattr(nodes, name)
        assert ours.__name__ == name
        assert list(ours.fields) == facts["fields"], name
        assert list(ours.attributes) == facts["attributes"], name
        assert ours.abstract == facts["abstract"], name
        bases = [base.__name__ for base in ours.__mro__[1:] if issubclass(base, nodes.Node)]
        assert bases == facts["bases"], name
    assert isinstance(nodes.Const, nodes.NodeType)

    class Tagged(nodes.Call):
        fields = ("tag",)  # extends the base's fields, as in Jinja

    assert Tagged.fields == ("node", "args", "kwargs", "dyn_args", "dyn_kwargs", "tag")
