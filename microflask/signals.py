"""Signals: let code subscribe to things the framework does.

This plays the role of the ``blinker`` library (``Signal``, ``NamedSignal``,
``Namespace``, ``ANY``) together with Flask's ``flask.signals`` module, which
defines the signals Flask sends (``request_started``, ``template_rendered``,
...).  Behaviour follows blinker 1.x as Flask 3 uses it:

* a receiver is called as ``receiver(sender, **kwargs)``;
* a receiver connected for ``ANY`` sender hears every send; one connected for
  a given sender hears only sends from that object (matched by identity, or
  by value for ``str`` and ``int`` senders);
* receivers are held through weak references by default and drop out
  automatically when collected; senders are weakly tracked too, so a new
  object that reuses a dead one's ``id`` does not inherit its receivers.

Unlike blinker, receivers are called in the order they were connected.
``send`` with nobody connected is a single emptiness check.
"""

from __future__ import annotations

import functools
from _thread import (
    RLock as _signal_receivers_rlock,
)  # threading's RLock, without importing threading
import weakref
from contextlib import contextmanager
from types import MethodType
from typing import Any, Callable
from collections.abc import Generator, Hashable, Iterator
from typing import TypeVar

__all__ = [
    "ANY",
    "NamedSignal",
    "Namespace",
    "Signal",
    "SignalNamespace",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "signals_available",
    "template_rendered",
]

_ReceiverT = TypeVar("_ReceiverT", bound=Callable[..., Any])
_SIGNAL_COROUTINE_FLAG = 0x80  # inspect.CO_COROUTINE, without importing inspect


class _SignalSymbol:
    """A named singleton marker whose repr is its name."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> str:
        return self.name


ANY = _SignalSymbol("ANY")
# The id under which "any sender" subscriptions are kept.  No real object
# has id 0, and str/int senders are keyed by value, so 0 would collide only
# with the sender ``0`` itself; a tuple cannot collide with either.
_ANY_SENDER_ID: Hashable = ("microflask.signals", "ANY")


def _signal_identity(obj: Any) -> Hashable:
    """Key an object the way blinker does: bound methods by their parts,
    strings and ints by value, everything else by ``id``."""
    if obj is ANY:
        return _ANY_SENDER_ID
    if isinstance(obj, MethodType):
        # A fresh bound-method object is made on every attribute access.
        return (id(obj.__func__), id(obj.__self__))
    if isinstance(obj, (str, int)):
        return obj
    return id(obj)


def _signal_weak_reference(obj: Any, callback: Callable[[Any], None]) -> weakref.ref[Any]:
    """A weak reference to ``obj``; bound methods need ``WeakMethod``."""
    if isinstance(obj, MethodType):
        return weakref.WeakMethod(obj, callback)
    return weakref.ref(obj, callback)


def _signal_is_coroutine_function(func: Any) -> bool:
    """Cheap check for ``async def`` receivers (no ``inspect`` import)."""
    # Functions and bound methods both expose ``__code__``.
    code = getattr(func, "__code__", None)
    if code is None:
        while isinstance(func, functools.partial):
            func = func.func
        code = getattr(func, "__code__", None)
        if code is None:
            return False
    return bool(code.co_flags & _SIGNAL_COROUTINE_FLAG)


class Signal:
    """A channel that calls every connected receiver when it is sent."""

    #: The marker meaning "every sender"; also importable as ``ANY``.
    ANY = ANY

    def __init__(self, doc: str | None = None) -> None:
        if doc:
            self.__doc__ = doc
        #: receiver id -> receiver, or a weak reference to it.  Emptiness of
        #: this dict is what makes an unheard ``send`` nearly free.
        self.receivers: dict[Hashable, Any] = {}
        self.is_muted = False
        # sender id -> receiver ids (dicts, not sets: they keep connect order)
        self._by_sender: dict[Hashable, dict[Hashable, None]] = {}
        # receiver id -> sender ids it is connected for
        self._by_receiver: dict[Hashable, set[Hashable]] = {}
        # sender id -> weak reference that cleans up when the sender dies
        self._weak_senders: dict[Hashable, Any] = {}
        self._lock = _signal_receivers_rlock()

    # -- meta signals, made only when someone asks for them ------------------

    @property
    def receiver_connected(self) -> Signal:
        """Sent as ``(signal, receiver=, sender=, weak=)`` after a connect."""
        meta = self.__dict__.get("_receiver_connected_signal")
        if meta is None:
            meta = self.__dict__["_receiver_connected_signal"] = Signal(
                "Sent after a receiver is connected to this signal."
            )
        return meta

    @property
    def receiver_disconnected(self) -> Signal:
        """Sent as ``(signal, receiver=, sender=)`` after a disconnect."""
        meta = self.__dict__.get("_receiver_disconnected_signal")
        if meta is None:
            meta = self.__dict__["_receiver_disconnected_signal"] = Signal(
                "Sent after a receiver is disconnected from this signal."
            )
        return meta

    # -- connecting ------------------------------------------------------------

    def connect(self, receiver: _ReceiverT, sender: Any = ANY, weak: bool = True) -> _ReceiverT:
        """Call ``receiver`` whenever ``sender`` (default: anyone) sends.

        With ``weak=True`` the signal does not keep the receiver alive.
        Returns the receiver, so this works as a decorator.
        """
        receiver_id = _signal_identity(receiver)
        sender_id = _signal_identity(sender)
        if weak:
            stored = _signal_weak_reference(
                receiver, self._make_receiver_cleanup(receiver_id)
            )
        else:
            stored = receiver
        with self._lock:
            self.receivers.setdefault(receiver_id, stored)
            self._by_sender.setdefault(sender_id, {})[receiver_id] = None
            self._by_receiver.setdefault(receiver_id, set()).add(sender_id)
            if sender is not ANY and sender_id not in self._weak_senders:
                try:
                    self._weak_senders[sender_id] = weakref.ref(
                        sender, self._make_sender_cleanup(sender_id)
                    )
                except TypeError:
                    # str, int, None...: cannot die, nothing to clean up.
                    pass
        connected = self.__dict__.get("_receiver_connected_signal")
        if connected is not None and connected.receivers:
            try:
                connected.send(self, receiver=receiver, sender=sender, weak=weak)
            except BaseException:
                self.disconnect(receiver, sender)
                raise
        return receiver

    def connect_via(self, sender: Any, weak: bool = False) -> Callable[[_ReceiverT], _ReceiverT]:
        """Decorator form of :meth:`connect` for one sender, strong by default."""

        def connect_decorated(receiver: _ReceiverT) -> _ReceiverT:
            self.connect(receiver, sender, weak)
            return receiver

        return connect_decorated

    @contextmanager
    def connected_to(self, receiver: Callable[..., Any], sender: Any = ANY) -> Iterator[None]:
        """Connect ``receiver`` (strongly) for the duration of a ``with`` block."""
        self.connect(receiver, sender=sender, weak=False)
        try:
            yield None
        finally:
            self.disconnect(receiver)

    def disconnect(self, receiver: Callable[..., Any], sender: Any = ANY) -> None:
        """Stop calling ``receiver`` for ``sender``; ``ANY`` removes it entirely."""
        self._disconnect(_signal_identity(receiver), _signal_identity(sender))
        disconnected = self.__dict__.get("_receiver_disconnected_signal")
        if disconnected is not None and disconnected.receivers:
            disconnected.send(self, receiver=receiver, sender=sender)

    def _disconnect(self, receiver_id: Hashable, sender_id: Hashable) -> None:
        with self._lock:
            if sender_id == _ANY_SENDER_ID:
                if self._by_receiver.pop(receiver_id, None) is not None:
                    # A list: a weakref callback may edit the dict meanwhile.
                    for bucket in list(self._by_sender.values()):
                        bucket.pop(receiver_id, None)
                self.receivers.pop(receiver_id, None)
            else:
                bucket = self._by_sender.get(sender_id)
                if bucket is not None:
                    bucket.pop(receiver_id, None)
                senders = self._by_receiver.get(receiver_id)
                if senders is not None:
                    senders.discard(sender_id)

    def _make_receiver_cleanup(self, receiver_id: Hashable) -> Callable[[Any], None]:
        # Hold the signal weakly too: a dead receiver must not keep it alive.
        signal_ref = weakref.ref(self)

        def forget_dead_receiver(_dead_ref: Any) -> None:
            signal = signal_ref()
            if signal is not None:
                signal._disconnect(receiver_id, _ANY_SENDER_ID)

        return forget_dead_receiver

    def _make_sender_cleanup(self, sender_id: Hashable) -> Callable[[Any], None]:
        signal_ref = weakref.ref(self)

        def forget_dead_sender(_dead_ref: Any) -> None:
            signal = signal_ref()
            if signal is not None:
                signal._forget_sender(sender_id)

        return forget_dead_sender

    def _forget_sender(self, sender_id: Hashable) -> None:
        with self._lock:
            self._weak_senders.pop(sender_id, None)
            for receiver_id in self._by_sender.pop(sender_id, ()):
                senders = self._by_receiver.get(receiver_id)
                if senders is not None:
                    senders.discard(sender_id)

    # -- sending ---------------------------------------------------------------

    def send(
        self,
        sender: Any = None,
        /,
        *,
        _async_wrapper: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
        **kwargs: Any,
    ) -> list[tuple[Callable[..., Any], Any]]:
        """Call every receiver for ``sender`` with ``(sender, **kwargs)``.

        Returns ``[(receiver, return value), ...]``.  An ``async def``
        receiver needs ``_async_wrapper`` to turn it into a plain callable
        (Flask passes ``app.ensure_sync``); without one it is an error.
        """
        if not self.receivers or self.is_muted:
            return []
        results = []
        for receiver in self._live_receivers(self._receiver_ids_for(sender)):
            if _signal_is_coroutine_function(receiver):
                if _async_wrapper is None:
                    raise RuntimeError("Cannot send to a coroutine function.")
                result = _async_wrapper(receiver)(sender, **kwargs)
            else:
                result = receiver(sender, **kwargs)
            results.append((receiver, result))
        return results

    async def send_async(
        self,
        sender: Any = None,
        /,
        *,
        _sync_wrapper: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
        **kwargs: Any,
    ) -> list[tuple[Callable[..., Any], Any]]:
        """Await every receiver; a plain one needs ``_sync_wrapper`` to become
        awaitable."""
        if not self.receivers or self.is_muted:
            return []
        results = []
        for receiver in self._live_receivers(self._receiver_ids_for(sender)):
            if not _signal_is_coroutine_function(receiver):
                if _sync_wrapper is None:
                    raise RuntimeError("Cannot send to a non-coroutine function.")
                result = await _sync_wrapper(receiver)(sender, **kwargs)
            else:
                result = await receiver(sender, **kwargs)
            results.append((receiver, result))
        return results

    def has_receivers_for(self, sender: Any) -> bool:
        """Whether a send from ``sender`` could reach anyone (cheap guard
        before building expensive keyword arguments)."""
        if not self.receivers:
            return False
        if self._by_sender.get(_ANY_SENDER_ID):
            return True
        if sender is ANY:
            return False
        return _signal_identity(sender) in self._by_sender

    def _receiver_ids_for(self, sender: Any) -> list[Hashable]:
        """Ids of the receivers a send from ``sender`` reaches, in connect order.

        Works on snapshots, so receivers may connect or disconnect (from
        other threads, or from a receiver) while a send is running.
        """
        by_sender = self._by_sender
        for_any = by_sender.get(_ANY_SENDER_ID)
        # Only look the sender up when someone subscribed to a sender.
        if sender is not ANY and len(by_sender) > (0 if for_any is None else 1):
            for_this = by_sender.get(_signal_identity(sender))
            if for_this:
                if not for_any:
                    return list(for_this)
                return [
                    rid for rid in list(self.receivers) if rid in for_this or rid in for_any
                ]
        return list(for_any) if for_any else []

    def _live_receivers(self, receiver_ids: list[Hashable]) -> list[Callable[..., Any]]:
        """Resolve ids to receivers, dropping (and forgetting) dead weak ones."""
        live = []
        receivers = self.receivers
        for receiver_id in receiver_ids:
            receiver = receivers.get(receiver_id)
            if receiver is None:
                continue
            if isinstance(receiver, weakref.ref):
                target = receiver()
                if target is None:
                    self._disconnect(receiver_id, _ANY_SENDER_ID)
                    continue
                receiver = target
            live.append(receiver)
        return live

    def receivers_for(self, sender: Any) -> Generator[Callable[..., Any], None, None]:
        """Yield the live receivers a send from ``sender`` would call."""
        if self.receivers:
            yield from self._live_receivers(self._receiver_ids_for(sender))

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Within the block, ``send`` calls nobody and returns ``[]``."""
        self.is_muted = True
        try:
            yield None
        finally:
            self.is_muted = False

    def _clear_state(self) -> None:
        """Forget every receiver and sender (for tests)."""
        with self._lock:
            self.receivers.clear()
            self._by_sender.clear()
            self._by_receiver.clear()
            self._weak_senders.clear()


class NamedSignal(Signal):
    """A ``Signal`` with a ``name``, shown in its repr."""

    def __init__(self, name: str, doc: str | None = None) -> None:
        super().__init__(doc)
        self.name = name

    def __repr__(self) -> str:
        return "<%s.%s object at %#x; %r>" % (
            type(self).__module__,
            type(self).__qualname__,
            id(self),
            self.name,
        )


class SignalNamespace(dict):
    """A dict of ``NamedSignal`` by name; asking twice gives the same one.

    Public name: ``Namespace`` (blinker's); the class name is unique because
    the template engine has a ``Namespace`` of its own.
    """

    def signal(self, name: str, doc: str | None = None) -> NamedSignal:
        """Return the signal called ``name``, creating it on first use."""
        found = self.get(name)
        if found is None:
            found = self[name] = NamedSignal(name, doc)
        return found


Namespace = SignalNamespace

# -- the signals Flask sends --------------------------------------------------

_flask_signals = SignalNamespace()
_signals = _flask_signals  # Flask's name for it

template_rendered = _flask_signals.signal("template-rendered")
before_render_template = _flask_signals.signal("before-render-template")
request_started = _flask_signals.signal("request-started")
request_finished = _flask_signals.signal("request-finished")
request_tearing_down = _flask_signals.signal("request-tearing-down")
got_request_exception = _flask_signals.signal("got-request-exception")
appcontext_tearing_down = _flask_signals.signal("appcontext-tearing-down")
appcontext_pushed = _flask_signals.signal("appcontext-pushed")
appcontext_popped = _flask_signals.signal("appcontext-popped")
message_flashed = _flask_signals.signal("message-flashed")

#: Always true: signals need no third-party package here.
signals_available = True
