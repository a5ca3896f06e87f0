"""microflask.signals: blinker-style signals and Flask's named signals."""

import asyncio
import functools
import gc
import threading

import pytest

from microflask import signals
from microflask.signals import ANY, NamedSignal, Namespace, Signal


def collect_garbage():
    gc.collect()


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, sender, **kwargs):
        self.calls.append((sender, kwargs))
        return len(self.calls)

    def method(self, sender, **kwargs):
        self.calls.append(("method", sender, kwargs))
        return "from-method"


def test_any_receiver_hears_every_sender_with_kwargs():
    signal = Signal()
    heard = []

    def receiver(sender, **kwargs):
        heard.append((sender, kwargs))
        return "ok"

    assert signal.connect(receiver) is receiver
    result = signal.send("app", value=1)
    assert result == [(receiver, "ok")]
    signal.send(None)
    signal.send()
    assert heard == [("app", {"value": 1}), (None, {}), (None, {})]


def test_sender_specific_receivers_match_by_identity():
    signal = Signal()
    heard = []
    first, second = object(), object()

    def receiver(sender):
        heard.append(sender)

    signal.connect(receiver, sender=first)
    signal.send(second)
    assert heard == []
    signal.send(first)
    assert heard == [first]
    assert signal.has_receivers_for(first)
    assert not signal.has_receivers_for(second)
    assert not signal.has_receivers_for(ANY)


def test_str_and_int_senders_match_by_value():
    signal = Signal()
    heard = []
    signal.connect(lambda sender: heard.append(sender), sender="abc", weak=False)
    signal.send("".join(["a", "b", "c"]))
    assert heard == ["abc"]


def test_send_with_no_receivers_returns_empty_list():
    signal = Signal()
    assert signal.send(object(), anything=1) == []
    assert not signal.has_receivers_for(None)
    assert list(signal.receivers_for(None)) == []


def test_send_takes_a_single_positional_sender():
    signal = Signal()
    with pytest.raises(TypeError):
        signal.send("a", "b")


def test_receivers_are_called_in_connection_order():
    signal = Signal()
    order = []
    sender = object()
    funcs = []
    for index in range(5):

        def receiver(sender, index=index):
            order.append(index)

        funcs.append(receiver)
        signal.connect(receiver, sender=sender if index % 2 else ANY)
    signal.send(sender)
    assert order == [0, 1, 2, 3, 4]


def test_weak_receiver_is_dropped_when_collected():
    signal = Signal()

    def receiver(sender):
        return 1

    signal.connect(receiver)
    assert len(signal.receivers) == 1
    del receiver
    collect_garbage()
    assert signal.receivers == {}
    assert signal.send(None) == []


def test_weak_bound_method_and_strong_reference():
    signal = Signal()
    recorder = Recorder()
    signal.connect(recorder.method)
    assert signal.send("s") == [(recorder.method, "from-method")]
    del recorder
    collect_garbage()
    assert signal.send("s") == []

    strong = Signal()
    strong.connect(Recorder().method, weak=False)
    collect_garbage()
    assert [value for _, value in strong.send("s")] == ["from-method"]


def test_disconnect_bound_method_made_by_a_fresh_attribute_access():
    signal = Signal()
    recorder = Recorder()
    signal.connect(recorder.method)
    signal.disconnect(recorder.method)
    assert signal.send(None) == []
    assert signal.receivers == {}


def test_disconnect_for_one_sender_keeps_others():
    signal = Signal()
    recorder = Recorder()
    a, b = object(), object()
    signal.connect(recorder, sender=a)
    signal.connect(recorder, sender=b)
    signal.disconnect(recorder, sender=a)
    signal.send(a)
    signal.send(b)
    assert recorder.calls == [(b, {})]
    signal.disconnect(recorder)
    signal.send(b)
    assert len(recorder.calls) == 1
    assert signal.receivers == {}


def test_dead_sender_does_not_leak_receivers_to_a_new_object():
    signal = Signal()
    recorder = Recorder()

    class Sender:
        pass

    sender = Sender()
    signal.connect(recorder, sender=sender)
    old_id = id(sender)
    del sender
    collect_garbage()
    assert old_id not in signal._by_sender
    assert not signal.has_receivers_for(Sender())


def test_connect_via_is_strong_and_returns_function():
    signal = Signal()
    sender = object()

    @signal.connect_via(sender)
    def receiver(sender, **kwargs):
        return kwargs

    assert receiver.__name__ == "receiver"
    assert signal.send(sender, x=1) == [(receiver, {"x": 1})]
    assert signal.send(object()) == []


def test_connect_via_any():
    signal = Signal()

    @signal.connect_via(ANY)
    def receiver(sender):
        return sender

    assert signal.send(5) == [(receiver, 5)]


def test_connected_to_connects_only_inside_block():
    signal = Signal()
    recorder = Recorder()
    with signal.connected_to(recorder):
        signal.send("inside")
    signal.send("outside")
    assert recorder.calls == [("inside", {})]
    assert signal.receivers == {}


def test_connected_to_disconnects_on_error():
    signal = Signal()
    recorder = Recorder()
    with pytest.raises(ZeroDivisionError):
        with signal.connected_to(recorder, sender="s"):
            1 / 0
    assert not signal.has_receivers_for("s")


def test_muted_silences_send():
    signal = Signal()
    recorder = Recorder()
    signal.connect(recorder)
    with signal.muted():
        assert signal.is_muted
        assert signal.send(None) == []
    assert not signal.is_muted
    assert len(signal.send(None)) == 1


def test_receivers_for_yields_live_receivers():
    signal = Signal()
    recorder = Recorder()
    sender = object()
    signal.connect(recorder, sender=sender)
    assert list(signal.receivers_for(sender)) == [recorder]
    assert list(signal.receivers_for(object())) == []


def test_coroutine_receiver_needs_an_async_wrapper():
    signal = Signal()

    async def receiver(sender):
        return "async"

    signal.connect(receiver)
    with pytest.raises(RuntimeError, match="Cannot send to a coroutine function"):
        signal.send(None)

    def wrapper(func):
        return lambda *args, **kwargs: asyncio.run(func(*args, **kwargs))

    assert signal.send(None, _async_wrapper=wrapper) == [(receiver, "async")]

    partial = functools.partial(receiver)
    other = Signal()
    other.connect(partial)
    with pytest.raises(RuntimeError):
        other.send(None)


def test_send_async():
    signal = Signal()

    async def receiver(sender, **kwargs):
        return kwargs["n"] * 2

    signal.connect(receiver)
    assert asyncio.run(signal.send_async(None, n=2)) == [(receiver, 4)]

    def plain(sender, **kwargs):
        return 1

    signal.connect(plain)
    with pytest.raises(RuntimeError):
        asyncio.run(signal.send_async(None, n=1))


def test_receiver_connected_meta_signal():
    signal = Signal()
    seen = []

    def on_connect(sig, receiver, sender, weak):
        seen.append((sig, receiver, sender, weak))

    signal.receiver_connected.connect(on_connect)
    recorder = Recorder()
    signal.connect(recorder, weak=False)
    assert seen == [(signal, recorder, ANY, False)]

    gone = []
    signal.receiver_disconnected.connect(lambda sig, **kw: gone.append(kw), weak=False)
    signal.disconnect(recorder)
    assert gone == [{"receiver": recorder, "sender": ANY}]


def test_thread_safe_connect_and_send():
    signal = Signal()
    keep = []
    errors = []

    def worker():
        try:
            for _ in range(200):

                def receiver(sender):
                    return None

                keep.append(receiver)
                signal.connect(receiver)
                signal.send(None)
                signal.disconnect(receiver)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert signal.receivers == {}


def test_doc_and_named_signal_repr():
    signal = Signal("documented")
    assert signal.__doc__ == "documented"
    named = NamedSignal("thing", doc="about a thing")
    assert named.name == "thing"
    assert named.__doc__ == "about a thing"
    text = repr(named)
    assert text.startswith("<microflask.signals.NamedSignal object at 0x")
    assert text.endswith("; 'thing'>")
    assert repr(ANY) == "ANY"
    assert Signal.ANY is ANY


def test_namespace_returns_same_signal():
    namespace = Namespace()
    first = namespace.signal("hello", doc="greets")
    assert isinstance(first, NamedSignal)
    assert namespace.signal("hello") is first
    assert namespace["hello"] is first
    assert isinstance(namespace, dict)


def test_flask_signals_are_defined():
    names = {
        "template_rendered": "template-rendered",
        "before_render_template": "before-render-template",
        "request_started": "request-started",
        "request_finished": "request-finished",
        "request_tearing_down": "request-tearing-down",
        "got_request_exception": "got-request-exception",
        "appcontext_tearing_down": "appcontext-tearing-down",
        "appcontext_pushed": "appcontext-pushed",
        "appcontext_popped": "appcontext-popped",
        "message_flashed": "message-flashed",
    }
    for attribute, signal_name in names.items():
        signal = getattr(signals, attribute)
        assert isinstance(signal, NamedSignal)
        assert signal.name == signal_name
        assert signals._signals[signal_name] is signal
    assert signals.signals_available is True
    for name in signals.__all__:
        assert hasattr(signals, name)
