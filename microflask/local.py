"""Context-local objects and the proxy that reaches them (``werkzeug.local``).

Flask's ``request``, ``session``, ``g`` and ``current_app`` are proxies: module
globals that forward every operation to the object bound in the current
context.  The binding lives in a :class:`contextvars.ContextVar`, so threads
and asyncio tasks each see their own request.
"""

from __future__ import annotations

import contextvars
import copy
import math
import operator
import typing as t

__all__ = ["LocalProxy"]

# Werkzeug's older context-local classes, for code written against them;
# Flask itself binds its contexts in ContextVars and uses none of them.
_LEGACY_LOCAL_NAMES = frozenset({"Local", "LocalStack", "LocalManager", "release_local"})


def __getattr__(name: str) -> t.Any:
    if name in _LEGACY_LOCAL_NAMES:
        from microflask import _legacy_local

        return getattr(_legacy_local, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


_UNBOUND_DEFAULT = "object is not bound"


def _make_proxy_getter(target: t.Any, name: str | None, message: str) -> t.Callable[[], t.Any]:
    """Build the zero-argument function that finds the proxied object."""
    if isinstance(target, contextvars.ContextVar):
        missing = object()
        get = target.get
        if name is None:

            def get_from_var() -> t.Any:
                value = get(missing)
                if value is missing:
                    raise RuntimeError(message)
                return value

            return get_from_var

        def get_attribute_from_var() -> t.Any:
            value = get(missing)
            if value is missing:
                raise RuntimeError(message)
            return getattr(value, name)

        return get_attribute_from_var

    # A Local or LocalStack (microflask._legacy_local) knows how it is read.
    legacy_getter = getattr(type(target), "_proxy_getter", None)
    if legacy_getter is not None:
        return legacy_getter(target, name, message)

    if callable(target):
        if name is None:
            return target
        return lambda: getattr(target(), name)

    raise TypeError("LocalProxy needs a ContextVar, Local, LocalStack or callable")


class _ProxyMethod:
    """A special method the proxy takes from the proxied object itself
    (``__enter__``, ``__await__``, ``__format__``...), found when Python
    looks it up: ``with proxy:`` runs the object's own ``__enter__``."""

    __slots__ = ("name",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, proxy: t.Any, owner: type | None = None) -> t.Any:
        if proxy is None:
            return self
        return getattr(object.__getattribute__(proxy, "_get_current_object")(), self.name)

    def __call__(self, proxy: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        # Reached when Python calls the special method on the class directly
        # (``type(p).__enter__(p)``); route through __get__.
        return self.__get__(proxy, type(proxy))(*args, **kwargs)


def _proxy_forwarding_method(operation: t.Callable) -> t.Callable:
    """A special method of the proxy class: ``operation`` applied to the
    proxied object and the other operands.

    A plain function, which Python calls directly for ``proxy[key]``,
    ``len(proxy)``, ``proxy == x``...; a descriptor would cost an extra call
    and a new bound callable on every use.
    """

    def forward_to_proxied(proxy: t.Any, *args: t.Any) -> t.Any:
        return operation(_object_getattribute(proxy, "_get_current_object")(), *args)

    return forward_to_proxied


def _reflected(op: t.Callable) -> t.Callable:
    return lambda obj, other: op(other, obj)


class _ProxyInPlaceMethod(_ProxyMethod):
    """An augmented assignment (``p += x``): applied to the proxied object,
    and the name stays bound to the proxy rather than to the result."""

    __slots__ = ("in_place",)

    def __init__(self, in_place: t.Callable) -> None:
        self.in_place = in_place

    def __get__(self, proxy: t.Any, owner: type | None = None) -> t.Any:
        if proxy is None:
            return self
        obj = object.__getattribute__(proxy, "_get_current_object")()
        in_place = self.in_place

        def apply_in_place(other: t.Any) -> t.Any:
            in_place(obj, other)
            return proxy

        return apply_in_place


class LocalProxy:
    """A proxy that forwards (almost) every operation to the object bound
    in the current context.

    ``LocalProxy(context_var)`` proxies the value of a ContextVar,
    ``LocalProxy(context_var, "attr")`` an attribute of it; a ``Local``, a
    ``LocalStack`` or any zero-argument callable works too.  Outside a
    context, using the proxy raises ``RuntimeError(unbound_message)``.
    """

    __slots__ = ("__wrapped", "_get_current_object")

    def __init__(
        self,
        local: t.Any,
        name: str | None = None,
        *,
        unbound_message: str | None = None,
    ) -> None:
        object.__setattr__(self, "_LocalProxy__wrapped", local)
        getter = _make_proxy_getter(local, name, unbound_message or _UNBOUND_DEFAULT)
        object.__setattr__(self, "_get_current_object", getter)

    # Attribute access is the hot path (``request.args``).  Names the proxy
    # class defines (its methods, slots, ``__class__``...) are its own and
    # every other name is the proxied object's; deciding that here, rather
    # than in ``__getattr__``, spares each access a failed lookup and the
    # AttributeError Python would build for it.
    def __getattribute__(self, name: str) -> t.Any:
        if name in _local_proxy_own_names or (
            type(self) is not LocalProxy and name in _proxy_class_own_names(type(self))
        ):
            return _object_getattribute(self, name)
        if name == "__wrapped__":
            return _object_getattribute(self, "_LocalProxy__wrapped")
        if name == "__doc__":
            # The proxied object's, or the proxy's own when nothing is bound.
            try:
                obj = _object_getattribute(self, "_get_current_object")()
            except RuntimeError:
                return type(self).__doc__
            return getattr(obj, name)
        return getattr(_object_getattribute(self, "_get_current_object")(), name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(self._get_current_object(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._get_current_object(), name)

    def __repr__(self) -> str:
        try:
            obj = self._get_current_object()
        except RuntimeError:
            return "<%s unbound>" % type(self).__name__
        return repr(obj)

    def __bool__(self) -> bool:
        try:
            obj = self._get_current_object()
        except RuntimeError:
            return False
        return bool(obj)

    def __dir__(self) -> list:
        try:
            return dir(self._get_current_object())
        except RuntimeError:
            return []

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        # Called through the object itself: a non-callable gives Python's own
        # "object is not callable" TypeError.
        return _object_getattribute(self, "_get_current_object")()(*args, **kwargs)

    @property
    def __class__(self) -> type:  # type: ignore[override]
        # isinstance(request, Request) holds inside a request, as with Werkzeug.
        try:
            return type(self._get_current_object())
        except RuntimeError:
            return type(self)

    __str__ = _proxy_forwarding_method(str)  # type: ignore[assignment]
    __bytes__ = _proxy_forwarding_method(bytes)
    __format__ = _ProxyMethod()  # type: ignore[assignment]
    __lt__ = _proxy_forwarding_method(operator.lt)
    __le__ = _proxy_forwarding_method(operator.le)
    __eq__ = _proxy_forwarding_method(operator.eq)  # type: ignore[assignment]
    __ne__ = _proxy_forwarding_method(operator.ne)  # type: ignore[assignment]
    __gt__ = _proxy_forwarding_method(operator.gt)
    __ge__ = _proxy_forwarding_method(operator.ge)
    __hash__ = _proxy_forwarding_method(hash)  # type: ignore[assignment]
    __len__ = _proxy_forwarding_method(len)
    __length_hint__ = _proxy_forwarding_method(operator.length_hint)
    __getitem__ = _proxy_forwarding_method(operator.getitem)
    __setitem__ = _proxy_forwarding_method(operator.setitem)
    __delitem__ = _proxy_forwarding_method(operator.delitem)
    __iter__ = _proxy_forwarding_method(iter)
    __next__ = _proxy_forwarding_method(next)
    __reversed__ = _proxy_forwarding_method(reversed)
    __contains__ = _proxy_forwarding_method(operator.contains)
    __add__ = _proxy_forwarding_method(operator.add)
    __sub__ = _proxy_forwarding_method(operator.sub)
    __mul__ = _proxy_forwarding_method(operator.mul)
    __matmul__ = _proxy_forwarding_method(operator.matmul)
    __truediv__ = _proxy_forwarding_method(operator.truediv)
    __floordiv__ = _proxy_forwarding_method(operator.floordiv)
    __mod__ = _proxy_forwarding_method(operator.mod)
    __divmod__ = _proxy_forwarding_method(divmod)
    __pow__ = _proxy_forwarding_method(pow)
    __lshift__ = _proxy_forwarding_method(operator.lshift)
    __rshift__ = _proxy_forwarding_method(operator.rshift)
    __and__ = _proxy_forwarding_method(operator.and_)
    __xor__ = _proxy_forwarding_method(operator.xor)
    __or__ = _proxy_forwarding_method(operator.or_)
    __radd__ = _proxy_forwarding_method(_reflected(operator.add))
    __rsub__ = _proxy_forwarding_method(_reflected(operator.sub))
    __rmul__ = _proxy_forwarding_method(_reflected(operator.mul))
    __rmatmul__ = _proxy_forwarding_method(_reflected(operator.matmul))
    __rtruediv__ = _proxy_forwarding_method(_reflected(operator.truediv))
    __rfloordiv__ = _proxy_forwarding_method(_reflected(operator.floordiv))
    __rmod__ = _proxy_forwarding_method(_reflected(operator.mod))
    __rdivmod__ = _proxy_forwarding_method(_reflected(divmod))
    __rpow__ = _proxy_forwarding_method(_reflected(pow))
    __rlshift__ = _proxy_forwarding_method(_reflected(operator.lshift))
    __rrshift__ = _proxy_forwarding_method(_reflected(operator.rshift))
    __rand__ = _proxy_forwarding_method(_reflected(operator.and_))
    __rxor__ = _proxy_forwarding_method(_reflected(operator.xor))
    __ror__ = _proxy_forwarding_method(_reflected(operator.or_))
    __iadd__ = _ProxyInPlaceMethod(operator.iadd)
    __isub__ = _ProxyInPlaceMethod(operator.isub)
    __imul__ = _ProxyInPlaceMethod(operator.imul)
    __itruediv__ = _ProxyInPlaceMethod(operator.itruediv)
    __ifloordiv__ = _ProxyInPlaceMethod(operator.ifloordiv)
    __imod__ = _ProxyInPlaceMethod(operator.imod)
    __ior__ = _ProxyInPlaceMethod(operator.ior)
    __iand__ = _ProxyInPlaceMethod(operator.iand)
    __ixor__ = _ProxyInPlaceMethod(operator.ixor)
    __imatmul__ = _ProxyInPlaceMethod(operator.imatmul)
    __ipow__ = _ProxyInPlaceMethod(operator.ipow)
    __ilshift__ = _ProxyInPlaceMethod(operator.ilshift)
    __irshift__ = _ProxyInPlaceMethod(operator.irshift)
    __instancecheck__ = _proxy_forwarding_method(lambda cls, instance: isinstance(instance, cls))
    __subclasscheck__ = _proxy_forwarding_method(lambda cls, subclass: issubclass(subclass, cls))
    __neg__ = _proxy_forwarding_method(operator.neg)
    __pos__ = _proxy_forwarding_method(operator.pos)
    __abs__ = _proxy_forwarding_method(abs)
    __invert__ = _proxy_forwarding_method(operator.invert)
    __complex__ = _proxy_forwarding_method(complex)
    __int__ = _proxy_forwarding_method(int)
    __float__ = _proxy_forwarding_method(float)
    __index__ = _proxy_forwarding_method(operator.index)
    __round__ = _proxy_forwarding_method(round)
    __trunc__ = _proxy_forwarding_method(math.trunc)
    __floor__ = _proxy_forwarding_method(math.floor)
    __ceil__ = _proxy_forwarding_method(math.ceil)
    __enter__ = _ProxyMethod()
    __exit__ = _ProxyMethod()
    __await__ = _ProxyMethod()
    __aiter__ = _ProxyMethod()
    __anext__ = _ProxyMethod()
    __aenter__ = _ProxyMethod()
    __aexit__ = _ProxyMethod()
    __copy__ = _proxy_forwarding_method(copy.copy)
    __deepcopy__ = _proxy_forwarding_method(copy.deepcopy)


_object_getattribute = object.__getattribute__
_proxy_own_names_by_class: dict[type, frozenset[str]] = {}


def _proxy_class_own_names(cls: type) -> frozenset[str]:
    """Every attribute name ``cls`` (a proxy class) or its bases define."""
    names = _proxy_own_names_by_class.get(cls)
    if names is None:
        names = frozenset(name for klass in cls.__mro__ for name in vars(klass))
        if len(_proxy_own_names_by_class) < 256:
            _proxy_own_names_by_class[cls] = names
    return names


_local_proxy_own_names = _proxy_class_own_names(LocalProxy) - {"__doc__"}
