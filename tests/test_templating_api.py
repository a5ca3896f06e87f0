"""The public API of microflask.templating (Jinja's names and behaviour)."""

import io
import logging

import pytest

from microflask.markup import Markup
from microflask.templating import (
    ChainableUndefined,
    DebugUndefined,
    DictLoader,
    Environment,
    FunctionLoader,
    StrictUndefined,
    Template,
    TemplateModule,
    TemplateStream,
    Undefined,
    UndefinedError,
    make_logging_undefined,
    pass_context,
    pass_environment,
    pass_eval_context,
    select_autoescape,
)
from microflask.templating.runtime import Context, LoopContext, Macro


def test_template_directly():
    assert Template("Hello {{ name }}!").render(name="World") == "Hello World!"
    assert Template("{{ a }}{{ b }}").render({"a": 1}, b=2) == "12"
    t1 = Template("x", trim_blocks=True)
    t2 = Template("y", trim_blocks=True)
    assert t1.environment is t2.environment
    assert t1.environment.shared is True
    assert Template("{{ '<' }}", autoescape=True).render() == "&lt;"


def test_generate_and_stream():
    template = Environment().from_string("a{% for i in range(3) %}{{ i }}{% endfor %}b")
    pieces = list(template.generate())
    assert "".join(pieces) == "a012b"
    assert len(pieces) > 1
    stream = template.stream()
    assert isinstance(stream, TemplateStream)
    assert not stream.buffered
    stream.enable_buffering(2)
    assert stream.buffered
    assert "".join(stream) == "a012b"
    out = io.StringIO()
    template.stream().dump(out)
    assert out.getvalue() == "a012b"
    raw = io.BytesIO()
    template.stream().dump(raw, encoding="utf-8")
    assert raw.getvalue() == b"a012b"
    with pytest.raises(ValueError):
        template.stream().enable_buffering(1)


def test_stream_dump_to_path(tmp_path):
    path = tmp_path / "out.txt"
    Environment().from_string("hé").stream().dump(str(path))
    assert path.read_text(encoding="utf-8") == "hé"


def test_module_and_make_module():
    env = Environment()
    template = env.from_string(
        "{% macro hi(n) %}Hi {{ n }}{% endmacro %}{% set answer = 42 %}{% set _hidden = 1 %}body"
    )
    module = template.module
    assert isinstance(module, TemplateModule)
    assert module.hi("x") == "Hi x"
    assert module.answer == 42
    assert not hasattr(module, "_hidden")
    assert str(module) == "body"
    assert template.module is module
    assert "Template module" in repr(module) or "TemplateModule" in repr(module)
    made = template.make_module({"extra": 1})
    assert made.answer == 42
    assert isinstance(module.__html__(), Markup)


def test_template_attributes_and_blocks():
    env = Environment(
        loader=DictLoader({"p.html": "{% block a %}A{% endblock %}{% block b %}{% endblock %}"})
    )
    template = env.get_template("p.html")
    assert template.name == "p.html"
    assert set(template.blocks) == {"a", "b"}
    assert template.environment is env
    assert template.is_up_to_date
    assert repr(template) == "<Template 'p.html'>"
    context = template.new_context({"x": 1})
    assert isinstance(context, Context)
    assert "".join(template.root_render_func(context)) == "A"
    assert "".join(template.blocks["a"](context)) == "A"
    assert isinstance(template.debug_info, list)
    assert template.get_corresponding_lineno(1) == 1


def test_template_globals():
    env = Environment(loader=DictLoader({"g.html": "{{ site }}-{{ shared }}"}))
    env.globals["shared"] = "S"
    template = env.get_template("g.html", globals={"site": "X"})
    assert template.render() == "X-S"
    assert env.from_string("{{ a }}", globals={"a": 5}).render() == "5"
    assert env.from_string("{{ a }}", globals={"a": 5}).render(a=6) == "6"


def test_default_globals_filters_tests_policies():
    env = Environment()
    for name in ("range", "dict", "lipsum", "cycler", "joiner", "namespace"):
        assert name in env.globals
    assert "upper" in env.filters and "defined" in env.tests
    for key in ("compiler.ascii_str", "urlize.rel", "urlize.target", "truncate.leeway",
                "json.dumps_function", "json.dumps_kwargs", "ext.i18n.trimmed"):
        assert key in env.policies
    assert env.is_async is False
    assert env.autoescape is False
    assert env.newline_sequence == "\n"


def test_globals_helpers_in_templates():
    env = Environment()
    out = env.from_string(
        "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}"
        "{% set j = joiner('|') %}{% for i in [1,2] %}{{ j() }}{{ i }}{% endfor %}"
        "{{ dict(a=1)['a'] }}{% set ns = namespace(v=1) %}{% set ns.v = 2 %}{{ ns.v }}"
    ).render()
    assert out == "aba1|212"
    assert len(env.from_string("{{ lipsum(1, false, 5, 6) }}").render().split()) == 5


def test_cache_and_auto_reload():
    sources = {"t.html": "one"}
    uptodate = {"value": True}

    def load(name):
        return sources[name], None, lambda: uptodate["value"]

    env = Environment(loader=FunctionLoader(load))
    first = env.get_template("t.html")
    assert env.get_template("t.html") is first
    sources["t.html"] = "two"
    assert env.get_template("t.html").render() == "one"
    uptodate["value"] = False
    assert env.get_template("t.html").render() == "two"
    env.auto_reload = False
    assert env.get_template("t.html") is env.get_template("t.html")


def test_cache_size_options():
    loader = DictLoader({"a": "A", "b": "B"})
    assert Environment(loader=loader, cache_size=0).cache is None
    no_cache = Environment(loader=loader, cache_size=0)
    assert no_cache.get_template("a") is not no_cache.get_template("a")
    unbounded = Environment(loader=loader, cache_size=-1)
    assert unbounded.get_template("a") is unbounded.get_template("a")
    small = Environment(loader=loader, cache_size=1)
    a = small.get_template("a")
    small.get_template("b")
    assert small.get_template("a") is not a


def test_select_and_get_or_select():
    env = Environment(loader=DictLoader({"b.html": "B"}))
    assert env.select_template(["a.html", "b.html"]).render() == "B"
    assert env.get_or_select_template("b.html").render() == "B"
    assert env.get_or_select_template(["x", "b.html"]).render() == "B"
    template = env.get_template("b.html")
    assert env.get_template(template) is template
    assert env.from_string("{% include t %}").render(t=template) == "B"


def test_list_templates():
    env = Environment(loader=DictLoader({"a.html": "", "b.txt": "", "c.html": ""}))
    assert env.list_templates() == ["a.html", "b.txt", "c.html"]
    assert env.list_templates(extensions=["html"]) == ["a.html", "c.html"]
    assert env.list_templates(filter_func=lambda n: n.startswith("b")) == ["b.txt"]


def test_overlay_and_extend():
    env = Environment(trim_blocks=False)
    env.filters["shout"] = lambda s: s.upper() + "!"
    overlay = env.overlay(trim_blocks=True)
    assert overlay.overlayed and overlay.linked_to is env
    assert overlay.from_string("{% if 1 %}\nx{{ 'a'|shout }}{% endif %}").render() == "xA!"
    assert env.from_string("{% if 1 %}\nx{% endif %}").render() == "\nx"
    env.extend(custom_attr=1)
    env.extend(custom_attr=2)
    assert env.custom_attr == 1


def test_generate_source_is_readable_python():
    env = Environment()
    source = env.generate_source("{% for u in users %}{{ u.name }}{% endfor %}")
    assert source == env.compile("{% for u in users %}{{ u.name }}{% endfor %}", raw=True)
    assert "def root(context" in source
    assert "for l_" in source
    compile(source, "<generated>", "exec")


def test_lex_and_parse():
    env = Environment()
    tokens = list(env.lex("a {{ b }}"))
    assert tokens[0] == (1, "data", "a ")
    assert (1, "name", "b") in tokens
    tree = env.parse("{% if x %}y{% endif %}")
    assert type(tree).__name__ == "Template"  # Jinja's node names


def test_extensions():
    env = Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    assert env.from_string("{% set l = [] %}{% do l.append(1) %}{{ l }}").render() == "[1]"
    with pytest.raises(ImportError):  # as Jinja: the path is imported
        Environment(extensions=["no_such_module_here.extensions.CustomTag"])


def test_finalize():
    env = Environment(finalize=lambda v: "" if v is None else v)
    assert env.from_string("[{{ none }}][{{ 1 }}]").render() == "[][1]"

    @pass_context
    def finalize_ctx(context, value):
        return "%s:%s" % (context["prefix"], value)

    env = Environment(finalize=finalize_ctx)
    assert env.from_string("{{ 1 }}").render(prefix="p") == "p:1"


def test_pass_arg_markers_on_filters_tests_globals():
    env = Environment()

    @pass_context
    def with_context(context, value):
        return "%s-%s" % (context.get("who"), value)

    @pass_eval_context
    def with_eval(eval_ctx, value):
        return "%s-%s" % (eval_ctx.autoescape, value)

    @pass_environment
    def with_env(environment, value):
        return environment is env

    env.filters.update(ctxf=with_context, evalf=with_eval, envf=with_env)
    env.tests["envtest"] = with_env
    env.globals.update(gctx=with_context, genv=with_env)
    out = env.from_string(
        "{{ 1|ctxf }} {{ 2|evalf }} {{ 3|envf }} {{ 4 is envtest }} {{ gctx(5) }} {{ genv(6) }}"
    ).render(who="me")
    assert out == "me-1 False-2 True True me-5 True"


def test_call_filter_and_call_test():
    env = Environment()
    assert env.call_filter("upper", "a") == "A"
    assert env.call_filter("join", [1, 2], args=("-",)) == "1-2"
    assert env.call_test("odd", 3) is True
    assert env.call_test("divisibleby", 6, args=(3,)) is True


def test_compile_expression():
    env = Environment()
    expr = env.compile_expression("foo == 42")
    assert expr(foo=42) is True
    assert expr(foo=1) is False
    assert env.compile_expression("missing_var")() is None
    assert isinstance(env.compile_expression("missing_var", undefined_to_none=False)(), Undefined)


def test_undefined_classes():
    assert str(Undefined()) == ""
    assert list(Undefined()) == []
    assert not Undefined()
    assert len(Undefined()) == 0
    assert Undefined() == Undefined()
    with pytest.raises(UndefinedError, match="'x' is undefined"):
        Undefined(name="x") + 1
    with pytest.raises(UndefinedError, match="'dict object' has no attribute 'y'"):
        Undefined(obj={}, name="y").z  # noqa: B018
    assert str(DebugUndefined(name="x")) == "{{ x }}"
    assert str(DebugUndefined(obj={}, name="y")) == "{{ no such element: dict object['y'] }}"
    assert str(ChainableUndefined(name="x").a.b["c"]) == ""
    with pytest.raises(UndefinedError):
        str(StrictUndefined(name="x"))
    with pytest.raises(UndefinedError):
        bool(StrictUndefined(name="x"))
    assert repr(Undefined()) == "Undefined"


def test_logging_undefined(caplog):
    logger = logging.getLogger("templating-test")
    LoggingUndefined = make_logging_undefined(logger, Undefined)
    env = Environment(undefined=LoggingUndefined)
    with caplog.at_level(logging.WARNING, logger="templating-test"):
        assert env.from_string("[{{ missing }}]").render() == "[]"
    assert "Template variable warning: 'missing' is undefined" in caplog.text
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing.attr }}").render()


def test_loop_context_directly():
    loop = LoopContext(iter("abc"), Undefined)
    seen = []
    for item, ctx in loop:
        seen.append((item, ctx.index, ctx.revindex, ctx.first, ctx.last, ctx.length))
    assert seen == [
        ("a", 1, 3, True, False, 3),
        ("b", 2, 2, False, False, 3),
        ("c", 3, 1, False, True, 3),
    ]
    assert repr(loop) == "<LoopContext 3/3>"
    with pytest.raises(TypeError, match="marked recursive"):
        loop([1])
    with pytest.raises(TypeError, match="no items for cycling given"):
        LoopContext([1], Undefined).cycle()


def test_macro_object():
    env = Environment()
    module = env.from_string(
        "{% macro m(a, b=2) %}{{ a }}{{ b }}{{ caller() }}{% endmacro %}"
    ).module
    macro = module.m
    assert isinstance(macro, Macro)
    assert macro.name == "m"
    assert macro.arguments == ("a", "b")
    assert macro.caller is True
    assert macro.catch_kwargs is False and macro.catch_varargs is False
    assert macro(1, caller=lambda: "C") == "12C"
    assert repr(macro) == "<Macro 'm'>"


def test_context_api():
    env = Environment()
    template = env.from_string("{% set x = 1 %}{% set _y = 2 %}")
    context = template.new_context({"a": 1})
    "".join(template.root_render_func(context))
    assert context["a"] == 1
    assert context.get("nope", 5) == 5
    assert "x" in context and "a" in context
    assert context.get_exported() == {"x": 1}
    assert context.exported_vars == {"x"}
    assert context.get_all()["_y"] == 2
    assert context.resolve("a") == 1
    assert isinstance(context.resolve("nope"), Undefined)
    assert context.resolve_or_missing("nope") is not None
    assert context.call(lambda v: v + 1, 1) == 2
    assert context.eval_ctx.autoescape is False
    assert context.environment is env
    with pytest.raises(KeyError):
        context["nope"]


def test_resolve_names_gives_what_resolve_gives_name_by_name():
    env = Environment(undefined=DebugUndefined)
    template = env.from_string("{% set x = 1 %}")
    context = template.new_context({"a": "A", "shadowed": "outer"}, shared=True)
    context.vars["shadowed"] = "inner"
    names = ("a", "x", "shadowed", "nope")
    fast = context.resolve_names(names)
    one_by_one = Context._resolve_names_one_by_one(context, names)
    by_resolve = [context.resolve(name) for name in names]
    for values in (fast, one_by_one):
        assert [str(value) for value in values] == [str(value) for value in by_resolve]
        assert [type(value) for value in values] == [type(value) for value in by_resolve]
    assert str(fast[3]) == "{{ nope }}"


def test_context_class_overriding_resolve_or_missing_is_used_for_template_names():
    class ShoutingContext(Context):
        def resolve_or_missing(self, key):
            value = super().resolve_or_missing(key)
            return value.upper() if isinstance(value, str) else value

    class ShoutingEnvironment(Environment):
        context_class = ShoutingContext

    env = ShoutingEnvironment()
    assert env.from_string("{{ greeting }} {{ nope }}.").render(greeting="hi") == "HI ."
    assert ShoutingContext.resolve_names is Context._resolve_names_one_by_one


def test_select_autoescape_callable():
    env = Environment(
        autoescape=select_autoescape(["html"]),
        loader=DictLoader({"a.html": "{{ x }}", "a.txt": "{{ x }}"}),
    )
    assert env.get_template("a.html").render(x="<") == "&lt;"
    assert env.get_template("a.txt").render(x="<") == "<"


def test_markup_and_html_objects_are_not_escaped():
    class Html:
        def __html__(self):
            return "<i>ok</i>"

    env = Environment(autoescape=True)
    assert (
        env.from_string("{{ a }}{{ b }}{{ c }}").render(a=Markup("<b>"), b=Html(), c="<")
        == "<b><i>ok</i>&lt;"
    )


def test_async_is_refused_clearly():
    with pytest.raises(RuntimeError, match="async"):
        Environment(enable_async=True)


def test_meta_find_undeclared_variables_and_referenced_templates():
    from microflask.templating import meta

    env = Environment()
    assert meta.find_undeclared_variables(env.parse("{% set foo = 42 %}{{ bar + foo }}")) == {"bar"}
    assert meta.find_undeclared_variables(
        env.parse(
            "{% macro m(x) %}{{ x }}{% endmacro %}{% for i in seq %}{{ f(i) + m(seq) }}{% endfor %}"
        )
    ) == {"seq", "f"}
    assert (
        meta.find_undeclared_variables(
            env.parse("{% block b %}{{ self.x() }}{{ super() }}{% endblock %}")
        )
        == set()
    )
    ast = env.parse(
        "{% extends 'layout.html' %}{% include helper %}{% include ['a', x] %}"
        "{% from 'f' import g %}"
    )
    assert list(meta.find_referenced_templates(ast)) == ["layout.html", None, "a", None, "f"]


def test_ext_module_names_builtin_extensions():
    from microflask.templating import ext

    env = Environment(extensions=[ext.do, ext.loopcontrols, "microflask.templating.ext.do"])
    out = env.from_string(
        "{% set l = [] %}{% for i in range(5) %}{% if i == 3 %}{% break %}{% endif %}"
        "{% do l.append(i) %}{% endfor %}{{ l }}"
    ).render()
    assert out == "[0, 1, 2]"


def test_changed_template_file_reloads(tmp_path):
    import os

    from microflask.templating import FileSystemLoader

    path = tmp_path / "page.html"
    path.write_text("one", encoding="utf-8")
    env = Environment(loader=FileSystemLoader(str(tmp_path)))
    first = env.get_template("page.html")
    assert first.render() == "one"
    path.write_text("two", encoding="utf-8")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))
    assert env.get_template("page.html").render() == "two"
    frozen = Environment(loader=FileSystemLoader(str(tmp_path)), auto_reload=False)
    kept = frozen.get_template("page.html")
    path.write_text("three", encoding="utf-8")
    os.utime(path, (stat.st_atime, stat.st_mtime + 20))
    assert frozen.get_template("page.html") is kept


def test_sandbox_format_string():
    from microflask.markup import Markup
    from microflask.templating.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment()
    assert env.format_string("{0.__class__}|{0}", (1,), {}) == "|1"
    assert env.format_string(Markup("<b>{0}</b>"), ("<i>",), {}) == "<b>&lt;i&gt;</b>"


def test_stream_pieces_match_jinja_buffering():
    template = Environment().from_string(
        "<ul>{% for item in seq %}<li>{{ loop.index }} - {{ item }}</li>{%- endfor %}</ul>"
    )
    stream = template.stream(seq=list(range(3)))
    assert next(stream) == "<ul>"
    assert "".join(stream) == "<li>1 - 0</li><li>2 - 1</li><li>3 - 2</li></ul>"
    stream = template.stream(seq=list(range(3)))
    stream.enable_buffering(size=3)
    assert next(stream) == "<ul><li>1"
    assert next(stream) == " - 0</li>"


# -- behaviours matched to Jinja after running its own suite -------------------


def test_eval_context_lives_in_nodes_and_picks_macro_autoescape():
    from microflask.templating.nodes import EvalContext

    env = Environment(autoescape=False)
    module = env.from_string("{% macro shout(text) %}<b>{{ text }}</b>{% endmacro %}").module
    plain = module.shout("<i>")
    assert plain == "<b><i></b>" and not isinstance(plain, Markup)
    escaping = EvalContext(Environment(autoescape=True))
    marked = module.shout(escaping, "<i>")
    assert isinstance(marked, Markup)


def test_lexer_count_newlines_counts_every_line_break_style():
    from microflask.templating.lexer import count_newlines

    assert count_newlines("one\r\ntwo\nthree\rfour") == 3
    assert count_newlines("") == 0


def test_undeclared_variables_leave_out_environment_globals():
    from microflask.templating import meta

    env = Environment()
    tree = env.parse("{% for n in range(3) %}{{ n }}{% endfor %}{{ title }}{{ cycler }}")
    assert meta.find_undeclared_variables(tree) == {"title"}
    env.globals["site_name"] = "x"
    assert meta.find_undeclared_variables(env.parse("{{ site_name }}{{ other }}")) == {"other"}


def test_set_unpacks_into_namespace_attributes():
    env = Environment()
    source = (
        "{% set ns = namespace(total=1, last=none) %}"
        "{% for n in [2, 3] %}{% set ns.total, ns.last = ns.total * n, n %}{% endfor %}"
        "{% set first, ns.extra = 'a', 'b' %}"
        "{{ ns.total }} {{ ns.last }} {{ first }} {{ ns.extra }}"
    )
    assert env.from_string(source).render() == "6 3 a b"


def test_a_thousand_elifs_compile():
    branches = "".join("{%% elif v == %d %%}%d" % (i, i) for i in range(1, 1000))
    template = Environment().from_string(
        "{% if v == 0 %}0" + branches + "{% else %}none{% endif %}"
    )
    assert [template.render(v=v) for v in (0, 500, 999, 1000)] == ["0", "500", "999", "none"]


@pytest.mark.parametrize("name", ["\u1885", "\u2118", "\u212e", "a\xb7b"])
def test_other_id_start_and_continue_characters_are_names(name):
    assert Environment().from_string("{{ %s }}" % name).render({name: "ok"}) == "ok"


def test_pass_context_functions_see_loop_and_block_sets():
    @pass_context
    def show(ctx):
        return "%s%s" % (ctx.get("i"), ctx.get("j", "-"))

    env = Environment()
    env.globals["show"] = show
    in_loop = env.from_string(
        "{% set i = 7 %}{% for n in [1, 2] %}{{ show() }}"
        "{% set i = n %}{% set j = n * 10 %}{{ show() }}|{% endfor %}{{ show() }}"
    )
    assert in_loop.render() == "7-110|7-220|7-"
    in_block = env.from_string(
        "{% set i = 1 %}{% block b %}{{ show() }}{% set i = 2 %}{{ show() }}{% endblock %}"
        "{{ show() }}"
    )
    assert in_block.render() == "1-2-1-"


def test_loop_and_block_vars_are_not_passed_to_plain_callables_or_macros():
    env = Environment()
    env.globals["take"] = lambda *a, **k: "%d/%d" % (len(a), len(k))
    source = (
        "{% macro m(x) %}m{{ x }}{% endmacro %}"
        "{% for n in [1] %}{% set i = n %}{{ take(1) }} {{ m(i) }}{% endfor %}"
    )
    assert env.from_string(source).render() == "1/0 m1"


def test_context_reference_nodes_compile_to_the_render_context():
    from microflask.templating import nodes

    env = Environment()
    env.globals["probe"] = lambda ctx, derived: "%s:%s:%s" % (
        type(ctx).__name__,
        ctx.get("x"),
        derived.get("x"),
    )
    tree = env.parse("{% for x in [1, 2] %}{{ probe(0) }} {% endfor %}")
    call = next(tree.find_all(nodes.CallNode))
    call.args = [nodes.ContextReference(), nodes.DerivedContextReference()]
    assert nodes.ContextReference is nodes.ContextReferenceNode
    assert env.from_string(tree).render() == "Context:None:1 Context:None:2 "


def test_debug_extension_prints_context_filters_and_tests():
    from microflask.templating import TemplateSyntaxError
    from microflask.templating.ext import DebugExtension

    with pytest.raises(TemplateSyntaxError, match="unknown tag 'debug'"):
        Environment().from_string("{% debug %}")
    for extension in ("jinja2.ext.debug", DebugExtension):
        env = Environment(extensions=[extension])
        out = env.from_string("{% set shown = 1 %}{% debug %}").render(page="<p>")
        assert out.startswith("{'context': {")
        for expected in ("'shown': 1", "'page': '<p>'", "'filters': ['abs',", "'tests': ['!=',"):
            assert expected in out
    escaped = Environment(extensions=["jinja2.ext.debug"], autoescape=True)
    assert "&lt;p&gt;" in escaped.from_string("{% debug %}").render(page="<p>")


def test_pass_context_scope_vars_follow_jinja_frames():
    @pass_context
    def show(ctx):
        return "[%s|%s]" % (ctx.get("i"), ctx.get("j"))

    env = Environment()
    env.globals["show"] = show
    # a loop inside a block hands over only its own sets
    assert env.from_string(
        "{% block x %}{% set i = 5 %}{% for a in [1] %}{% set j = a %}{{ show() }}"
        "{% endfor %}{{ show() }}{% endblock %}"
    ).render() == "[None|1][5|None]"
    # with blocks and set blocks get neither
    assert env.from_string(
        "{% for a in [1] %}{% set i = 3 %}{% with j = 9 %}{{ show() }}{% endwith %}"
        "{% set k %}{{ show() }}{% endset %}{{ k }}{{ show() }}{% endfor %}"
    ).render() == "[None|None][None|None][3|None]"
