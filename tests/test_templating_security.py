"""Templates cannot reach Python internals, in any environment, and cannot
exhaust memory; the sandbox API matches Jinja's."""

import pytest

from microflask.templating import Environment, SecurityError, TemplateError
from microflask.templating.exceptions import TemplateOverflowError
from microflask.templating.sandbox import (
    ImmutableSandboxedEnvironment,
    SandboxedEnvironment,
    is_internal_attribute,
    modifies_known_mutable,
    unsafe,
)


def application(environ, start_response):
    return []


class Request:
    application = staticmethod(application)


def numbers():
    yield 1


CONTEXT = {"request": Request(), "gen": numbers(), "config": {"SECRET_KEY": "s3cret"}}

PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ ''.__class__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ lipsum.__globals__.__builtins__ }}",
    "{{ range.__self__ }}",
    "{{ request.application.__globals__['__builtins__'] }}",
    "{{ request['application']['__globals__'] }}",
    "{{ request.application.__code__.co_consts }}",
    "{{ config.__class__.__init__.__globals__ }}",
    "{{ config.items.__self__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__dict__ }}",
    "{{ gen.gi_frame.f_globals }}",
    "{{ gen.gi_code }}",
    "{{ x.mro() }}",
    "{{ ''['__class__'] }}",
    "{{ dict.__subclasses__() }}",
    "{{ dict.mro() }}",
    "{{ '{0.__class__.__mro__}'.format(1) }}",
    "{{ '{0.__globals__}'.format(lipsum) }}",
    "{{ '{x.__class__}'.format_map({'x': 1}) }}",
    "{% set f = ''.format %}{{ f('{0.__class__}', 1) }}",
    "{{ ''.__class__|string }}",
    "{{ ('{0.__class__}'|safe).format(1) }}",
    "{{ ('{0.__class__}'|safe)['format'](1) }}",
    "{{ ('{x.__class__}'|safe).format_map({'x': 1}) }}",
    "{{ ''['format']('{0.__class__}', 1) }}",
    "{{ [].__class__.__base__.__subclasses__() }}",
    "{{ (1).__class__ }}",
    "{{ [range]|map(attribute='__globals__')|list }}",
    "{{ [1]|map(attribute='__class__')|list }}",
    "{{ [1]|sort(attribute='__class__') }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
]
SENSITIVE = ("class", "module", "built-in", "function", "frame", "code", "s3cret", "object at")


@pytest.mark.parametrize("env_class", [Environment, SandboxedEnvironment])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_goes_nowhere(env_class, payload):
    env = env_class()
    try:
        output = env.from_string(payload).render(CONTEXT, x=int)
    except TemplateError:
        return
    assert not any(word in output for word in SENSITIVE), output


def test_private_attribute_prints_empty_and_raises_when_used():
    env = Environment()
    assert env.from_string("[{{ ''.__class__ }}]").render() == "[]"
    with pytest.raises(SecurityError) as info:
        env.from_string("{{ ''.__class__.__name__ }}").render()
    assert "access to attribute '__class__' of 'str' object is unsafe." in str(info.value)
    with pytest.raises(SecurityError):
        env.from_string("{{ lipsum.__globals__() }}").render()


def test_dict_keys_with_private_names_are_still_items():
    env = Environment()
    assert env.from_string("{{ d._x }}{{ d['__y'] }}{{ d.mro }}").render(
        d={"_x": 1, "__y": 2, "mro": 3}
    ) == "123"


def test_getattr_and_getitem_refuse_internals():
    env = Environment()
    assert str(env.getattr("", "__class__")) == ""
    assert env.getattr({"a": 1}, "a") == 1
    assert env.getitem([1, 2], 1) == 2
    with pytest.raises(SecurityError):
        env.getitem("", "__class__").anything  # noqa: B018


@pytest.mark.parametrize(
    "source",
    [
        "{{ range(100001)|list|length }}",
        "{{ range(10**9) }}",
        "{{ 'a' * 10**9 }}",
        "{{ [1] * 10**9 }}",
        "{{ 10 ** 1000000 }}",
        "{{ '%999999999d' % 1 }}",
        "{{ 'a'.center(10**9) }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ '{:>999999999}'.format(1) }}",
    ],
)
def test_memory_bombs_are_refused(source):
    for env in (Environment(), SandboxedEnvironment()):
        with pytest.raises(TemplateOverflowError) as info:
            env.from_string(source).render()
        assert isinstance(info.value, OverflowError)
        assert isinstance(info.value, SecurityError)


def test_reasonable_sizes_still_work():
    env = Environment()
    assert env.from_string("{{ range(100000)|length }}").render() == "100000"
    assert (
        env.from_string("{{ 'ab' * 3 }}{{ 2 ** 10 }}{{ '%5d' % 3 }}").render() == "ababab1024    3"
    )
    assert env.from_string("{{ '{:>4}'.format(1) }}|{{ 'a'.center(3) }}").render() == "   1| a "


def test_str_format_still_formats_values():
    env = Environment()
    assert env.from_string("{{ '{0} and {x}'.format(1, x='y') }}").render() == "1 and y"
    assert env.from_string("{{ '{0[a]}'.format(d) }}").render(d={"a": 5}) == "5"


def test_markup_format_escapes_arguments():
    env = Environment(autoescape=True)
    out = env.from_string("{{ '<b>{0}</b>'|safe|attr('format') }}").render()
    assert "<b>" not in out or out == ""
    out = env.from_string("{% set m = '<b>{0}</b>'|safe %}{{ m.format('<i>') }}").render()
    assert out == "<b>&lt;i&gt;</b>"


# -- the sandbox API


class Account:
    def __init__(self):
        self.balance = 10

    def read(self):
        return "read"

    @unsafe
    def delete(self):
        raise AssertionError("must not run")

    def transfer(self):
        raise AssertionError("must not run")

    transfer.alters_data = True


def test_sandbox_refuses_unsafe_callables():
    env = SandboxedEnvironment()
    assert env.from_string("{{ a.read() }}{{ a.balance }}").render(a=Account()) == "read10"
    for source in ("{{ a.delete() }}", "{{ a.transfer() }}"):
        with pytest.raises(SecurityError) as info:
            env.from_string(source).render(a=Account())
        assert "is not safely callable" in str(info.value)


def test_sandbox_predicates():
    env = SandboxedEnvironment()
    assert env.sandboxed is True
    assert not env.is_safe_attribute("", "__class__", str)
    assert not env.is_safe_attribute("", "_private", None)
    assert env.is_safe_attribute("", "upper", "".upper)
    assert env.is_safe_callable(len)
    assert not env.is_safe_callable(Account().delete)
    assert is_internal_attribute(numbers(), "gi_frame")
    assert is_internal_attribute(application, "__globals__")
    assert not is_internal_attribute("", "upper")


def test_modifies_known_mutable():
    assert modifies_known_mutable({}, "clear")
    assert modifies_known_mutable({}, "update")
    assert not modifies_known_mutable({}, "keys")
    assert modifies_known_mutable([], "append")
    assert not modifies_known_mutable([], "index")
    assert modifies_known_mutable(set(), "add")
    from collections import deque

    assert modifies_known_mutable(deque(), "appendleft")
    assert not modifies_known_mutable("", "upper")


def test_immutable_sandbox_refuses_mutation():
    env = ImmutableSandboxedEnvironment()
    with pytest.raises(SecurityError) as info:
        env.from_string("{{ l.append(1) }}").render(l=[])
    assert "access to attribute 'append' of 'list' object is unsafe." in str(info.value)
    with pytest.raises(SecurityError):
        env.from_string("{{ d.clear() }}").render(d={"a": 1})
    assert (
        env.from_string("{{ l.index(2) }}{{ d.keys()|list }}").render(l=[1, 2], d={"a": 1})
        == "1['a']"
    )


def test_intercepted_operators():
    calls = []

    class Counting(SandboxedEnvironment):
        intercepted_binops = frozenset(["+"])
        intercepted_unops = frozenset(["-"])

        def call_binop(self, context, operator, left, right):
            calls.append(operator)
            return super().call_binop(context, operator, left, right)

        def call_unop(self, context, operator, arg):
            calls.append("u" + operator)
            return super().call_unop(context, operator, arg)

    assert Counting().from_string("{{ 1 + 2 }} {{ -x }} {{ 3 * 2 }}").render(x=4) == "3 -4 6"
    assert calls == ["+", "u-"]


def test_sandbox_binop_table_and_range():
    env = SandboxedEnvironment()
    assert env.binop_table["+"](1, 2) == 3
    assert env.unop_table["not"](False) is True
    with pytest.raises(OverflowError):
        env.from_string("{{ range(200000) }}").render()


def test_str_format_read_as_attribute_stays_safe_when_python_calls_it():
    def run(value, arg):
        return value["run"](arg)

    for env in (Environment(), SandboxedEnvironment()):
        env.filters["run"] = run
        out = env.from_string("{{ {'run': '{0.__class__}'.format}|run(1) }}").render()
        assert "class" not in out
        out = env.from_string("{{ {'run': '{0.real}'.format}|run(1) }}").render()
        assert out == "1"


def test_attr_filter_cannot_reach_internals_outside_the_sandbox():
    from microflask.templating import Environment, SecurityError

    env = Environment()
    assert env.from_string("[{{ ''|attr('__class__') }}]").render() == "[]"
    with pytest.raises(SecurityError):
        env.from_string("{{ (''|attr('__class__')).__mro__ }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ (''|attr('__class__'))() }}").render()
    assert env.from_string("{{ d|attr('real') }}").render(d=3) == "3"
