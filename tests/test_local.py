"""Context locals and LocalProxy (microflask.local, Werkzeug's werkzeug.local)."""

from __future__ import annotations

import contextvars
import operator

import pytest

from microflask.local import Local, LocalProxy, LocalStack

_in_place_ops = [
    operator.iadd,
    operator.isub,
    operator.imul,
    operator.imatmul,
    operator.itruediv,
    operator.ifloordiv,
    operator.imod,
    operator.ipow,
    operator.ilshift,
    operator.irshift,
    operator.iand,
    operator.ior,
    operator.ixor,
]


class _Accumulator:
    """Every in-place operator records its operand and returns itself."""

    def __init__(self) -> None:
        self.last = None

    def _record(self, other):
        self.last = other
        return self


for _op in _in_place_ops:
    setattr(_Accumulator, f"__{_op.__name__}__", _Accumulator._record)


@pytest.mark.parametrize("op", _in_place_ops, ids=lambda op: op.__name__)
def test_in_place_operator_applies_to_target_and_keeps_the_proxy(op):
    var: contextvars.ContextVar = contextvars.ContextVar("local_iop")
    target = _Accumulator()
    var.set(target)
    proxy = LocalProxy(var)
    result = op(proxy, 5)
    assert type(result) is LocalProxy
    assert target.last == 5


def test_in_place_add_on_immutable_value_does_not_rebind_the_proxy():
    var: contextvars.ContextVar = contextvars.ContextVar("local_iop_int")
    var.set(10)
    proxy = LocalProxy(var)
    proxy += 1
    assert type(proxy) is LocalProxy
    assert proxy == 10


def test_proxy_doc_is_the_targets_when_bound():
    def documented():
        """the target's doc"""

    assert LocalProxy(lambda: documented).__doc__ == "the target's doc"
    assert LocalProxy.__doc__.startswith("A proxy")
    stack = LocalStack(contextvars.ContextVar("local_doc_stack"))
    assert "proxy" in stack().__doc__


def test_proxy_to_a_class_forwards_instance_and_subclass_checks():
    class Always(type):
        def __instancecheck__(cls, instance):
            return True

        def __subclasscheck__(cls, subclass):
            return True

    class Anything(metaclass=Always):
        pass

    proxy = LocalProxy(lambda: Anything)
    assert isinstance("text", proxy)
    assert issubclass(int, proxy)
    assert isinstance(Anything(), LocalProxy(lambda: Anything))
    assert not isinstance(1, LocalProxy(lambda: str))


def test_local_stack_exposes_its_context_var_as_storage():
    var: contextvars.ContextVar = contextvars.ContextVar("local_stack_storage")
    stack = LocalStack(var)
    stack.push(1)
    stack.push(2)
    assert stack._storage is var
    assert var.get() == [1, 2]


def test_local_manager_releases_its_locals_when_the_response_closes():
    from microflask.local import LocalManager

    namespace = Local()
    stack = LocalStack()
    manager = LocalManager([namespace, stack])
    assert repr(manager) == "<LocalManager storages: 2>"
    assert LocalManager(namespace).locals == [namespace]
    namespace.user = "ann"
    stack.push("req")

    @manager.middleware
    def app(environ, start_response):
        """the app"""
        return [b"body"]

    assert app.__doc__ == "the app"
    response = app({}, None)
    assert list(response) == [b"body"]
    assert namespace.user == "ann"
    response.close()
    assert not hasattr(namespace, "user")
    assert stack.top is None


def test_calling_a_proxy_to_a_non_callable_is_a_type_error():
    proxy = LocalProxy(lambda: 42)
    with pytest.raises(TypeError, match="not callable"):
        proxy()
    assert LocalProxy(lambda: len)("abc") == 3
