"""{% trans %} and the gettext installers (Jinja's i18n extension).

The expected results were produced once by real Jinja2 3.1 with the same
translations; they are written out here so the test needs no Jinja2.
"""

import gettext

import pytest

from microflask.templating import Environment
from microflask.templating.ext import i18n


class Translations(gettext.NullTranslations):
    def gettext(self, message):
        return {"Hello %(user)s!": "Hallo %(user)s!", "Apple": "Apfel"}.get(message, message)

    def ngettext(self, singular, plural, n):
        if n == 1:
            return {"%(count)s apple": "%(count)s Apfel"}.get(singular, singular)
        return {"%(count)s apples": "%(count)s \u00c4pfel"}.get(plural, plural)

    def pgettext(self, context, message):
        return context + ":" + message

    def npgettext(self, context, singular, plural, n):
        return context + ":" + (singular if n == 1 else plural)


CASES = [
    (False, False, '{% trans %}Hello {{ user }}!{% endtrans %}', ('output', 'Hallo <Bob>!')),
    (
        False,
        False,
        "{% trans %}Apple{% endtrans %}|{{ _('Apple') }}|{{ gettext('Apple') }}",
        ('output', 'Apfel|Apfel|Apfel'),
    ),
    (
        False,
        False,
        '{% trans count=list|length %}{{ count }} apple{% pluralize %}{{ count }} apples'
        '{% endtrans %}',
        ('output', '3 Äpfel'),
    ),
    (
        False,
        False,
        '{% trans %}{{ count }} apple{% pluralize %}{{ count }} apples{% endtrans %}',
        ('output', '1 Apfel'),
    ),
    (
        False,
        False,
        '{% trans num=3 %}{{ num }} thing{% pluralize %}{{ num }} things{% endtrans %}',
        ('output', '3 things'),
    ),
    (
        False,
        False,
        '{% trans user=user|upper %}Hello {{ user }}!{% endtrans %}',
        ('output', 'Hallo <BOB>!'),
    ),
    (False, False, '{% trans %}100% sure{% endtrans %}', ('output', '100% sure')),
    (False, False, '{% trans x=1 %}100% {{ x }}{% endtrans %}', ('output', '100% 1')),
    (False, False, '{% trans trimmed %}  a\n   b  \n c {% endtrans %}', ('output', 'a b c')),
    (False, False, '{% trans %}  a\n   b  {% endtrans %}', ('output', '  a\n   b  ')),
    (False, False, "{% trans 'ctx' %}Apple{% endtrans %}", ('output', 'ctx:Apple')),
    (
        False,
        False,
        "{% trans 'ctx' count=2 %}{{ count }} x{% pluralize %}{{ count }} xs{% endtrans %}",
        ('output', 'ctx:2 xs'),
    ),
    (False, False, '{% trans %}<b>{{ user }}</b>{% endtrans %}', ('output', '<b><Bob></b>')),
    (
        False,
        False,
        '{% trans %}{% if x %}{% endif %}{% endtrans %}',
        (
            'error',
            'TemplateSyntaxError',
            'control structures in translatable sections are not allowed; saw `if`',
        ),
    ),
    (
        False,
        False,
        '{% trans %}{{ user.name }}{% endtrans %}',
        ('error', 'TemplateSyntaxError', "expected token 'end of print statement', got '.'"),
    ),
    (
        False,
        False,
        '{% trans %}a{% pluralize %}b{% endtrans %}',
        ('error', 'TemplateSyntaxError', 'pluralize without variables'),
    ),
    (
        False,
        False,
        '{% trans count=1 %}a{% pluralize nope %}b{% endtrans %}',
        ('error', 'TemplateAssertionError', "unknown variable 'nope' for pluralization"),
    ),
    (
        False,
        False,
        '{% trans x=1, x=2 %}{% endtrans %}',
        ('error', 'TemplateAssertionError', "translatable variable 'x' defined twice."),
    ),
    (
        False,
        False,
        '{% trans count=range(3)|list|length %}{{ count }} apple{% pluralize %}{{ count }} apples'
        '{% endtrans %}',
        ('output', '3 Äpfel'),
    ),
    (
        False,
        False,
        '{% trans %}a{% pluralize %}b{% pluralize %}c{% endtrans %}',
        (
            'error',
            'TemplateSyntaxError',
            'a translatable section can have only one pluralize section',
        ),
    ),
    (
        False,
        False,
        '{% trans %}unclosed',
        ('error', 'TemplateSyntaxError', 'unclosed translation block'),
    ),
    (
        False,
        False,
        "{{ ngettext('%(num)d apple', '%(num)d apples', 3) }}",
        ('output', '%(num)d apples'),
    ),
    (False, True, '{% trans %}Hello {{ user }}!{% endtrans %}', ('output', 'Hallo &lt;Bob&gt;!')),
    (
        False,
        True,
        "{% trans %}Apple{% endtrans %}|{{ _('Apple') }}|{{ gettext('Apple') }}",
        ('output', 'Apfel|Apfel|Apfel'),
    ),
    (
        False,
        True,
        '{% trans count=list|length %}{{ count }} apple{% pluralize %}{{ count }} apples'
        '{% endtrans %}',
        ('output', '3 Äpfel'),
    ),
    (
        False,
        True,
        '{% trans %}{{ count }} apple{% pluralize %}{{ count }} apples{% endtrans %}',
        ('output', '1 Apfel'),
    ),
    (
        False,
        True,
        '{% trans num=3 %}{{ num }} thing{% pluralize %}{{ num }} things{% endtrans %}',
        ('output', '3 things'),
    ),
    (
        False,
        True,
        '{% trans user=user|upper %}Hello {{ user }}!{% endtrans %}',
        ('output', 'Hallo &lt;BOB&gt;!'),
    ),
    (False, True, '{% trans %}100% sure{% endtrans %}', ('output', '100% sure')),
    (False, True, '{% trans x=1 %}100% {{ x }}{% endtrans %}', ('output', '100% 1')),
    (False, True, '{% trans trimmed %}  a\n   b  \n c {% endtrans %}', ('output', 'a b c')),
    (False, True, '{% trans %}  a\n   b  {% endtrans %}', ('output', '  a\n   b  ')),
    (False, True, "{% trans 'ctx' %}Apple{% endtrans %}", ('output', 'ctx:Apple')),
    (
        False,
        True,
        "{% trans 'ctx' count=2 %}{{ count }} x{% pluralize %}{{ count }} xs{% endtrans %}",
        ('output', 'ctx:2 xs'),
    ),
    (False, True, '{% trans %}<b>{{ user }}</b>{% endtrans %}', ('output', '<b>&lt;Bob&gt;</b>')),
    (
        False,
        True,
        '{% trans %}{% if x %}{% endif %}{% endtrans %}',
        (
            'error',
            'TemplateSyntaxError',
            'control structures in translatable sections are not allowed; saw `if`',
        ),
    ),
    (
        False,
        True,
        '{% trans %}{{ user.name }}{% endtrans %}',
        ('error', 'TemplateSyntaxError', "expected token 'end of print statement', got '.'"),
    ),
    (
        False,
        True,
        '{% trans %}a{% pluralize %}b{% endtrans %}',
        ('error', 'TemplateSyntaxError', 'pluralize without variables'),
    ),
    (
        False,
        True,
        '{% trans count=1 %}a{% pluralize nope %}b{% endtrans %}',
        ('error', 'TemplateAssertionError', "unknown variable 'nope' for pluralization"),
    ),
    (
        False,
        True,
        '{% trans x=1, x=2 %}{% endtrans %}',
        ('error', 'TemplateAssertionError', "translatable variable 'x' defined twice."),
    ),
    (
        False,
        True,
        '{% trans count=range(3)|list|length %}{{ count }} apple{% pluralize %}{{ count }} apples'
        '{% endtrans %}',
        ('output', '3 Äpfel'),
    ),
    (
        False,
        True,
        '{% trans %}a{% pluralize %}b{% pluralize %}c{% endtrans %}',
        (
            'error',
            'TemplateSyntaxError',
            'a translatable section can have only one pluralize section',
        ),
    ),
    (
        False,
        True,
        '{% trans %}unclosed',
        ('error', 'TemplateSyntaxError', 'unclosed translation block'),
    ),
    (
        False,
        True,
        "{{ ngettext('%(num)d apple', '%(num)d apples', 3) }}",
        ('output', '%(num)d apples'),
    ),
    (True, False, '{% trans %}Hello {{ user }}!{% endtrans %}', ('output', 'Hallo <Bob>!')),
    (
        True,
        False,
        "{% trans %}Apple{% endtrans %}|{{ _('Apple') }}|{{ gettext('Apple') }}",
        ('output', 'Apfel|Apfel|Apfel'),
    ),
    (
        True,
        False,
        '{% trans count=list|length %}{{ count }} apple{% pluralize %}{{ count }} apples'
        '{% endtrans %}',
        ('output', '3 Äpfel'),
    ),
    (
        True,
        False,
        '{% trans %}{{ count }} apple{% pluralize %}{{ count }} apples{% endtrans %}',
        ('output', '1 Apfel'),
    ),
    (
        True,
        False,
        '{% trans num=3 %}{{ num }} thing{% pluralize %}{{ num }} things{% endtrans %}',
        ('output', '3 things'),
    ),
    (
        True,
        False,
        '{% trans user=user|upper %}Hello {{ user }}!{% endtrans %}',
        ('output', 'Hallo <BOB>!'),
    ),
    (True, False, '{% trans %}100% sure{% endtrans %}', ('output', '100% sure')),
    (True, False, '{% trans x=1 %}100% {{ x }}{% endtrans %}', ('output', '100% 1')),
    (True, False, '{% trans trimmed %}  a\n   b  \n c {% endtrans %}', ('output', 'a b c')),
    (True, False, '{% trans %}  a\n   b  {% endtrans %}', ('output', '  a\n   b  ')),
    (True, False, "{% trans 'ctx' %}Apple{% endtrans %}", ('output', 'ctx:Apple')),
    (
        True,
        False,
        "{% trans 'ctx' count=2 %}{{ count }} x{% pluralize %}{{ count }} xs{% endtrans %}",
        ('output', 'ctx:2 xs'),
    ),
    (True, False, '{% trans %}<b>{{ user }}</b>{% endtrans %}', ('output', '<b><Bob></b>')),
    (
        True,
        False,
        '{% trans %}{% if x %}{% endif %}{% endtrans %}',
        (
            'error',
            'TemplateSyntaxError',
            'control structures in translatable sections are not allowed; saw `if`',
        ),
    ),
    (
        True,
        False,
        '{% trans %}{{ user.name }}{% endtrans %}',
        ('error', 'TemplateSyntaxError', "expected token 'end of print statement', got '.'"),
    ),
    (
        True,
        False,
        '{% trans %}a{% pluralize %}b{% endtrans %}',
        ('error', 'TemplateSyntaxError', 'pluralize without variables'),
    ),
    (
        True,
        False,
        '{% trans count=1 %}a{% pluralize nope %}b{% endtrans %}',
        ('error', 'TemplateAssertionError', "unknown variable 'nope' for pluralization"),
    ),
    (
        True,
        False,
        '{% trans x=1, x=2 %}{% endtrans %}',
        ('error', 'TemplateAssertionError', "translatable variable 'x' defined twice."),
    ),
    (
        True,
        False,
        '{% trans count=range(3)|list|length %}{{ count }} apple{% pluralize %}{{ count }} apples'
        '{% endtrans %}',
        ('output', '3 Äpfel'),
    ),
    (
        True,
        False,
        '{% trans %}a{% pluralize %}b{% pluralize %}c{% endtrans %}',
        (
            'error',
            'TemplateSyntaxError',
            'a translatable section can have only one pluralize section',
        ),
    ),
    (
        True,
        False,
        '{% trans %}unclosed',
        ('error', 'TemplateSyntaxError', 'unclosed translation block'),
    ),
    (True, False, "{{ ngettext('%(num)d apple', '%(num)d apples', 3) }}", ('output', '3 apples')),
    (True, True, '{% trans %}Hello {{ user }}!{% endtrans %}', ('output', 'Hallo &lt;Bob&gt;!')),
    (
        True,
        True,
        "{% trans %}Apple{% endtrans %}|{{ _('Apple') }}|{{ gettext('Apple') }}",
        ('output', 'Apfel|Apfel|Apfel'),
    ),
    (
        True,
        True,
        '{% trans count=list|length %}{{ count }} apple{% pluralize %}{{ count }} apples'
        '{% endtrans %}',
        ('output', '3 Äpfel'),
    ),
    (
        True,
        True,
        '{% trans %}{{ count }} apple{% pluralize %}{{ count }} apples{% endtrans %}',
        ('output', '1 Apfel'),
    ),
    (
        True,
        True,
        '{% trans num=3 %}{{ num }} thing{% pluralize %}{{ num }} things{% endtrans %}',
        ('output', '3 things'),
    ),
    (
        True,
        True,
        '{% trans user=user|upper %}Hello {{ user }}!{% endtrans %}',
        ('output', 'Hallo &lt;BOB&gt;!'),
    ),
    (True, True, '{% trans %}100% sure{% endtrans %}', ('output', '100% sure')),
    (True, True, '{% trans x=1 %}100% {{ x }}{% endtrans %}', ('output', '100% 1')),
    (True, True, '{% trans trimmed %}  a\n   b  \n c {% endtrans %}', ('output', 'a b c')),
    (True, True, '{% trans %}  a\n   b  {% endtrans %}', ('output', '  a\n   b  ')),
    (True, True, "{% trans 'ctx' %}Apple{% endtrans %}", ('output', 'ctx:Apple')),
    (
        True,
        True,
        "{% trans 'ctx' count=2 %}{{ count }} x{% pluralize %}{{ count }} xs{% endtrans %}",
        ('output', 'ctx:2 xs'),
    ),
    (True, True, '{% trans %}<b>{{ user }}</b>{% endtrans %}', ('output', '<b>&lt;Bob&gt;</b>')),
    (
        True,
        True,
        '{% trans %}{% if x %}{% endif %}{% endtrans %}',
        (
            'error',
            'TemplateSyntaxError',
            'control structures in translatable sections are not allowed; saw `if`',
        ),
    ),
    (
        True,
        True,
        '{% trans %}{{ user.name }}{% endtrans %}',
        ('error', 'TemplateSyntaxError', "expected token 'end of print statement', got '.'"),
    ),
    (
        True,
        True,
        '{% trans %}a{% pluralize %}b{% endtrans %}',
        ('error', 'TemplateSyntaxError', 'pluralize without variables'),
    ),
    (
        True,
        True,
        '{% trans count=1 %}a{% pluralize nope %}b{% endtrans %}',
        ('error', 'TemplateAssertionError', "unknown variable 'nope' for pluralization"),
    ),
    (
        True,
        True,
        '{% trans x=1, x=2 %}{% endtrans %}',
        ('error', 'TemplateAssertionError', "translatable variable 'x' defined twice."),
    ),
    (
        True,
        True,
        '{% trans count=range(3)|list|length %}{{ count }} apple{% pluralize %}{{ count }} apples'
        '{% endtrans %}',
        ('output', '3 Äpfel'),
    ),
    (
        True,
        True,
        '{% trans %}a{% pluralize %}b{% pluralize %}c{% endtrans %}',
        (
            'error',
            'TemplateSyntaxError',
            'a translatable section can have only one pluralize section',
        ),
    ),
    (
        True,
        True,
        '{% trans %}unclosed',
        ('error', 'TemplateSyntaxError', 'unclosed translation block'),
    ),
    (True, True, "{{ ngettext('%(num)d apple', '%(num)d apples', 3) }}", ('output', '3 apples')),
]


@pytest.mark.parametrize("newstyle, autoescape, source, expected", CASES)
def test_trans_matches_jinja(newstyle, autoescape, source, expected):
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    env.install_gettext_translations(Translations(), newstyle=newstyle)
    try:
        result = (
            "output",
            env.from_string(source).render(user="<Bob>", list=[1, 2, 3], count=1, x=1),
        )
    except Exception as e:
        result = ("error", type(e).__name__, str(getattr(e, "message", None) or e))
    assert result == expected


def test_trans_is_an_unknown_tag_without_the_extension():
    from microflask.templating import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="Encountered unknown tag 'trans'."):
        Environment().from_string("{% trans %}x{% endtrans %}")


def test_null_translations_callables_and_uninstall():
    env = Environment(extensions=[i18n])
    env.install_null_translations(newstyle=True)
    assert env.newstyle_gettext is True
    out = env.from_string(
        "{{ _('%(n)s items', n=3) }}|{% trans n=2 %}{{ n }} pear{% pluralize %}{{ n }} pears"
        "{% endtrans %}"
    ).render()
    assert out == "3 items|2 pears"
    env.install_gettext_callables(lambda s: s.upper(), lambda s, p, n: p.upper(), newstyle=False)
    assert env.from_string("{% trans %}hello{% endtrans %}").render() == "HELLO"
    env.uninstall_gettext_translations(None)
    assert "gettext" not in env.globals


def test_trimmed_policy():
    env = Environment(extensions=["jinja2.ext.i18n"])
    env.install_null_translations()
    env.policies["ext.i18n.trimmed"] = True
    assert env.from_string("{% trans %}  a\n  b {% endtrans %}").render() == "a b"
    assert env.from_string("{% trans notrimmed %} a\n b{% endtrans %}").render() == " a\n b"


# -- message extraction ----------------------------------------------------------


def test_extract_from_ast_reports_calls_and_trans_blocks():
    from microflask.templating import Environment
    from microflask.templating.ext import GETTEXT_FUNCTIONS, extract_from_ast

    env = Environment(extensions=["jinja2.ext.i18n"])
    tree = env.parse(
        "{{ _('a') }}\n{{ ngettext('one', 'many', n) }}{{ gettext(name) }}\n"
        "{% trans %}Hi {{ who }}{% endtrans %}{{ _('b', x=1) }}{{ _(*rest) }}{{ other('c') }}"
    )
    assert GETTEXT_FUNCTIONS == ("_", "gettext", "ngettext", "pgettext", "npgettext")
    assert list(extract_from_ast(tree)) == [
        (1, "_", "a"),
        (2, "ngettext", ("one", "many", None)),
        (2, "gettext", None),
        (3, "gettext", "Hi %(who)s"),
        (3, "_", ("b", None)),
        (3, "_", None),
    ]
    assert list(extract_from_ast(tree, babel_style=False)) == [
        (1, "_", ("a",)),
        (2, "ngettext", ("one", "many")),
        (3, "gettext", ("Hi %(who)s",)),
        (3, "_", ("b",)),
    ]
    assert list(env.extract_translations("{{ pgettext('ctx', 'm') }}")) == [
        (1, "pgettext", ("ctx", "m"))
    ]


def test_babel_extract_with_comments_options_and_bad_templates():
    from io import BytesIO

    from microflask.templating import TemplateSyntaxError
    from microflask.templating.ext import babel_extract

    source = (
        "{# note: first #}\n{{ _('x') }}\n%% note: second\n{{ _('y') }} {{ _('z') }}\n"
        "{#- other -#}{% trans %}  a\n  b {% endtrans %}"
    ).encode("utf-8")
    options = {"line_comment_prefix": "%%"}
    assert list(babel_extract(BytesIO(source), ["_", "gettext"], ["note:"], options)) == [
        (2, "_", "x", ["first"]),
        (4, "_", "y", ["second"]),
        (4, "_", "z", []),
        (5, "gettext", "  a\n  b ", []),
    ]
    trimmed = dict(options, trimmed="yes")
    assert list(babel_extract(BytesIO(source), ["gettext"], [], trimmed)) == [
        (5, "gettext", "a b", [])
    ]
    broken = b"{{ _('x') }}{% if %}"
    assert list(babel_extract(BytesIO(broken), ["_"], [], {})) == []
    with pytest.raises(TemplateSyntaxError):
        list(babel_extract(BytesIO(broken), ["_"], [], {"silent": "false"}))
