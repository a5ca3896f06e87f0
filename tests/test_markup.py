"""Tests for microflask.markup (MarkupSafe's role)."""

import pytest

from microflask.markup import EscapeFormatter, Markup, escape, escape_silent, soft_str


class HasHtml:
    def __html__(self):
        return "<trusted>"


class HasHtmlFormat:
    def __html__(self):
        return "<trusted>"

    def __html_format__(self, spec):
        return "<%s>" % spec


class SafeSubclass(Markup):
    pass


# -- escape -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("plain", "plain"),
        ("<>&'\"", "&lt;&gt;&amp;&#39;&#34;"),
        ("&amp;", "&amp;amp;"),
        ('<a href="x">', "&lt;a href=&#34;x&#34;&gt;"),
        ("ünïcode <", "ünïcode &lt;"),
        (3, "3"),
        (None, "None"),
        (1.5, "1.5"),
        (b"<", "b&#39;&lt;&#39;"),
    ],
)
def test_escape_output(value, expected):
    result = escape(value)
    assert result == expected
    assert type(result) is Markup


def test_escape_trusts_html_objects():
    assert escape(HasHtml()) == "<trusted>"
    assert escape(Markup("<b>")) == "<b>"


def test_escape_str_subclass_is_escaped():
    class Text(str):
        pass

    result = escape(Text("<"))
    assert result == "&lt;" and type(result) is Markup


def test_escape_of_markup_subclass_returns_base_markup():
    assert type(escape(SafeSubclass("x"))) is Markup
    assert type(SafeSubclass.escape("x")) is SafeSubclass
    assert type(SafeSubclass.escape(Markup("x"))) is SafeSubclass


def test_escape_silent_and_soft_str():
    assert escape_silent(None) == Markup("")
    assert type(escape_silent(None)) is Markup
    assert escape_silent("<") == "&lt;"
    assert soft_str(1) == "1"
    safe = Markup("<b>")
    assert soft_str(safe) is safe
    text = "x"
    assert soft_str(text) is text


# -- construction and repr -----------------------------------------------------


def test_construction():
    assert Markup() == ""
    assert Markup("<b>") == "<b>"
    assert Markup(HasHtml()) == "<trusted>"
    assert Markup(b"caf\xc3\xa9", "utf-8") == "café"
    assert Markup(b"caf\xff", "ascii", "replace") == "caf\ufffd"
    assert Markup(None) == "None"
    assert Markup(object="x") == "x"


def test_repr_and_html():
    assert repr(Markup("it's")) == 'Markup("it\'s")'
    assert repr(Markup("<b>")) == "Markup('<b>')"
    assert repr(SafeSubclass("x")) == "SafeSubclass('x')"
    value = Markup("x")
    assert value.__html__() is value
    assert type(str(value)) is str


# -- operators -----------------------------------------------------------------


def test_add_and_radd_escape_plain_strings():
    assert Markup("<b>") + "<" == "<b>&lt;"
    assert "<" + Markup("<b>") == "&lt;<b>"
    assert type("<" + Markup("x")) is Markup
    assert Markup("a") + HasHtml() == "a<trusted>"
    assert HasHtml() + Markup("a") == "<trusted>a"
    with pytest.raises(TypeError):
        Markup("a") + 1


def test_mul():
    assert Markup("<b>") * 2 == "<b><b>"
    assert 2 * Markup("x") == "xx"
    assert type(3 * Markup("x")) is Markup
    assert Markup("x") * -1 == ""
    with pytest.raises(TypeError):
        Markup("x") * "a"


def test_mod():
    assert Markup("<em>%s</em>") % "<x>" == "<em>&lt;x&gt;</em>"
    assert Markup("%s %s") % ("<", Markup("<")) == "&lt; <"
    assert Markup("%(a)s") % {"a": "<"} == "&lt;"
    assert Markup("%r") % ("<",) == "&#39;&lt;&#39;"
    assert Markup("%d %.1f") % (3, 2.5) == "3 2.5"
    assert Markup("%s") % None == "None"
    assert Markup("%s") % ["<x>"] == "[&#39;&lt;x&gt;&#39;]"
    assert Markup("%f") % Markup("1.5") == "1.500000"
    with pytest.raises(TypeError):
        Markup("%s %s") % ("a",)


def test_getitem_keeps_markup():
    value = Markup("a<b>c")
    assert value[1:3] == "<b" and type(value[1:3]) is Markup
    assert type(value[0]) is Markup
    assert value[-1] == "c"


# -- methods -------------------------------------------------------------------


def test_join_escapes_items():
    assert Markup("a").join(["<", Markup("<")]) == "&lt;a<"
    assert Markup("").join(c for c in "<>") == "&lt;&gt;"
    assert Markup(",").join([1, 2]) == "1,2"


def test_format():
    assert Markup("{0} {a}").format("<", a=Markup("<")) == "&lt; <"
    assert Markup("{}{}").format("<", ">") == "&lt;&gt;"
    assert Markup("{0!r}").format("<") == "&#39;&lt;&#39;"
    assert Markup("{0:>5}").format("<") == "    &lt;"
    assert Markup("{0.real}").format(3) == "3"
    assert Markup("{0!s}").format(Markup("<")) == "&lt;"
    # __html__ returned a plain str here, so the formatter escapes it (as MarkupSafe).
    assert Markup("{0}").format(HasHtml()) == "&lt;trusted&gt;"
    assert Markup("{0:x}").format(HasHtmlFormat()) == "&lt;x&gt;"
    assert Markup("{a}").format_map({"a": "<"}) == "&lt;"
    with pytest.raises(KeyError):
        Markup("{a}").format_map({})


def test_format_spec_errors():
    with pytest.raises(ValueError, match="Unsupported format specification for Markup."):
        Markup("{0:5}").format(Markup("x"))
    with pytest.raises(ValueError, match="does not define __html_format__"):
        Markup("{0:5}").format(HasHtml())
    with pytest.raises(ValueError):
        Markup("x").__html_format__("5")
    assert Markup("x").__html_format__("") == "x"


def test_escape_formatter_directly():
    formatter = EscapeFormatter(escape)
    assert formatter.format("{0}", "<") == "&lt;"


def test_string_methods_return_markup():
    value = Markup("<b>hi</b>")
    for result in (
        value.title(),
        value.upper(),
        value.lower(),
        value.capitalize(),
        value.casefold(),
        value.swapcase(),
        value.strip(),
        value.lstrip(),
        value.rstrip(),
        value.center(20),
        value.ljust(20),
        value.rjust(20),
        value.zfill(20),
        Markup("a\tb").expandtabs(4),
        value.replace("hi", "yo"),
        value.translate({ord("h"): "H"}),
        value.removeprefix("<b>"),
        value.removesuffix("</b>"),
    ):
        assert type(result) is Markup
    assert value.title() == "<B>Hi</B>"
    assert Markup("a\tb").expandtabs(4) == "a   b"
    assert Markup("5").zfill(3) == "005"


def test_replace_and_padding_escape_inserted_text():
    assert Markup("ab").replace("b", "<i>") == "a&lt;i&gt;"
    assert Markup("ab").replace("b", Markup("<i>")) == "a<i>"
    assert Markup("bbb").replace("b", "<", 2) == "&lt;&lt;b"
    # The escaped fill character is longer than one character.
    with pytest.raises(TypeError):
        Markup("a").center(5, "<")
    assert Markup("a").center(3, "-") == "-a-"
    # old is matched against the raw markup, not escaped
    assert Markup("a<b").replace("<", "X") == "aXb"


def test_split_family():
    assert Markup("a b").split() == ["a", "b"]
    assert all(type(x) is Markup for x in Markup("a b").split())
    assert Markup("a b c").split(maxsplit=1) == ["a", "b c"]
    assert Markup("a b c").rsplit(None, 1) == ["a b", "c"]
    assert Markup("a\nb").splitlines() == ["a", "b"]
    assert Markup("a\nb").splitlines(True) == ["a\n", "b"]
    head, sep, tail = Markup("a<b").partition("<")
    assert (head, sep, tail) == ("a", "<", "b")
    assert all(type(x) is Markup for x in (head, sep, tail))
    assert Markup("a<b<c").rpartition("<") == ("a<b", "<", "c")


def test_striptags_and_unescape():
    value = Markup("<!-- <b> --> Hello   <i>x</i> &amp;  &lt;")
    assert value.striptags() == "Hello x & <"
    assert type(value.striptags()) is str
    assert Markup("a <!-- unterminated <b>x</b>").striptags() == "a x"
    assert Markup("a < b > c <d").striptags() == "a c <d"
    assert Markup("<p>\n  foo\tbar </p>\n").striptags() == "foo bar"
    assert Markup("&lt;&#39;&amp;amp;").unescape() == "<'&amp;"
    assert type(Markup("x").unescape()) is str


def test_subclass_survives_operations():
    value = SafeSubclass("<b>%s</b>")
    assert type(value + "x") is SafeSubclass
    assert type("x" + value) is SafeSubclass
    assert type(value % "x") is SafeSubclass
    assert type(SafeSubclass("{}").format("x")) is SafeSubclass
    assert type(SafeSubclass(",").join(["a"])) is SafeSubclass
    assert type(SafeSubclass("a b").split()[0]) is SafeSubclass
    assert type(value.upper()) is SafeSubclass
    assert type(value[0]) is SafeSubclass


def test_markup_is_a_str():
    assert isinstance(Markup("x"), str)
    assert Markup("a") == "a"
    assert hash(Markup("a")) == hash("a")
    assert "%s" % Markup("<") == "<"
    assert "<" not in Markup("&lt;")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Removing a comment can join text into a new comment.
        ("<!<!--x-->--a<b>c-->", ""),
        ("<<a>b>", "b>"),
        ("a<b<c>d>e", "ad>e"),
        ("<!-->x", "x"),
        ("<em>Foo &amp; Bar</em>", "Foo & Bar"),
        ("<!-- outer <em>x</em> -->kept<br/> text", "kept text"),
    ],
)
def test_striptags_edge_cases(value, expected):
    assert Markup(value).striptags() == expected


def test_unescape_is_single_pass():
    once = Markup("&foo&#x3b;").unescape()
    assert once == "&foo;"
    assert Markup(once).unescape() == "&foo;"


def test_format_nested_lookups_and_custom_html_format():
    assert Markup("{0[1][bar]}").format([0, {"bar": "<bar/>"}]) == "&lt;bar/&gt;"
    assert Markup("{0[1][bar]}").format([0, {"bar": Markup("<bar/>")}]) == "<bar/>"
    assert Markup("{}").format(0) == Markup("0")

    class User:
        def __init__(self, id, username):
            self.id = id
            self.username = username

        def __html__(self):
            return Markup("<span class=user>%s</span>") % self.username

        def __html_format__(self, spec):
            if spec == "link":
                return Markup('<a href="/user/{0}">{1}</a>').format(self.id, self.__html__())
            if spec:
                raise ValueError("Invalid format spec")
            return self.__html__()

    user = User(1, "foo")
    result = Markup("<p>User: {0:link}").format(user)
    assert result == '<p>User: <a href="/user/1"><span class=user>foo</span></a>'


def test_interpolation_of_numbers_and_html_objects():
    assert Markup("%i") % 3.14 == "3"
    assert Markup("%.2f") % 3.14 == "3.14"

    class Foo:
        def __html__(self):
            return "<em>awesome</em>"

        def __str__(self):
            return "awesome"

    assert Markup("<strong>%s</strong>") % Foo() == "<strong><em>awesome</em></strong>"
    assert Markup("<em>%s:%s</em>") % ("<foo>", "<bar>") == "<em>&lt;foo&gt;:&lt;bar&gt;</em>"


def test_native_stand_in_and_swappable_inner_escape(monkeypatch):
    import microflask.markup as markup_module
    from microflask.markup import _native

    assert _native._escape_inner("<&>") == "&lt;&amp;&gt;"
    with pytest.raises(ImportError):
        from microflask.markup import _speedups  # noqa: F401
    calls = []

    def recording_escape_inner(text):
        calls.append(text)
        return _native._escape_inner(text)

    monkeypatch.setattr(markup_module, "_escape_inner", recording_escape_inner)
    assert escape("<x>") == "&lt;x&gt;"
    assert escape(5) == "5"
    assert calls == ["<x>", "5"]
