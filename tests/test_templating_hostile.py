"""Hostile templates (issue 14): resource caps that cannot be sidestepped,
runaway recursion reported as a template error, slicing that fails as in
Jinja.  Each refused payload must be refused before the big value exists:
tracemalloc's peak stays far below the size the payload asks for.  (PyPy has
no tracemalloc: there the refusal is checked, not its memory peak.)"""

import sys

import pytest

try:
    import tracemalloc
except ImportError:  # PyPy
    tracemalloc = None

from microflask.templating import DictLoader, Environment, StrictUndefined, TemplateRuntimeError
from microflask.templating.exceptions import TemplateOverflowError, UndefinedError
from microflask.templating.sandbox import SandboxedEnvironment

ENVIRONMENTS = [Environment, SandboxedEnvironment]

#: Well above anything a refused payload may allocate, far below what it asks for.
PEAK_LIMIT = 4_000_000

#: Values made outside the measured window: big, but each under the cap.
BIG_PIECE = "a" * 6_000_000
ANGLES = "<" * 3_000_000
PERCENTS = "%" * 4_000_000
MANY_PIECES = ["a" * 10_000] * 5_000
ROWS = [{"t": "a" * 10_000}] * 5_000


def assert_refused_cheaply(environment, source, **context):
    if tracemalloc is None:
        with pytest.raises(TemplateOverflowError) as info:
            environment.from_string(source).render(**context)
        assert isinstance(info.value, OverflowError)
        return info.value
    tracemalloc.start()
    try:
        with pytest.raises(TemplateOverflowError) as info:
            environment.from_string(source).render(**context)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, "%s allocated %d bytes before refusing" % (source, peak)
    assert isinstance(info.value, OverflowError)
    return info.value


BOMBS = [
    # printf-style %: widths and precisions from arguments or literals, and their sum
    "{{ ('%*s' % (50000000, 'x'))|length }}",
    "{{ ('%-*s' % (-50000000, 'x'))|length }}",
    "{{ ('%.*f' % (50000000, 1.0))|length }}",
    "{{ ('%.50000000f' % 1.0)|length }}",
    "{{ ('%.50000000d' % 1)|length }}",
    "{{ ('%(a)50000000s' % {'a': 'x'})|length }}",
    "{{ (('%9999999s' * 20) % ((1,) * 20))|length }}",
    "{{ (('%s' * 3) % (big, big, big))|length }}",
    "{{ ('%*s'.encode() % (50000000, 'x'.encode()))|length }}",
    # the format filter
    "{{ ('%50000000s'|format('x'))|length }}",
    "{{ ('%*s'|format(50000000, 'x'))|length }}",
    "{{ (('%s' * 2)|format(big, big))|length }}",
    # str.format / format_map
    "{{ '{:50000000}'.format('x')|length }}",
    "{{ '{:{}}'.format('x', 50000000)|length }}",
    "{{ '{:.50000000f}'.format(1.0)|length }}",
    "{{ ('{:9999999}' * 20).format(*range(20))|length }}",
    "{{ '{a:50000000}'.format_map({'a': 'x'})|length }}",
    "{{ '{0}{0}'.format(big)|length }}",
    # padding
    "{{ ('x'|center(50000000))|length }}",
    "{{ 'x'.center(50000000)|length }}",
    "{{ 'x'.ljust(50000000)|length }}",
    "{{ 'x'.rjust(50000000, '-')|length }}",
    "{{ '1'.zfill(50000000)|length }}",
    "{{ ('\t' * 1000).expandtabs(100000)|length }}",
    "{{ 'x'.encode().center(50000000)|length }}",
    # replace, translate, indent, join, wordwrap
    "{{ (('a' * 5000)|replace('', 'b' * 10000))|length }}",
    "{{ (('a' * 5000)|replace('a', 'b' * 10000))|length }}",
    "{{ ('a' * 5000).replace('', 'b' * 10000)|length }}",
    "{{ ('a' * 5000).translate({97: 'b' * 10000})|length }}",
    "{{ ('x'|indent(50000000, true))|length }}",
    "{{ (('\n' * 5000)|indent(10000, true, true))|length }}",
    "{{ (('\n' * 5000)|indent('b' * 10000, blank=true))|length }}",
    "{{ range(5000)|join('b' * 10000)|length }}",
    "{{ ('b' * 10000).join(range(5000)|map('string'))|length }}",
    "{{ pieces|join|length }}",
    "{{ rows|join(',', attribute='t')|length }}",
    "{{ (('a' * 5000)|wordwrap(1, wrapstring='b' * 10000))|length }}",
    # lipsum
    "{{ lipsum(1000000)|length }}",
    "{{ lipsum(1, max=100000000)|length }}",
    # repetition, powers, big integers
    "{{ ('a' * 50000000)|length }}",
    "{{ (50000000 * 'a')|length }}",
    "{{ (['a'] * 50000000)|length }}",
    "{{ (['a' * 10000] * 5000)|length }}",
    "{{ ((('a' * 10000,),) * 5000)|length }}",
    "{{ 10 ** 1000000 }}",
    "{% set x = 2 ** 49999 %}{{ (x * x * x)|string|length }}",
    # padding a batch, slicing into columns
    "{{ [1]|batch(50000000, 0)|list|length }}",
    "{{ [1]|slice(50000000)|list|length }}",
    "{{ [1]|slice(100001)|list|length }}",
    # concatenation and escaping that would pass the cap
    "{{ (big ~ big)|length }}",
    "{{ (angles|forceescape)|length }}",
    "{{ (angles|e)|length }}",
    "{{ (percents|urlencode)|length }}",
    "{{ [0]|tojson(50000000)|length }}",
]


@pytest.mark.parametrize("environment_class", ENVIRONMENTS)
@pytest.mark.parametrize("source", BOMBS)
def test_size_bombs_are_refused_before_anything_is_built(environment_class, source):
    assert_refused_cheaply(
        environment_class(),
        source,
        big=BIG_PIECE,
        angles=ANGLES,
        percents=PERCENTS,
        pieces=MANY_PIECES,
        rows=ROWS,
    )


@pytest.mark.parametrize("environment_class", ENVIRONMENTS)
def test_growing_a_list_or_re_encoding_past_the_cap_is_refused(environment_class):
    env = environment_class()
    numbers = [0] * 6_000_000
    assert_refused_cheaply(env, "{{ numbers.extend(numbers) }}", numbers=numbers)
    assert len(numbers) == 6_000_000
    assert_refused_cheaply(env, "{{ [numbers, numbers]|sum(start=[])|length }}", numbers=numbers)
    backslashes = "\\" * 6_000_000
    with pytest.raises(TemplateOverflowError):
        env.from_string("{{ text.encode('unicode_escape')|length }}").render(text=backslashes)


def test_autoescaped_join_counts_the_escaping():
    env = Environment(autoescape=True)
    assert_refused_cheaply(env, "{{ ([angles, '<b>'|safe] * 1)|join }}", angles=ANGLES)
    assert_refused_cheaply(env, "{{ [angles]|join('x'|safe) }}", angles=ANGLES)


def test_markup_formatting_counts_the_escaping():
    env = Environment(autoescape=True)
    assert_refused_cheaply(env, "{{ ('%s'|safe) % angles }}", angles=ANGLES)
    assert_refused_cheaply(env, "{{ ('{}'|safe).format(angles) }}", angles=ANGLES)


def test_the_error_says_what_was_too_large():
    error = assert_refused_cheaply(Environment(), "{{ 'x'|center(50000000) }}")
    assert "too large" in str(error)
    assert isinstance(error, TemplateRuntimeError)


NORMAL_USES = [
    (
        "{{ '%*s|%-4s|%.2f|%5.1f|%x|%c|%%' % (4, 'a', 'b', 3.14159, 2.5, 255, 65) }}",
        "   a|b   |3.14|  2.5|ff|A|%",
    ),
    ("{{ '%(a)s-%(b)03d' % {'a': 'x', 'b': 7} }}", "x-007"),
    ("{{ '%s' % [1, 2] }}|{{ '%s' % (none,) }}|{{ '%r' % 'q' }}", "[1, 2]|None|'q'"),
    ("{{ '%s and %s'|format('a', 'b') }}|{{ '%(x)s'|format(x=1) }}", "a and b|1"),
    ("{{ '{:>5}|{:.3f}|{a}'.format('x', 1.0, a=2) }}", "    x|1.000|2"),
    ("{{ '{a:^5}'.format_map({'a': 'z'}) }}", "  z  "),
    ("{{ 'x'|center(5) }}|{{ 'x'.ljust(3, '-') }}|{{ '7'.zfill(3) }}", "  x  |x--|007"),
    ("{{ 'a\tb'.expandtabs(4) }}", "a   b"),
    (
        "{{ 'a-b-c'|replace('-', '+') }}|{{ 'aaa'|replace('a', 'bb', 2) }}|"
        "{{ 'ab'|replace('', '.') }}",
        "a+b+c|bbbba|.a.b.",
    ),
    ("{{ 'ab'.replace('b', 'cd') }}|{{ 'abc'.translate({98: 'xy'}) }}", "acd|axyc"),
    ("{{ 'a\nb\n\nc'|indent(2) }}", "a\n  b\n\n  c"),
    ("{{ 'a\nb'|indent('> ', true) }}", "> a\n> b"),
    ("{{ [1, 2, 3]|join(', ') }}|{{ ', '.join(['x', 'y']) }}", "1, 2, 3|x, y"),
    ("{{ 'aaa bbb ccc'|wordwrap(7, wrapstring='|') }}", "aaa bbb|ccc"),
    (
        "{{ 'hello world'|truncate(8, leeway=0) }}|{{ 'abc'|truncate(1000000000000) }}",
        "hello...|abc",
    ),
    ("{{ lipsum(2, html=false)|wordcount > 10 }}", "True"),
    (
        "{{ 'ab' * 3 }}|{{ [0] * 3 }}|{{ 2 ** 10 }}|{{ 3 * 4 }}|{{ (2 ** 100) * (2 ** 100) }}",
        "ababab|[0, 0, 0]|1024|12|%d" % (2**200),
    ),
    (
        "{{ [1, 2, 3]|batch(2, 0)|list }}|{{ [1, 2, 3]|slice(2, 0)|list }}",
        "[[1, 2], [3, 0]]|[[1, 2], [3, 0]]",
    ),
    (
        "{{ 'a' ~ 1 ~ none }}|{{ '<>'|e }}|{{ '<'|forceescape }}|{{ 'a b/c'|urlencode }}",
        "a1None|&lt;&gt;|&lt;|a%20b/c",
    ),
    ("{{ [1, {'a': 2}]|tojson(2) }}", '[\n  1,\n  {\n    "a": 2\n  }\n]'),
    ("{{ [1, 2]|pprint }}|{{ {'a': 'b'}|xmlattr }}", '[1, 2]| a="b"'),
]


@pytest.mark.parametrize("environment_class", ENVIRONMENTS)
@pytest.mark.parametrize("source, expected", NORMAL_USES)
def test_normal_sizes_still_work(environment_class, source, expected):
    assert environment_class().from_string(source).render() == expected


def test_values_just_under_the_cap_are_built():
    env = Environment()
    assert env.from_string("{{ ('a' * 9000000)|length }}").render() == "9000000"
    assert env.from_string("{{ ('x'|center(9000000))|length }}").render() == "9000000"
    assert env.from_string("{{ (big ~ 'b')|length }}").render(big=BIG_PIECE) == "6000001"
    assert env.from_string("{{ big|join(',')|length }}").render(big=["ab"] * 1000) == "2999"


def test_printf_errors_stay_python_errors():
    env = Environment()
    with pytest.raises(TypeError):
        env.from_string("{{ '%*s' % ('x', 'y') }}").render()
    with pytest.raises(KeyError):
        env.from_string("{{ '%(missing)s' % {'a': 1} }}").render()
    with pytest.raises(ValueError):
        env.from_string("{{ '%y' % 1 }}").render()
    with pytest.raises(TypeError):
        env.from_string("{{ '%s %s' % (1,) }}").render()
    with pytest.raises(TypeError):
        env.from_string("{{ 'abc' % 1 }}").render()
    assert env.from_string("{{ 7 % 3 }}|{{ 'abc' % () }}").render() == "1|abc"


# -- runaway recursion -----------------------------------------------------------------


RECURSIVE_MACRO = "line one\n{% macro m(i) %}{{ m(i) }}{% endmacro %}\n{{ m(1) }}"


def _template_frames(error, filename):
    frames = []
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            frames.append((tb.tb_lineno, tb.tb_frame.f_code.co_name))
        tb = tb.tb_next
    return frames


@pytest.mark.parametrize("environment_class", ENVIRONMENTS)
def test_runaway_macro_recursion_is_a_template_error(environment_class):
    env = environment_class(loader=DictLoader({"page.html": RECURSIVE_MACRO}))
    template = env.get_template("page.html")
    with pytest.raises(TemplateRuntimeError) as info:
        template.render()
    error = info.value
    assert not isinstance(error, RecursionError)
    assert "recursion" in str(error) and "macro 'm'" in str(error)
    assert "page.html" in str(error) and "line 2" in str(error)
    frames = _template_frames(error, "<template>")
    assert frames[0] == (3, "top-level template code")
    assert frames[-1] == (2, "macro 'm'")
    # The interpreter is fine afterwards, and the same template fails the same way.
    assert env.from_string("{{ 1 + 1 }}").render() == "2"
    with pytest.raises(TemplateRuntimeError, match="macro 'm'"):
        template.render()


@pytest.mark.parametrize("how", ["generate", "stream"])
def test_runaway_recursion_while_streaming(how):
    template = Environment().from_string(RECURSIVE_MACRO)
    with pytest.raises(TemplateRuntimeError, match="macro 'm'") as info:
        if how == "generate":
            list(template.generate())
        else:
            "".join(template.stream())
    assert not isinstance(info.value, RecursionError)


def test_runaway_recursion_through_includes_and_blocks():
    env = Environment(
        loader=DictLoader(
            {
                "loop.html": "x{% include 'loop.html' %}",
                "blocks.html": "{% block b %}{{ self.b() }}{% endblock %}",
                "caller.html": (
                    "{% macro m() %}{{ caller() }}{% endmacro %}"
                    "{% macro n() %}{% call m() %}{{ n() }}{% endcall %}{% endmacro %}{{ n() }}"
                ),
                "import.html": "{% import 'import.html' as me %}{{ me }}",
            }
        )
    )
    for name in ("loop.html", "blocks.html", "caller.html", "import.html"):
        with pytest.raises(TemplateRuntimeError, match="recursion") as info:
            env.get_template(name).render()
        assert not isinstance(info.value, RecursionError)
        assert name in str(info.value)
    assert env.from_string("ok").render() == "ok"


def test_recursion_in_a_python_callable_is_reported_too():
    def forever(n):
        return forever(n + 1)

    with pytest.raises(TemplateRuntimeError, match="recursion"):
        Environment().from_string("{{ f(1) }}").render(f=forever)


def test_deep_but_bounded_recursion_still_works():
    source = (
        "{% macro count(n) %}{% if n %}{{ count(n - 1) }}{% endif %}{{ n }}{% endmacro %}"
        "{{ count(50)|length }}"
    )
    assert Environment().from_string(source).render() == str(len("".join(map(str, range(51)))))
    assert sys.getrecursionlimit() >= 1000


# -- slicing what cannot be sliced -----------------------------------------------------


# Both environments raise the TypeError Jinja raises for a slice of a dict,
# an int or a bool (Environment.getitem and the sandbox's re-raise it).
SLICING_ENVIRONMENTS = [Environment, SandboxedEnvironment]


@pytest.mark.parametrize("environment_class", SLICING_ENVIRONMENTS)
@pytest.mark.parametrize(
    "source, message",
    [
        ("{{ d[1:2] }}", "slice"),
        ("{{ n[1:2] }}", "'int' object is not subscriptable"),
        ("{{ b[0:1] }}", "'bool' object is not subscriptable"),
        ("{{ f[:1] }}", "'float' object is not subscriptable"),
        ("{{ nothing[1:] }}", "'NoneType' object is not subscriptable"),
        ("{{ l[x:'a'] }}", "slice indices must be integers"),
        ("{% set z = n[1:2] %}{{ z }}", "not subscriptable"),
        ("{{ n[1:2] is defined }}", "not subscriptable"),
        ("{{ 5[1:2] }}", "not subscriptable"),
        ("{{ true[0:1] }}", "not subscriptable"),
    ],
)
def test_slicing_an_unsliceable_value_raises_type_error(environment_class, source, message):
    context = {"d": {"a": 1}, "n": 5, "b": True, "f": 1.5, "nothing": None, "l": [1, 2], "x": 0}
    # Slicing a dict is Python's own error, as in Jinja: "unhashable type:
    # 'slice'" up to Python 3.11, a KeyError from 3.12 (slices became hashable).
    expected = KeyError if source == "{{ d[1:2] }}" and sys.version_info >= (3, 12) else TypeError
    with pytest.raises(expected, match=message):
        environment_class().from_string(source).render(context)


@pytest.mark.parametrize("environment_class", ENVIRONMENTS)
def test_slicing_strings_and_lists_still_works(environment_class):
    env = environment_class()
    source = (
        "{{ s[1:3] }}|{{ s[::-1] }}|{{ l[1:] }}|{{ 'abc'[:2] }}|{{ [1, 2, 3][-2:] }}|{{ t[:1] }}"
    )
    assert (
        env.from_string(source).render(s="hello", l=[1, 2, 3], t=(7, 8))
        == "el|olleh|[2, 3]|ab|[2, 3]|(7,)"
    )
    for undefined in (None, StrictUndefined):
        kwargs = {} if undefined is None else {"undefined": undefined}
        with pytest.raises(UndefinedError):
            environment_class(**kwargs).from_string("{{ missing[1:2] }}").render()
