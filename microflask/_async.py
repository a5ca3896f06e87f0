"""Running ``async def`` views and hooks from a WSGI app (Flask's ``async_to_sync``).

WSGI is synchronous, so a coroutine function is run to completion on an
asyncio event loop.  The request shares one loop, made on first need and
closed when the request context is popped; ``asyncio`` is imported only then.
"""

from __future__ import annotations

import typing as t
from functools import wraps

from microflask.globals import _cv_request

__all__ = ["run_coroutine_function"]


def _run_in_worker_thread(coroutine: t.Any) -> t.Any:
    # A loop is already running in this thread (an async server, a notebook):
    # run the coroutine on a private loop in a helper thread instead.
    import asyncio
    import contextvars
    import threading

    outcome: dict[str, t.Any] = {}
    context = contextvars.copy_context()

    def target() -> None:
        try:
            outcome["value"] = context.run(asyncio.run, coroutine)
        except BaseException as e:  # handed back to the calling thread
            outcome["error"] = e

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def run_coroutine_function(func: t.Callable[..., t.Awaitable[t.Any]]) -> t.Callable[..., t.Any]:
    """A plain function that runs ``func``'s coroutine to completion and returns its result."""

    @wraps(func)
    def run_to_completion(*args: t.Any, **kwargs: t.Any) -> t.Any:
        import asyncio

        coroutine = func(*args, **kwargs)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            return _run_in_worker_thread(coroutine)
        ctx = _cv_request.get(None)
        if ctx is None:
            return asyncio.run(coroutine)
        loop = ctx._event_loop
        if loop is None:
            loop = ctx._event_loop = asyncio.new_event_loop()
        return loop.run_until_complete(coroutine)

    return run_to_completion
