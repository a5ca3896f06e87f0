"""The template compiler's analysis helpers and the lexer's newline handling:
each faster formulation gives what the plain one gives."""

import pytest

from microflask.templating import Environment
from microflask.templating import compiler
from microflask.templating import nodes as n

TEMPLATES = [
    "{{ a }}{% set b = a %}{{ b }}{{ c.d(e, f=g) | h(i) }}",
    "{% if x %}{% set y = 1 %}{% elif z %}{% set y = 2 %}{% else %}{% set y = 3 %}{% endif %}"
    "{{ y }}",
    "{% if x %}{% set y = 1 %}{% elif z %}{{ y }}{% set y = 2 %}{% endif %}{{ y }}",
    "{% if x %}{% if w %}{% set y = 1 %}{% else %}{% set y = 2 %}{% endif %}"
    "{% else %}{% set y = 3 %}{% set q = y %}{% endif %}{{ y ~ q }}",
    "{% for i in items if i.ok %}{{ loop.index }}{% set s = i %}{% else %}{{ s }}{% endfor %}",
    "{% macro m(a, b=c) %}{{ varargs }}{{ kwargs }}{{ caller() }}{{ a }}"
    "{% for x in a %}{{ kwargs }}{% endfor %}{% block inner %}{{ varargs }}{% endblock %}"
    "{% endmacro %}{% call m(1) %}{{ caller }}{% endcall %}",
    "{% set ns = namespace(a=1) %}{% set ns.a, t = 2, 3 %}{% with p = q %}{{ p }}{% endwith %}",
    "{% from 'x' import a as b, c %}{% import 'y' as z %}{{ b ~ c ~ z }}"
    "{% filter upper %}{{ f }}{% endfilter %}{% set blk %}{{ g }}{% endset %}",
    "{% extends base %}{% block a scoped %}{% for i in j %}{% block b %}{{ loop }}{% endblock %}"
    "{% endfor %}{% endblock %}",
]


def _all_bodies(tree):
    """The template body and every statement list nested in it."""
    bodies = [tree.body]
    for node in tree.find_all(n.StmtNode):
        for name in ("body", "else_"):
            value = getattr(node, name, None)
            if isinstance(value, list):
                bodies.append(value)
    return bodies


def _reference_statements_of_type(body, node_type):
    found = []
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, node_type):
            found.append(node)
        stack.extend(
            c for c in reversed(list(node.iter_child_nodes())) if isinstance(c, n.StmtNode)
        )
    return found


def _reference_analyze(body, seen):
    """The frame analysis written plainly: each branch of an ``if`` starts
    from a copy of what is known before it."""
    for node in body:
        if isinstance(node, n.AssignNode):
            compiler._expression_loads(node.node, seen)
            if isinstance(node.target, (n.NSRefNode, n.TupleNode)):
                compiler._expression_loads(node.target, seen)
            for name in compiler._target_names(node.target):
                seen.setdefault(name, "store")
        elif isinstance(node, n.AssignBlockNode):
            if isinstance(node.target, n.NSRefNode):
                compiler._expression_loads(node.target, seen)
            for name in compiler._target_names(node.target):
                seen.setdefault(name, "store")
        elif isinstance(node, n.MacroNode):
            seen.setdefault(node.name, "store")
        elif isinstance(node, n.ImportNode):
            compiler._expression_loads(node.template, seen)
            seen.setdefault(node.target, "store")
        elif isinstance(node, n.FromImportNode):
            compiler._expression_loads(node.template, seen)
            for item in node.names:
                seen.setdefault(item[1] if isinstance(item, tuple) else item, "store")
        elif isinstance(node, n.IfNode):
            compiler._expression_loads(node.test, seen)
            results = []
            for branch in [node.body] + list(node.elif_) + [node.else_]:
                branch_seen = dict(seen)
                _reference_analyze(
                    [branch] if isinstance(branch, n.IfNode) else branch, branch_seen
                )
                results.append({k: v for k, v in branch_seen.items() if k not in seen})
            for result in results:
                for name, mode in result.items():
                    everywhere = all(r.get(name) == "store" for r in results)
                    seen[name] = "store" if mode == "store" and everywhere else "load"
        elif isinstance(node, n.ForNode):
            compiler._expression_loads(node.iter, seen)
        elif isinstance(node, n.WithNode):
            for value in node.values:
                compiler._expression_loads(value, seen)
        elif isinstance(node, n.CallBlockNode):
            compiler._expression_loads(node.call, seen)
        elif isinstance(node, n.FilterBlockNode):
            compiler._expression_loads(node.filter, seen)
        elif isinstance(node, (n.OutputNode, n.ExprStmtNode, n.ExtendsNode, n.IncludeNode)):
            compiler._expression_loads(node, seen)


@pytest.mark.parametrize("source", TEMPLATES)
def test_frame_analysis_matches_the_plain_one(source):
    tree = Environment(extensions=["jinja2.ext.do"]).parse(source)
    for body in _all_bodies(tree):
        ours, reference = {}, {}
        compiler._analyze_frame_statements(body, ours)
        _reference_analyze(body, reference)
        assert ours == reference


@pytest.mark.parametrize("source", TEMPLATES)
def test_statement_search_matches_a_walk_of_every_child(source):
    tree = Environment().parse(source)
    for node_type in (n.BlockNode, n.ForNode, n.OutputNode, n.StmtNode):
        found = compiler._statements_of_type(tree.body, node_type)
        assert found == _reference_statements_of_type(tree.body, node_type)


@pytest.mark.parametrize("source", TEMPLATES)
def test_names_read_in_scope_answers_as_references_name(source):
    tree = Environment().parse(source)
    names = frozenset(["varargs", "kwargs", "caller", "a", "y", "x"])
    for body in _all_bodies(tree):
        found = compiler._names_read_in_scope(body, names)
        assert found == {name for name in names if compiler._references_name(body, name)}


def _python_name_fragment_per_character(name):
    return "".join(ch if ("_" + ch).isidentifier() else "_" for ch in name)


def test_python_name_fragment_keeps_identifiers_and_fixes_the_rest():
    for code_point in list(range(0x3000)) + [0xFB01, 0x1D400, 0x10FFFF]:
        ch = chr(code_point)
        for name in (ch, "a" + ch, ch + "1", "x_" + ch + "y"):
            assert compiler._python_name_fragment(name) == _python_name_fragment_per_character(name)


def test_functions_without_output_are_still_generators():
    env = Environment()
    source = "{% block a %}{% set x = 1 %}{% endblock %}{% macro m() %}{% endmacro %}"
    python = env.generate_source(source)
    # Only the block, whose code yields nothing, needs the marker line.
    assert python.count("if 0: yield None") == 1
    assert env.from_string(source).render() == ""
    assert list(env.from_string("{% set x = 1 %}").generate()) == []
    child = env.from_string("{% extends base %}{% set y = 2 %}")
    assert child.render(base=env.from_string("[{% block a %}{% endblock %}]")) == "[]"


@pytest.mark.parametrize(
    "source, newline, keep, expected",
    [
        ("a\nb\r\nc\rd{{ 'x\ny' }}{{ 'p\r\nq' }}", "\n", False, "a\nb\nc\ndx\nyp\nq"),
        ("a\r\n", "\n", False, "a"),
        ("\r", "\n", False, ""),
        ("{# c\r\n #}x\r\n{% raw %}r\r\ns{% endraw %}\r\n", "\n", False, "x\nr\ns"),
        ("a\r\n", "\n", True, "a\n"),
        ("\r", "\n", True, "\n"),
        ("{# c\r\n #}x\r\n{% raw %}r\r\ns{% endraw %}\r\n", "\n", True, "x\nr\ns\n"),
        ("a\nb\r\nc\rd{{ 'x\ny' }}{{ 'p\r\nq' }}", "\r\n", False, "a\r\nb\r\nc\r\ndx\r\nyp\r\nq"),
        ("\r", "\r\n", False, ""),
        ("{# c\r\n #}x\r\n{% raw %}r\r\ns{% endraw %}\r\n", "\r\n", True, "x\r\nr\r\ns\r\n"),
        ("a\r\n", "\r\n", True, "a\r\n"),
    ],
)
def test_line_breaks_as_jinja_writes_them(source, newline, keep, expected):
    env = Environment(newline_sequence=newline, keep_trailing_newline=keep)
    assert env.from_string(source).render() == expected


def test_line_numbers_count_every_kind_of_line_break():
    tokens = list(Environment().lex("a\r\nb\rc\n{{ x }}"))
    assert (4, "name", "x") in tokens
