"""Errors name the template, its file and the line, at compile time for
syntax and in the traceback for runtime failures."""

import pathlib
import traceback

import pytest

from microflask.templating import (
    DictLoader,
    Environment,
    FileSystemLoader,
    TemplateAssertionError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplatesNotFound,
    TemplateSyntaxError,
    UndefinedError,
)


def test_syntax_error_line_name_and_source_line():
    env = Environment(loader=DictLoader({"page.html": "line one\n{% for x in y %}\n{{ x }}\n"}))
    with pytest.raises(TemplateSyntaxError) as info:
        env.get_template("page.html")
    error = info.value
    assert error.lineno == 3
    assert error.name == "page.html"
    assert "Unexpected end of template" in error.message
    assert "'endfor' or 'else'" in error.message
    # As in Jinja, the location moves into the traceback and str() is the message.
    assert error.translated
    assert str(error) == error.message
    error.translated = False
    assert 'File "page.html", line 3' in str(error)


def test_syntax_error_shows_offending_line():
    env = Environment()
    with pytest.raises(TemplateSyntaxError) as info:
        env.from_string("ok\nstill ok\n{{ 1 + }}\n")
    assert info.value.lineno == 3
    assert info.value.source == "ok\nstill ok\n{{ 1 + }}\n"
    info.value.translated = False
    assert "{{ 1 + }}" in str(info.value)


def test_syntax_error_from_file_has_filename(tmp_path):
    (tmp_path / "bad.html").write_text("a\nb\n{% if %}\n", encoding="utf-8")
    env = Environment(loader=FileSystemLoader(str(tmp_path)))
    with pytest.raises(TemplateSyntaxError) as info:
        env.get_template("bad.html")
    assert info.value.filename.endswith("bad.html")
    assert info.value.lineno == 3
    last = traceback.extract_tb(info.tb)[-1]
    assert (last.filename, last.lineno, last.name) == (str(tmp_path / "bad.html"), 3, "template")
    formatted = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert "{% if %}" in formatted


def test_runtime_traceback_hides_engine_frames(tmp_path):
    (tmp_path / "broken.html").write_text("Before\n{{ fail() }}\nAfter\n", encoding="utf-8")
    env = Environment(loader=FileSystemLoader(str(tmp_path)))

    def fail():
        return 1 // 0

    with pytest.raises(ZeroDivisionError) as info:
        env.get_template("broken.html").render(fail=fail)
    frames = [(pathlib.Path(f.filename).name, f.name) for f in traceback.extract_tb(info.tb)]
    position = frames.index(("broken.html", "top-level template code"))
    assert frames[position + 1][1] == "fail"
    assert not any(name == "runtime.py" for name, _ in frames)
    formatted = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert 'broken.html", line 2, in top-level template code\n    {{ fail() }}\n' in formatted


@pytest.mark.parametrize(
    "source, message",
    [
        ("{% foo %}", "Encountered unknown tag 'foo'."),
        (
            "{% if x %}{% endfor %}",
            "Encountered unknown tag 'endfor'. Jinja was looking for the following tags: 'elif' or "
            "'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
        ),
        (
            "{% for x in y %}",
            "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or "
            "'else'. The innermost block that needs to be closed is 'for'.",
        ),
        ("{% block a %}{% endblock %}{% block a %}{% endblock %}", "block 'a' defined twice"),
        ("{{ x|nope }}", "No filter named 'nope'."),
        ("{{ x is nope }}", "No test named 'nope'."),
        ("{{ 'abc }}", "unexpected char \"'\" at 3"),
        ("{# open", "Missing end of comment tag"),
        ("{% raw %}abc", "Missing end of raw directive"),
        ("{{ x ", "unexpected end of template, expected 'end of print statement'."),
        ("{% macro m(a=1, b) %}{% endmacro %}", "non-default argument follows default argument"),
        ("{% set 1 = 2 %}", "can't assign to 'const'"),
        ("{{ f(1 }}", "unexpected '}', expected ')'"),
        (
            "{% block a-b %}{% endblock %}",
            "Block names in Jinja have to be valid Python identifiers and may not contain hyphens, "
            "use an underscore instead.",
        ),
    ],
)
def test_compile_time_messages(source, message):
    with pytest.raises(TemplateSyntaxError) as info:
        Environment().from_string(source)
    assert info.value.message == message


def test_assertion_errors_are_syntax_errors():
    with pytest.raises(TemplateAssertionError):
        Environment().from_string("{{ x|nope }}")
    assert issubclass(TemplateAssertionError, TemplateSyntaxError)


def test_unknown_filter_in_untaken_branch_is_a_runtime_error():
    template = Environment().from_string("{% if x %}{{ x|nope }}{% endif %}ok")
    assert template.render() == "ok"
    with pytest.raises(TemplateRuntimeError, match="No filter named 'nope' found."):
        template.render(x=1)


def _template_frames(exc):
    return [(f.filename, f.lineno, f.name) for f in traceback.extract_tb(exc.__traceback__)]


def test_runtime_error_traceback_points_at_template_line(tmp_path):
    (tmp_path / "page.html").write_text(
        "<p>\n{{ 'ok' }}\n{{ user.profile.name }}\n</p>\n", encoding="utf-8"
    )
    env = Environment(loader=FileSystemLoader(str(tmp_path)))
    with pytest.raises(UndefinedError) as info:
        env.get_template("page.html").render(user={})
    frames = _template_frames(info.value)
    filename = str(tmp_path / "page.html")
    assert (filename, 3, "top-level template code") in frames
    formatted = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert 'page.html", line 3' in formatted
    assert "{{ user.profile.name }}" in formatted


def test_runtime_error_in_block_and_filter_names_the_block():
    def explode(value):
        raise ValueError("boom")

    env = Environment(
        loader=DictLoader(
            {
                "base.html": "{% block body %}{% endblock %}",
                "child.html": (
                    "{% extends 'base.html' %}\n{% block body %}\n\n{{ 1|explode }}{% endblock %}"
                ),
            }
        )
    )
    env.filters["explode"] = explode
    with pytest.raises(ValueError, match="boom") as info:
        env.get_template("child.html").render()
    assert ("child.html", 4, "block 'body'") in [
        (f.filename, f.lineno, f.name) for f in traceback.extract_tb(info.tb)
    ] or any(f.lineno == 4 and f.name == "block 'body'" for f in traceback.extract_tb(info.tb))


def test_from_string_traceback_uses_template_placeholder():
    with pytest.raises(ZeroDivisionError) as info:
        Environment().from_string("a\nb\n{{ 1 // 0 }}").render()
    assert ("<template>", 3, "top-level template code") in _template_frames(info.value)


def test_macro_errors():
    env = Environment()
    with pytest.raises(TypeError, match="macro 'f' takes not more than 1 argument"):
        env.from_string("{% macro f(a) %}{% endmacro %}{{ f(1, 2) }}").render()
    with pytest.raises(TypeError, match="macro 'f' takes no keyword argument 'b'"):
        env.from_string("{% macro f(a) %}{% endmacro %}{{ f(b=1) }}").render()


def test_template_not_found():
    env = Environment(loader=DictLoader({}))
    with pytest.raises(TemplateNotFound) as info:
        env.get_template("missing.html")
    assert info.value.name == "missing.html"
    with pytest.raises(TemplatesNotFound) as info2:
        env.select_template(["a.html", "b.html"])
    assert info2.value.templates == ["a.html", "b.html"]
    with pytest.raises(TemplatesNotFound):
        env.select_template([])
    with pytest.raises(TypeError, match="no loader"):
        Environment().get_template("x")


def test_include_missing_and_ignore_missing():
    env = Environment(loader=DictLoader({}))
    with pytest.raises(TemplateNotFound):
        env.from_string("{% include 'nope.html' %}").render()
    assert env.from_string("a{% include 'nope.html' ignore missing %}b").render() == "ab"


def test_extended_twice_and_required_block():
    env = Environment(loader=DictLoader({"a": "{% block x required %}{% endblock %}"}))
    with pytest.raises(TemplateRuntimeError, match="extended multiple times"):
        env.from_string("{% extends 'a' %}{% extends 'a' %}").render()
    with pytest.raises(TemplateRuntimeError, match="Required block 'x' not found"):
        env.get_template("a").render()


def test_non_string_source_is_refused():
    with pytest.raises(TypeError):
        Environment().from_string(b"bytes")  # type: ignore[arg-type]


def test_undefined_template_names():
    from microflask.templating import Undefined

    env = Environment(loader=DictLoader({}))
    name = Undefined(name="no_name_1")
    for lookup in (env.get_template, env.get_or_select_template, env.select_template):
        with pytest.raises(UndefinedError):
            lookup(name)
    with pytest.raises(TemplatesNotFound) as info:
        env.select_template([name, "no_name_2"])
    assert "'no_name_1' is undefined" in str(info.value)
    assert "no_name_2" in str(info.value)


@pytest.mark.parametrize(
    "source",
    [
        "{% macro x(caller) %}{{ caller() }}{% endmacro %}",
        "{% macro x(caller, other=1) %}{{ caller }}{% endmacro %}",
        "{% call(caller) f() %}{{ caller }}{% endcall %}",
    ],
)
def test_caller_argument_used_without_default_is_refused(source):
    with pytest.raises(
        TemplateAssertionError, match='"caller" argument must be omitted or be given'
    ):
        Environment().from_string(source)


def test_caller_argument_with_default_or_unused_is_fine():
    env = Environment()
    env.from_string("{% macro x(caller) %}{% endmacro %}")
    template = env.from_string(
        "{% macro x(caller=none) %}[{{ caller() if caller }}]{% endmacro %}{{ x() }}"
    )
    assert template.render() == "[]"
