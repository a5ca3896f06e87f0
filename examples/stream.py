"""Streamed responses and server-sent events: ``python3 examples/stream.py``.

Then open http://127.0.0.1:5000/ and watch the events arrive.

    GET /                        a page that listens to /events in the browser
    GET /stream?count=5          plain text, one line per chunk
    GET /events?count=5          ``text/event-stream``: one ``data:`` frame per event

A view that returns a generator sends each chunk as soon as it is made.
``stream_with_context`` keeps ``request`` usable inside the generator, after
the view has returned.  ``count`` (at most 100) and ``interval`` (seconds
between chunks, at most 5) bound every stream so it ends by itself.
Change ``microflask`` to ``flask`` in the import and it runs on Flask too.
"""

from __future__ import annotations

import json
import time

import os
import sys

try:
    import microflask  # noqa: F401
except ImportError:  # run from a checkout, not installed: use the source tree beside us
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from microflask import Flask, Response, request, stream_with_context  # noqa: E402

MAX_COUNT = 100
MAX_INTERVAL = 5.0

PAGE = """<!doctype html>
<title>Server-sent events</title>
<h1>Events</h1>
<ol id="events"></ol>
<script>
  const source = new EventSource("/events?count=10&interval=0.5");
  source.onmessage = (e) => {
    const item = document.createElement("li");
    item.textContent = e.data;
    document.getElementById("events").append(item);
  };
  source.addEventListener("end", () => source.close());
</script>
"""

app = Flask(__name__)


def bounded_arg(name: str, default, cast, upper):
    """A query argument as ``cast``, clamped to ``0..upper``; bad values get the default."""
    value = request.args.get(name, default, type=cast)
    if not value >= 0:  # negative, or float("nan"), which compares false to everything
        return 0
    return min(value, upper)


def sse_frame(data: str, event: str | None = None, event_id: int | None = None) -> str:
    """One server-sent event: ``field: value`` lines ended by a blank line."""
    lines = []
    if event is not None:
        lines.append("event: %s" % event)
    if event_id is not None:
        lines.append("id: %d" % event_id)
    # A newline inside the data would end the field: each line gets its own prefix.
    lines.extend("data: %s" % line for line in data.split("\n"))
    return "\n".join(lines) + "\n\n"


@app.get("/")
def index():
    return PAGE


@app.get("/stream")
def stream():
    @stream_with_context
    def generate():
        # This runs after the view has returned: the context is still there.
        count = bounded_arg("count", 5, int, MAX_COUNT)
        prefix = request.args.get("prefix", "line")
        for n in range(1, count + 1):
            yield "%s %d of %d\n" % (prefix, n, count)

    return Response(generate(), mimetype="text/plain")


@app.get("/events")
def events():
    count = bounded_arg("count", 5, int, MAX_COUNT)
    interval = bounded_arg("interval", 0.0, float, MAX_INTERVAL)

    def generate():
        for n in range(1, count + 1):
            if n > 1 and interval:
                time.sleep(interval)
            yield sse_frame(json.dumps({"n": n, "of": count, "path": request.path}), event_id=n)
        yield sse_frame("bye", event="end")

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(stream_with_context(generate()), mimetype="text/event-stream", headers=headers)


if __name__ == "__main__":
    app.run()
