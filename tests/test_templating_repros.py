"""Template bugs found in real projects' templates, each checked against
Jinja2's output (the expected strings below were produced by Jinja2 3.1 on
the same templates)."""

import platform

import pytest

from microflask.templating import (
    DictLoader,
    Environment,
    TemplateAssertionError,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
    pass_context,
    pass_eval_context,
)
from microflask.templating.compiler import CodeGenerator
from microflask.templating.sandbox import SandboxedEnvironment


def heading(value, level, **attrs):
    attrs_text = "".join(' %s="%s"' % item for item in sorted(attrs.items()))
    return "<h%d%s>%s</h%d>" % (level, attrs_text, value, level)


def show(*args, **kwargs):
    return "%s %s" % (args, sorted(kwargs.items()))


def has_class_and_for(value, *args, **kwargs):
    return sorted(kwargs) == ["class", "for"]


def make_env(**options):
    env = Environment(**options)
    env.filters["heading"] = heading
    env.filters["show"] = show
    env.tests["has_class_and_for"] = has_class_and_for
    env.globals["show"] = show
    return env


def render(source, **context):
    return make_env().from_string(source).render(**context)


# -- 1. keyword arguments named like Python keywords ------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        ("{{ dict(class='a', for='b')|dictsort }}", "[('class', 'a'), ('for', 'b')]"),
        (
            "{% filter heading(2, class='doc-heading') %}Title{% endfilter %}",
            '<h2 class="doc-heading">Title</h2>',
        ),
        ("{{ 'x'|heading(1, class='a', id='b') }}", '<h1 class="a" id="b">x</h1>'),
        (
            "{{ 'v' is has_class_and_for(class=1, for=2) }}|"
            "{{ 'v' is has_class_and_for(class=1) }}",
            "True|False",
        ),
        (
            "{% macro m(class, for=2) %}{{ class }}{{ for }}{% endmacro %}"
            "{{ m(1) }}{{ m(class=3, for=4) }}",
            "1234",
        ),
        (
            "{% macro m(class) %}{{ caller(1) }}{{ class }}{% endmacro %}"
            "{% call(for) m(class=2) %}x{{ for }}{% endcall %}",
            "x12",
        ),
        (
            "{% macro m(class) %}{{ caller(for=5) }}{{ class }}{% endmacro %}"
            "{% call(for=0) m(class=2) %}x{{ for }}{% endcall %}",
            "x52",
        ),
        ("{% set x | heading(3, class='h') %}T{% endset %}{{ x }}", '<h3 class="h">T</h3>'),
        ("{{ show(1, *[2], class=3, **{'x': 4}) }}", "(1, 2) [('class', 3), ('x', 4)]"),
        # As in Jinja: the ** mapping wins over a keyword-named argument ...
        ("{{ show(class=1, **{'class': 2}) }}", "() [('class', 2)]"),
        # ... and a repeated one keeps its last value.
        ("{{ show(class=1, class=2) }}", "() [('class', 2)]"),
        (
            "{{ show(True=1, None=2, False=3, in=4, not=5, and=6, is=7, if=8, import=9, lambda=10) "
            "}}",
            "() [('False', 3), ('None', 2), ('True', 1), ('and', 6), ('if', 8), ('import', 9),"
            " ('in', 4), ('is', 7), ('lambda', 10), ('not', 5)]",
        ),
        # Soft keywords are plain Python keyword arguments.
        (
            "{{ show(match=1, case=2, type=3, _=4) }}",
            "() [('_', 4), ('case', 2), ('match', 1), ('type', 3)]",
        ),
        # A loop body with {% set %} passes its loop vars to calls too.
        ("{% for i in [1] %}{% set z = 1 %}{{ show(class=i) }}{% endfor %}", "() [('class', 1)]"),
        (
            "{% for i in [1] %}{% set z = 1 %}{{ show(class=i, _loop_vars=2) }}{% endfor %}",
            "() [('class', 1)]",
        ),
        ("{{ namespace(class=1, for=2).for }}", "2"),
    ],
)
def test_keyword_arguments_named_like_python_keywords(source, expected):
    assert render(source) == expected


def test_keyword_argument_that_is_no_identifier_at_all():
    # Extensions build trees by hand; a key the lexer could never produce
    # still reaches the callee.
    env = make_env()
    tree = env.parse("{{ show(x=1) }}")
    tree.find(nodes.KeywordNode).key = "data-id"
    assert env.from_string(tree).render() == "() [('data-id', 1)]"


def test_names_with_characters_python_refuses_are_a_syntax_error():
    # Jinja2: "Invalid character in identifier" from the lexer.
    for source in ["{{ dict(a\u00b2=1) }}", "{% set x\u00b2 = 1 %}{{ x\u00b2 }}"]:
        with pytest.raises(TemplateSyntaxError) as info:
            make_env().from_string(source)
        assert info.value.message == "Invalid character in identifier"


@pytest.mark.parametrize(
    "source, message",
    [
        ("line one\n{{ show(a=1, a=2) }}", "keyword argument repeated: 'a'"),
        (
            "{% macro m() %}{% endmacro %}\n{% call m(caller=1) %}x{% endcall %}",
            "keyword argument repeated: 'caller'",
        ),
        (
            "line one\n{% macro f(a, a) %}{{ a }}{% endmacro %}",
            "duplicate argument 'a' in macro 'f'",
        ),
        # The engine's own keyword for pass_context calls in a loop/block with {% set %}.
        (
            "{% for i in [1] %}{% set z = 1 %}\n{{ show(_loop_vars=1) }}{% endfor %}",
            "keyword argument repeated: '_loop_vars'",
        ),
        (
            "{% block b %}{% set z = 1 %}\n{{ show(_block_vars=1) }}{% endblock %}",
            "keyword argument repeated: '_block_vars'",
        ),
    ],
)
def test_repeated_names_are_reported_at_their_line(source, message):
    # Jinja2 leaks a bare Python SyntaxError from its code generator here.
    with pytest.raises(TemplateAssertionError) as info:
        make_env().from_string(source)
    assert info.value.message == message
    assert info.value.lineno == 2


# -- 2. macro parameters named kwargs, varargs or caller ----------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "{% macro f(field, kwargs={}) %}{{ field }} {{ kwargs|dictsort }}{% endmacro %}"
            "{{ f('name', kwargs={'size': 3}) }}|{{ f('x') }}",
            "name [('size', 3)]|x []",
        ),
        (
            "{% macro f(field, varargs=()) %}{{ field }} {{ varargs }}{% endmacro %}"
            "{{ f('name', varargs=(1, 2)) }}|{{ f('x') }}",
            "name (1, 2)|x ()",
        ),
        (
            "{% macro f(kwargs, varargs) %}{{ kwargs }} {{ varargs }}{% endmacro %}"
            "{{ f(1, 2) }}|{{ f(varargs=3) }}",
            "1 2| 3",
        ),
        (
            "{% macro f(field, caller=none) %}{{ field }} {{ caller() if caller else 'no caller' }}"
            "{% endmacro %}{{ f('a') }}|{% call f('b') %}body{% endcall %}",
            "a no caller|b body",
        ),
        (
            "{% macro m() %}{{ caller(1, kwargs=2) }}{% endmacro %}"
            "{% call(a, kwargs=0) m() %}{{ a }}{{ kwargs }}{% endcall %}",
            "12",
        ),
        (
            "{% macro f(kwargs={}) %}{{ kwargs }}{% endmacro %}"
            "{{ f.arguments }} {{ f.catch_kwargs }} {{ f.catch_varargs }}",
            "('kwargs',) False False",
        ),
        (
            "{% macro f(varargs=1) %}{{ varargs }}{% endmacro %}"
            "{{ f.arguments }} {{ f.catch_kwargs }} {{ f.catch_varargs }}",
            "('varargs',) False False",
        ),
        (
            "{% macro f(x, varargs, kwargs, caller=none) %}{{ x }}{{ varargs }}{{ kwargs }}"
            "{{ caller }}{% endmacro %}{{ f(1, 2, 3) }}",
            "123None",
        ),
        ("{% macro f(kwargs, b=kwargs) %}{{ b }}{% endmacro %}{{ f(1) }}", "1"),
        # A nested macro's special names count for the outer macro too (as in Jinja).
        (
            "{% macro outer() %}{% macro inner() %}{{ varargs }}{% endmacro %}{{ inner() }}"
            "{% endmacro %}{{ outer(1, 2) }}|{{ outer.catch_varargs }}",
            "()|True",
        ),
        (
            "{% macro outer() %}{% macro inner() %}{{ kwargs }}{% endmacro %}{{ inner(b=1) }}"
            "{% endmacro %}{{ outer(a=1) }}",
            "{'b': 1}",
        ),
        (
            "{% macro outer() %}{% macro inner() %}[{{ caller is defined }}]{% endmacro %}"
            "{{ inner() }}{% endmacro %}{% call outer() %}x{% endcall %}",
            "[False]",
        ),
        (
            "{% macro outer(varargs=1) %}{% macro inner() %}{{ varargs }}{% endmacro %}"
            "{{ inner(3) }}{% endmacro %}{{ outer() }}",
            "(3,)",
        ),
    ],
)
def test_macro_parameters_named_like_the_special_variables(source, expected):
    assert render(source) == expected


def test_a_kwargs_or_varargs_parameter_catches_nothing_extra():
    env = make_env()
    with pytest.raises(TypeError, match=r"macro 'f' takes not more than 2 argument\(s\)"):
        env.from_string(
            "{% macro f(field, varargs=()) %}{{ varargs }}{% endmacro %}{{ f('x', 5, 6) }}"
        ).render()
    with pytest.raises(TypeError, match="macro 'f' takes no keyword argument 'a'"):
        env.from_string(
            "{% macro f(field, kwargs={}) %}{{ kwargs }}{% endmacro %}{{ f('x', a=1) }}"
        ).render()


def test_a_caller_parameter_without_default_is_refused_when_used():
    with pytest.raises(TemplateAssertionError, match='special "caller" argument must be omitted'):
        make_env().from_string("{% macro f(field, caller) %}{{ caller }}{% endmacro %}")


# -- 3. the real cause of a failure to compile the generated code --------------------


class _BrokenNameGenerator(CodeGenerator):
    """Writes invalid Python for the variable ``broken``."""

    def expr_Name(self, node, frame):
        if node.name == "broken":
            return "(1 +"
        return super().expr_Name(node, frame)


def test_invalid_generated_code_is_reported_as_a_compiler_bug_at_its_template_line():
    env = Environment(loader=DictLoader({"page.html": "line one\n{{ x }}\n{{ broken }}\nend\n"}))
    env.code_generator_class = _BrokenNameGenerator
    with pytest.raises(TemplateSyntaxError) as info:
        env.get_template("page.html")
    error = info.value
    assert error.message.startswith(
        "microflask could not compile the generated code for this template"
        " (a bug in the template compiler): "
    )
    assert "nested too deeply" not in error.message
    assert error.lineno == 3
    assert error.name == "page.html"
    assert isinstance(error.__cause__, SyntaxError) or error.__cause__ is None


def test_python_nesting_limits_still_say_nested_too_deeply():
    source = "".join("{%% for x%d in y %%}\n" % i for i in range(25)) + "{% endfor %}" * 25
    if platform.python_implementation() != "CPython":
        # PyPy's compiler has no limit of 20 nested blocks: the template works.
        assert Environment().from_string(source).render(y=[1]) == "\n" * 25
        return
    with pytest.raises(TemplateSyntaxError) as info:
        Environment().from_string(source)
    assert "nested too deeply" in info.value.message
    assert "a bug in the template compiler" not in info.value.message
    assert 1 <= info.value.lineno <= 25


# -- 8. loop inside a scoped block ---------------------------------------------------

_SCOPED_BASE = (
    "{% for item in items %}<li>{% block item scoped %}{{ item }}{% endblock %}</li>{% endfor %}"
)


@pytest.mark.parametrize(
    "templates, expected",
    [
        (
            {
                "base": _SCOPED_BASE,
                "child": (
                    '{% extends "base" %}{% block item %}[{{ item|upper }}:{{ loop.index }}]'
                    '{% endblock %}'
                ),
            },
            "<li>[A:1]</li><li>[B:2]</li>",
        ),
        (
            {
                "base": _SCOPED_BASE,
                "child": '{% extends "base" %}{% block item %}'
                '[{{ loop.length }}{{ loop.first }}{{ loop.cycle("x", "y") }}]{% endblock %}',
            },
            "<li>[2Truex]</li><li>[2Falsey]</li>",
        ),
        (
            {
                "base": "{% for item in items %}{% for x in [1] %}{% block item scoped %}{{ item }}"
                "{% endblock %}{% endfor %}{% endfor %}",
                "child": (
                    '{% extends "base" %}{% block item %}[{{ loop.index }}{{ x }}]{% endblock %}'
                ),
            },
            "[11][11]",
        ),
        (
            {
                "base": (
                    "{% for item in items %}{% block item scoped %}{{ super }}{% endblock %}"
                    "{% endfor %}"
                ),
                "child": (
                    '{% extends "base" %}{% block item %}[{{ super() }}|{{ loop.index }}]'
                    '{% endblock %}'
                ),
            },
            "[|1][|2]",
        ),
        (
            {
                "base": "{% for item in items if item != 'b' %}{% block item scoped %}{{ item }}"
                "{% endblock %}{% endfor %}",
                "child": (
                    '{% extends "base" %}{% block item %}[{{ loop.index }}{{ loop.length }}]'
                    '{% endblock %}'
                ),
            },
            "[11]",
        ),
        (
            {
                "base": "{% for item in items %}{% block item scoped %}{% block inner scoped %}"
                "{% endblock %}{% endblock %}{% endfor %}",
                "child": '{% extends "base" %}{% block inner %}[{{ loop.index }}]{% endblock %}',
            },
            "[1][2]",
        ),
        (
            {
                "base": "{% for item in items %}{% macro m() %}{% block item scoped %}"
                "{% endblock %}{% endmacro %}{{ m() }}{% endfor %}",
                "child": (
                    '{% extends "base" %}{% block item %}[{{ loop.index }}]{% endblock %}'
                ),
            },
            "[1][2]",
        ),
        # Not scoped: the block sees neither the item nor the loop.
        (
            {
                "base": (
                    "{% for item in items %}<li>{% block item %}{{ item }}{% endblock %}</li>"
                    "{% endfor %}"
                ),
                "child": (
                    '{% extends "base" %}{% block item %}[{{ item }}:{{ loop }}]{% endblock %}'
                ),
            },
            "<li>[:]</li><li>[:]</li>",
        ),
    ],
)
def test_loop_is_visible_in_a_scoped_block(templates, expected):
    env = Environment(loader=DictLoader(templates))
    name = "child" if "child" in templates else "base"
    assert env.get_template(name).render(items=["a", "b"]) == expected


def test_loop_is_not_passed_to_an_include():
    env = Environment(
        loader=DictLoader(
            {
                "base": "{% for item in items %}{% include 'inc' %}{% endfor %}",
                "inc": "[{{ loop.index }}]",
            }
        )
    )
    with pytest.raises(UndefinedError, match="'loop' is undefined"):
        env.get_template("base").render(items=["a"])


# -- 9. constant folding under autoescape --------------------------------------------

_calls = []


def counting(value):
    _calls.append(value)
    return "%s#%d" % (value, len(_calls))


@pass_context
def with_context(context, value):
    return value + "!"


@pass_eval_context
def with_eval_context(eval_ctx, value):
    return "%s:%s" % (value, eval_ctx.autoescape)


def fold_env(**options):
    env = Environment(**options)
    env.filters.update(
        counting=counting, with_context=with_context, with_eval_context=with_eval_context
    )
    return env


@pytest.mark.parametrize(
    "source, expected",
    [
        # ~ of constants is folded to a plain str: the Markup is lost.
        ("{{ '<b>'|safe ~ '<i>' }}", "&lt;b&gt;&lt;i&gt;"),
        ("{% set x = '<b>'|safe ~ '<i>' %}{{ x }}", "&lt;b&gt;&lt;i&gt;"),
        ("{{ ('<b>'|safe ~ '<i>')|safe }}", "<b><i>"),
        ("{{ ('<b>'|safe) ~ ('<i>'|safe) }}", "&lt;b&gt;&lt;i&gt;"),
        ("{{ '<b>'|safe ~ '' }}", "&lt;b&gt;"),
        ("{{ '<b>'|e ~ '<i>' }}", "&amp;lt;b&amp;gt;&lt;i&gt;"),
        ("{{ ('<b>'|e ~ '<i>')|length }}", "12"),
        ("{{ '<'|forceescape ~ '<' }}", "&amp;lt;&lt;"),
        ("{{ ('<b>'|safe ~ '<i>')|striptags }}", ""),
        ("{{ ('<b>'|safe ~ '<i>')|upper }}", "&lt;B&gt;&lt;I&gt;"),
        ("{{ '<b>'|safe|trim ~ '<' }}", "&lt;b&gt;&lt;"),
        ("{{ ('<b>'|safe)[0] ~ '<' }}", "&lt;&lt;"),
        ("{{ '<b>'|safe ~ '<i>' ~ 1.5 ~ none ~ true }}", "&lt;b&gt;&lt;i&gt;1.5NoneTrue"),
        ("{{ '<b>'|safe ~ '<i>' if true else 'x' }}", "&lt;b&gt;&lt;i&gt;"),
        ("{{ ['<b>'|safe ~ '<i>'][0] }}", "&lt;b&gt;&lt;i&gt;"),
        ("{{ {'k': ('<b>'|safe ~ '<i>')}.k }}", "&lt;b&gt;&lt;i&gt;"),
        ("{{ x|default('<b>'|safe ~ '<i>') }}", "&lt;b&gt;&lt;i&gt;"),
        ("{{ f('<b>'|safe ~ '<i>') }}", "&lt;b&gt;&lt;i&gt;"),
        ("{{ ('<b>'|safe ~ '<i>') ~ name }}", "&lt;b&gt;&lt;i&gt;&lt;n&gt;"),
        ("{{ name ~ ('<b>'|safe ~ '<i>') }}", "&lt;n&gt;&lt;b&gt;&lt;i&gt;"),
        ("{% macro m() %}{{ '<b>'|safe ~ '<i>' }}{% endmacro %}{{ m() }}", "&lt;b&gt;&lt;i&gt;"),
        ("{% macro m(a='<b>'|safe ~ '<i>') %}{{ a }}{% endmacro %}{{ m() }}", "&lt;b&gt;&lt;i&gt;"),
        ("{% set ns = namespace(a='<b>'|safe ~ '<i>') %}{{ ns.a }}", "&lt;b&gt;&lt;i&gt;"),
        ("{% for x in ['<b>'|safe ~ '<i>'] %}{{ x }}{% endfor %}", "&lt;b&gt;&lt;i&gt;"),
        ("{% with y = '<b>'|safe ~ '<i>' %}{{ y }}{% endwith %}", "&lt;b&gt;&lt;i&gt;"),
        ("{% filter upper %}{{ '<b>'|safe ~ '<i>' }}{% endfilter %}", "&LT;B&GT;&LT;I&GT;"),
        ("{% set v %}{{ '<b>'|safe ~ '<i>' }}{% endset %}{{ v }}", "&lt;b&gt;&lt;i&gt;"),
        (
            "{% for i in [1] %}{{ '<b>'|safe ~ '<i>' ~ loop.index }}"
            "{{ loop.cycle('<b>'|safe ~ '<i>', 'x') }}{% endfor %}",
            "<b>&lt;i&gt;1&lt;b&gt;&lt;i&gt;",
        ),
        # Not all constant: joined at run time, the Markup is kept.
        ("{{ '<b>'|safe ~ name }}", "<b>&lt;n&gt;"),
        # Folded, but Markup's own + keeps it Markup.
        ("{{ '<b>'|safe + '<i>' }}", "<b>&lt;i&gt;"),
        ("{{ ['<b>'|safe, '<i>']|join }}", "<b>&lt;i&gt;"),
        ("{{ '%s<'|format('<b>'|safe) }}", "&lt;b&gt;&lt;"),
        ("{{ '<%s>'|safe|format('<b>') }}", "<&lt;b&gt;>"),
        # pass_context filters are never folded; pass_eval_context ones see the
        # compile-time setting.
        ("{{ 'a'|with_context ~ '<' }}", "a!&lt;"),
        ("{{ 'a'|with_eval_context ~ '<' }}", "a:True&lt;"),
        (
            "{{ 1 + 2 * 3 }}{{ 7 // 2 }}{{ 2 ** 10 }}{{ 'ab' * 2 }}{{ -(3) }}{{ not 1 }}",
            "731024abab-3False",
        ),
        ("{{ 1 < 2 < 3 }}{{ 1 and 'x' }}{{ 0 or '<y>' }}", "Truex&lt;y&gt;"),
        (
            "{{ 'abc'[1] }}{{ 'abc'[1:] }}{{ [1, 2, 3][::-1] }}{{ {'a': '<1>'}.a }}",
            "bbc[3, 2, 1]&lt;1&gt;",
        ),
        (
            "{{ 'a' is string }}{{ 3 is divisibleby(3) }}{{ 1/0 if false else 1 }}"
            "{{ 'x' if false }}",
            "TrueTrue1",
        ),
        ("{{ ('<b>'|safe, '<i>') }}", "(Markup(&#39;&lt;b&gt;&#39;), &#39;&lt;i&gt;&#39;)"),
        # {% autoescape false %} is known at compile time.
        (
            "{% autoescape false %}{{ '<b>'|safe ~ '<i>' }}{{ '<x>' }}{% endautoescape %}",
            "<b><i><x>",
        ),
    ],
)
def test_constant_expressions_fold_as_in_jinja(source, expected):
    env = fold_env(autoescape=True)
    assert env.from_string(source).render(name="<n>", f=lambda value: value) == expected


@pytest.mark.parametrize(
    "source, expected",
    [
        ("{{ '<b>'|safe ~ '<i>' }}", "<b><i>"),
        ("{{ '<b>'|e ~ '<i>' }}", "&lt;b&gt;<i>"),
        ("{{ ('<b>'|safe ~ '<i>')|striptags }}", ""),
        ("{{ 'a'|with_eval_context ~ '<' }}", "a:False<"),
    ],
)
def test_constant_folding_without_autoescape(source, expected):
    assert fold_env().from_string(source).render() == expected


def test_folded_filters_run_once_at_compile_time():
    env = fold_env()
    del _calls[:]
    template = env.from_string("{{ 'a'|counting }}{{ 'a'|counting }}")
    assert template.render() == "a#1a#2"
    assert template.render() == "a#1a#2"
    assert len(_calls) == 2
    del _calls[:]
    assert (
        env.from_string("{% for i in [1, 2] %}{{ 'a'|counting }}{% endfor %}").render() == "a#1a#1"
    )
    assert len(_calls) == 1


def test_a_failing_constant_filter_fails_at_render_time():
    def boom(value):
        raise ValueError("boom")

    env = Environment()
    env.filters["boom"] = boom
    template = env.from_string("{{ 'a'|boom }}")
    with pytest.raises(ValueError, match="boom"):
        template.render()


def test_dynamic_autoescape_constants_use_the_compile_time_setting():
    # As in Jinja2: a constant is escaped (or not) when the template compiles,
    # by the autoescape setting known then.
    source = "{% autoescape flag %}{{ '<x>' }}{% endautoescape %}"
    assert Environment(autoescape=True).from_string(source).render(flag=False) == "&lt;x&gt;"
    assert Environment(autoescape=True).from_string(source).render(flag=True) == "&lt;x&gt;"
    assert Environment().from_string(source).render(flag=True) == "<x>"
    # Values that are not constant follow the runtime flag.
    source = "{% autoescape flag %}{{ v }}{% endautoescape %}"
    assert Environment(autoescape=True).from_string(source).render(flag=False, v="<x>") == "<x>"
    assert Environment().from_string(source).render(flag=True, v="<x>") == "&lt;x&gt;"


def test_constant_autoescape_expressions_are_known_at_compile_time():
    source = (
        "{% autoescape not false %}{{ '<' }}{{ v }}{% endautoescape %}|{% autoescape 1 == 2 %}"
        "{{ '<' }}{% endautoescape %}"
    )
    assert Environment().from_string(source).render(v="<") == "&lt;&lt;|<"


def test_optimized_false_folds_only_output_expressions():
    env = Environment(autoescape=True, optimized=False)
    source = (
        "{% set x = '<b>'|safe ~ '<i>' %}{{ x }}|{{ '<b>'|safe ~ '<i>' }}|"
        "{{ f('<b>'|safe ~ '<i>') }}"
    )
    assert env.from_string(source).render(f=lambda value: value) == (
        "<b>&lt;i&gt;|&lt;b&gt;&lt;i&gt;|<b>&lt;i&gt;"
    )


def test_folding_with_finalize():
    env = Environment(autoescape=True, finalize=lambda value: "" if value is None else value)
    source = "{{ 'a' ~ none }}|{{ '<b>'|safe ~ '<i>' }}|{{ 1 + 1 }}|{{ x }}"
    assert env.from_string(source).render(x=None) == "aNone|&lt;b&gt;&lt;i&gt;|2|"


def test_folding_in_the_sandbox_keeps_its_limits():
    # The cap on string repetition is microflask's (Jinja2 has none).
    env = SandboxedEnvironment(autoescape=True)
    assert (
        env.from_string("{{ 'a' * 3 }}{{ '<b>'|safe ~ '<i>' }}").render() == "aaa&lt;b&gt;&lt;i&gt;"
    )
    template = env.from_string("{{ 'a' * 100000000 }}")
    with pytest.raises(Exception, match="too large"):
        template.render()


def test_a_folded_markup_constant_stays_markup():
    env = Environment(autoescape=True)
    source = "{% set x = ('<b>'|safe)|trim %}{{ x }}{{ x ~ '<' }}"
    assert env.from_string(source).render() == "<b><b>&lt;"


def test_meta_still_reports_names_in_branches_folding_removes():
    from microflask.templating import meta

    env = Environment()
    for source in [
        "{{ x if false else 1 }}",
        "{% set y = x if false else 1 %}{{ y }}",
        "{{ false and x }}",
    ]:
        assert meta.find_undeclared_variables(env.parse(source)) == {"x"}
