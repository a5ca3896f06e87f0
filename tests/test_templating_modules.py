"""Jinja's smaller public modules: visitor, defaults, constants, and the
names runtime, sandbox, ext and environment re-export under Jinja's names."""

import string

import pytest

from microflask.templating import Environment, nodes
from microflask.templating import defaults
from microflask.templating import environment as environment_module
from microflask.templating.constants import LOREM_IPSUM_WORDS
from microflask.templating.visitor import NodeTransformer, NodeVisitor

SOURCE = "{{ a }}{% for x in items %}{{ x|upper }}{{ 1 }}{% endfor %}{{ 'end' }}"


def parse(source=SOURCE):
    return Environment().parse(source)


# -- visitor -----------------------------------------------------------------------------


class Collector(NodeVisitor):
    def __init__(self):
        self.names = []
        self.consts = []

    def visit_Name(self, node, *args, **kwargs):
        self.names.append((node.name, node.ctx, args, kwargs))

    def visit_Const(self, node, *args, **kwargs):
        self.consts.append(node.value)


def test_node_visitor_dispatches_on_jinjas_class_names():
    collector = Collector()
    collector.visit(parse(), "extra", flag=True)
    assert collector.names == [
        ("a", "load", ("extra",), {"flag": True}),
        ("x", "store", ("extra",), {"flag": True}),
        ("items", "load", ("extra",), {"flag": True}),
        ("x", "load", ("extra",), {"flag": True}),
    ]
    assert collector.consts == [1, "end"]


def test_get_visitor_and_generic_visit():
    collector = Collector()
    const = nodes.Const(3)
    assert collector.get_visitor(const) == collector.visit_Const
    assert collector.get_visitor(nodes.Output([])) is None
    # A visitor method stops the walk below its node; generic_visit goes on.
    output = nodes.Output([nodes.Const(1), nodes.Name("n", "load")])
    assert collector.generic_visit(output) is None
    assert collector.consts == [1]
    assert [entry[0] for entry in collector.names] == ["n"]


def test_visit_returns_what_the_visitor_method_returns():
    class Values(NodeVisitor):
        def visit_Const(self, node):
            return node.value * 2

    assert Values().visit(nodes.Const(21)) == 42
    assert Values().visit(nodes.Output([nodes.Const(1)])) is None


class Rewriter(NodeTransformer):
    def visit_Const(self, node):
        if node.value == 1:
            return nodes.Const(100, lineno=node.lineno)
        if node.value == "end":
            return None  # removed from the list it is in
        return node

    def visit_Name(self, node):
        if node.name == "a":
            # one node replaced by several
            return [nodes.TemplateData("["), node, nodes.TemplateData("]")]
        return self.generic_visit(node)


def test_node_transformer_replaces_removes_and_expands():
    tree = parse()
    output_lists = [node.nodes for node in tree.find_all(nodes.Output)]
    result = Rewriter().visit(tree)
    assert result is tree
    # The lists are changed in place.
    assert [node.nodes for node in tree.find_all(nodes.Output)] == output_lists
    env = Environment()
    assert env.from_string(tree).render(a="A", items=["p", "q"]) == "[A]P100Q100"


def test_node_transformer_deletes_a_single_node_field():
    class DropTest(NodeTransformer):
        def visit_Name(self, node):
            return None

    getattr_node = nodes.Getattr(nodes.Name("obj", "load"), "attr", "load")
    assert DropTest().visit(getattr_node) is getattr_node
    assert not hasattr(getattr_node, "node")
    assert dict(getattr_node.iter_fields()) == {"attr": "attr", "ctx": "load"}


def test_visit_list_always_returns_a_list():
    transformer = NodeTransformer()
    const = nodes.Const(1)
    assert transformer.visit_list(const) == [const]

    class Expand(NodeTransformer):
        def visit_Const(self, node):
            return [node, node]

    assert Expand().visit_list(const) == [const, const]


# -- defaults and constants --------------------------------------------------------------


def test_defaults_are_what_a_new_environment_uses():
    env = Environment()
    for name in (
        "block_start_string",
        "block_end_string",
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
        "line_statement_prefix",
        "line_comment_prefix",
        "trim_blocks",
        "lstrip_blocks",
        "newline_sequence",
        "keep_trailing_newline",
    ):
        assert getattr(defaults, name.upper()) == getattr(env, name), name
    assert env.filters == defaults.DEFAULT_FILTERS
    assert env.tests == defaults.DEFAULT_TESTS
    assert env.globals == defaults.DEFAULT_NAMESPACE
    assert env.policies == defaults.DEFAULT_POLICIES
    assert (defaults.BLOCK_START_STRING, defaults.VARIABLE_END_STRING) == ("{%", "}}")
    assert defaults.DEFAULT_POLICIES["urlize.rel"] == "noopener"
    assert {"upper", "default", "tojson"} <= set(defaults.DEFAULT_FILTERS)
    assert {"defined", "divisibleby", "in"} <= set(defaults.DEFAULT_TESTS)
    assert set(defaults.DEFAULT_NAMESPACE) == {
        "range",
        "dict",
        "lipsum",
        "cycler",
        "joiner",
        "namespace",
    }


def test_defaults_are_the_environment_modules_objects_not_copies():
    assert defaults.DEFAULT_NAMESPACE is environment_module.DEFAULT_NAMESPACE
    assert defaults.DEFAULT_POLICIES is environment_module.DEFAULT_POLICIES
    assert defaults.DEFAULT_FILTERS is environment_module.DEFAULT_FILTERS
    assert defaults.DEFAULT_TESTS is environment_module.DEFAULT_TESTS
    with pytest.raises(AttributeError):
        environment_module.NO_SUCH_DEFAULT  # noqa: B018


def test_lorem_ipsum_words_are_what_lipsum_draws_from():
    words = LOREM_IPSUM_WORDS.split()
    assert len(words) == 186
    assert (words[0], words[-1]) == ("a", "vulputate")
    text = Environment().from_string("{{ lipsum(2, html=False, min=20, max=30) }}").render()
    used = {word.strip(string.punctuation).lower() for word in text.split()}
    assert used and used <= set(words)


# -- re-exports --------------------------------------------------------------------------


def test_runtime_reexports():
    from microflask.templating import runtime, utils

    assert runtime.Namespace is utils.Namespace
    assert runtime.pass_eval_context is utils.pass_eval_context
    assert runtime.exported[:3] == ["LoopContext", "TemplateReference", "Macro"]
    for name in runtime.exported:
        assert hasattr(runtime, name), name
    ns = runtime.Namespace(a=1)
    ns.b = 2
    assert (ns.a, ns.b) == (1, 2)


def test_sandbox_unsafe_attribute_sets_match_jinja_and_are_refused():
    from microflask.templating import sandbox

    assert sandbox.UNSAFE_FUNCTION_ATTRIBUTES == set()
    assert sandbox.UNSAFE_METHOD_ATTRIBUTES == set()
    assert sandbox.UNSAFE_GENERATOR_ATTRIBUTES == {"gi_frame", "gi_code"}
    assert sandbox.UNSAFE_COROUTINE_ATTRIBUTES == {"cr_frame", "cr_code"}
    assert sandbox.UNSAFE_ASYNC_GENERATOR_ATTRIBUTES == {"ag_code", "ag_frame"}

    def generator():
        yield 1

    env = sandbox.SandboxedEnvironment()
    gen = generator()
    for attr in sandbox.UNSAFE_GENERATOR_ATTRIBUTES:
        assert not env.is_safe_attribute(gen, attr, getattr(gen, attr))
        assert sandbox.is_internal_attribute(gen, attr)
    gen.close()


def test_sandbox_formatters():
    from microflask.markup import escape
    from microflask.templating.sandbox import (
        SandboxedEnvironment,
        SandboxedEscapeFormatter,
        SandboxedFormatter,
    )

    env = SandboxedEnvironment()
    assert SandboxedFormatter(env).format("{0}-{x}", 1, x="<b>") == "1-<b>"
    assert SandboxedFormatter(env).format("{0.__class__}", 1) == ""
    assert SandboxedEscapeFormatter(env, escape=escape).format("{0}", "<b>") == "&lt;b&gt;"


def test_ext_offers_the_names_extension_code_imports_from_it():
    from microflask.markup import Markup
    from microflask.templating import ext, runtime, utils
    from microflask.templating.ext import Extension, nodes as ext_nodes

    assert ext_nodes is nodes
    assert issubclass(ext.InternationalizationExtension, Extension)
    assert ext.Markup is Markup
    assert ext.Context is runtime.Context
    assert ext.Undefined is runtime.Undefined
    assert ext.pass_context is utils.pass_context
    assert ext.import_string("microflask.templating.ext:Extension") is Extension


def test_debug_module_template_locals_and_rewritten_tracebacks():
    import sys
    import traceback

    from microflask.templating import DictLoader, Environment
    from microflask.templating.debug import (
        fake_traceback,
        get_template_locals,
        rewrite_traceback_stack,
    )
    from microflask.templating.utils import missing

    class FakeContext:
        def get_all(self):
            return {"page": "home", "user": "ann"}

    found = get_template_locals({"context": FakeContext(), "l_0_user": "bob", "l_1_user": "cy",
                                 "l_0_item": missing, "t_1": 5})
    assert found == {"page": "home", "user": "cy"}

    env = Environment(
        loader=DictLoader({"page.html": "a\n{% for x in [0] %}\n{{ 1 // x }}\n{% endfor %}"})
    )
    try:
        env.get_template("page.html").render()
    except Exception:
        frames = traceback.extract_tb(sys.exc_info()[2])
    template_frames = [
        (frame.name, frame.lineno) for frame in frames if frame.filename == "<template>"
    ]
    assert template_frames == [("top-level template code", 3)]

    try:
        raise ValueError("x")
    except ValueError as error:
        entry = fake_traceback(error, None, "some.html", 7)
        assert entry.tb_lineno == 7 and entry.tb_frame.f_code.co_filename == "some.html"
        assert rewrite_traceback_stack() is error


def test_overlay_refuses_async_like_the_constructor():
    import pytest

    from microflask.templating import Environment

    with pytest.raises(RuntimeError, match="async"):
        Environment().overlay(enable_async=True)
