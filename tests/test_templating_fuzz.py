"""Random and mutated template sources never crash the engine.

Compiling may only raise TemplateError subclasses.  Rendering may also
raise the ordinary errors a template's own operations produce (``1 + 'a'``
is a TypeError in Jinja too), but never an internal error of the engine:
no NameError, UnboundLocalError, SyntaxError, RecursionError, IndexError
from the compiler, AssertionError or MemoryError.
"""

import os
import pathlib
import random
import sys

from microflask.templating import DictLoader, Environment, TemplateError

sys.path.insert(0, str(pathlib.Path(__file__).parent / "fixtures"))
from templating_cases import CASES  # noqa: E402

FRAGMENTS = (
    "{{ }} {% %} {# #} {%- -%} {{- -}} for in if elif else endif endfor x y items loop "
    "loop.index loop.cycle('a','b') recursive loop(x) macro endmacro m( ) call endcall caller() "
    "set endset = ns.a namespace() with endwith block endblock extends include import from as "
    "'a.html' \"b\" raw endraw filter endfilter upper length default( | is not defined divisibleby "
    "1 2.5 0x10 -3 [ ] { } ( ) , : . ~ + - * / // % ** == != < > <= >= and or not true none "
    "autoescape endautoescape true false do break continue scoped required super() self.x() "
    "range(3) dict(a=1) lipsum() 'x'*3 ignore missing without context 'a' ~ 'b' x.y x[0] x[1:2] "
    "\n \n\n\t"
).split(" ")

TEMPLATES = {
    "a.html": "A{% block x %}ax{% endblock %}{% macro m(v) %}[{{ v }}]{% endmacro %}",
    "b.html": "{% extends 'a.html' %}{% block x %}bx{{ super() }}{% endblock %}",
}
CONTEXT = {"x": [1, 2], "y": {"a": 1}, "items": ["p", "q"], "name": "<n>"}
# What a template's own operations may raise (``1 + 'a'``, a filter given
# the wrong type): the same errors Jinja lets through.
ALLOWED_RENDER_ERRORS = (TypeError, ValueError, ArithmeticError, LookupError, AttributeError)
ENGINE_FILES = {"compiler.py", "parser.py", "lexer.py", "nodes.py", "environment.py", "sandbox.py"}
SEEDS_SOURCES = [c["source"] for c in CASES if "source" in c]


def innermost_file(exc):
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return os.path.basename(tb.tb_frame.f_code.co_filename)


def check(env, source):
    try:
        template = env.from_string(source)
    except TemplateError:
        return
    try:
        template.render(CONTEXT)
    except TemplateError:
        pass
    except ALLOWED_RENDER_ERRORS as e:
        where = innermost_file(e)
        # An internal error of the engine itself, not of the template's code.
        assert where not in ENGINE_FILES, (source, e)
        assert where != "runtime.py" or isinstance(e, TypeError), (source, e)


def random_source(rng):
    return "".join(
        rng.choice(FRAGMENTS) + rng.choice(("", " ", "")) for _ in range(rng.randint(1, 14))
    )


def mutate(rng, source):
    chars = list(source)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(3)
        pos = rng.randrange(len(chars) + 1)
        if op == 0 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op == 1:
            chars.insert(pos, rng.choice("{}%#()[]|.'\"-+ x\n"))
        elif chars:
            other = rng.randrange(len(chars))
            pos = min(pos, len(chars) - 1)
            chars[pos], chars[other] = chars[other], chars[pos]
    return "".join(chars)


def test_random_fragment_sources():
    rng = random.Random(1234)
    env = Environment(loader=DictLoader(TEMPLATES), extensions=["jinja2.ext.do"])
    for _ in range(5000):
        check(env, random_source(rng))


def test_mutated_valid_sources():
    rng = random.Random(99)
    env = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    for _ in range(5000):
        check(env, mutate(rng, rng.choice(SEEDS_SOURCES)))


def test_deep_nesting_is_a_template_error():
    env = Environment()
    for source in (
        "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
        "{% if x %}" * 200 + "{% endif %}" * 200,
        "{% for a in x %}" * 60 + "{% endfor %}" * 60,
        "{{ " + "[" * 3000 + "]" * 3000 + " }}",
        "{{ x" + ".y" * 5000 + " }}",
        "{{ " + "-" * 5000 + "1 }}",
    ):
        try:
            env.from_string(source).render(x=[])
        except TemplateError:
            pass
