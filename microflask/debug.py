"""The debug page: a readable traceback for an unhandled error (``werkzeug.debug``).

:class:`DebuggedApplication` wraps an app; when a request raises, it
answers ``500`` with the traceback: each frame's file, line, function, a
few lines of source and its local variables, plus the plain text to paste
into a bug report.  Frames of compiled templates point at the template file
and line.  Clients that do not ask for HTML (JSON clients, curl) get the
plain text only.

Unlike Werkzeug's debugger it never evaluates code sent from the browser:
there is no console, no PIN and no ``evalex``.  Use it in development only
(``run_simple(use_debugger=True)``, ``microflask run --debug``); it shows
the app's source and variables to whoever makes the request.
"""

from __future__ import annotations

import linecache
import sys
import traceback
import typing as t

from microflask.markup import escape
from microflask.templating.exceptions import TemplateSyntaxError

__all__ = [
    "DebuggedApplication",
    "DebugTraceback",
    "render_traceback_html",
    "render_traceback_text",
]

# Each local variable's repr is cut to this many characters on the page.
_MAX_REPR_LENGTH = 300
# Lines of source shown around a frame's current line.
_SOURCE_CONTEXT_LINES = 3
_TEMPLATE_MARKER = "__microflask_template__"


def _safe_repr(value: t.Any) -> str:
    try:
        text = repr(value)
    except Exception as e:  # a broken __repr__ must not break the debug page
        text = "<repr failed: %s: %s>" % (type(e).__name__, e)
    if len(text) > _MAX_REPR_LENGTH:
        text = text[:_MAX_REPR_LENGTH] + "..."
    return text


def _template_variables(frame_locals: t.Mapping[str, t.Any]) -> dict[str, str]:
    """A compiled template's variables by template name.

    The template compiler names a variable ``l_<depth>_<name>``; the
    deepest scope's value is the one the template line sees.
    """
    deepest: dict[str, tuple[int, t.Any]] = {}
    for python_name, value in frame_locals.items():
        if not python_name.startswith("l_"):
            continue
        depth, _, name = python_name[2:].partition("_")
        if not depth.isdigit() or not name:
            continue
        if name not in deepest or int(depth) > deepest[name][0]:
            deepest[name] = (int(depth), value)
    return {name: _safe_repr(value) for name, (_, value) in deepest.items()}


class _DebugFrame:
    """One frame of a traceback, as the page shows it."""

    def __init__(self, frame: t.Any, lineno: int) -> None:
        code = frame.f_code
        self.filename = code.co_filename
        self.lineno = lineno
        self.function = code.co_name
        self.is_template = _TEMPLATE_MARKER in frame.f_globals
        if self.is_template:
            self.locals = _template_variables(frame.f_locals)
        else:
            self.locals = {name: _safe_repr(value) for name, value in frame.f_locals.items()}
        linecache.checkcache(self.filename)
        self.source_lines = self._context_lines(frame.f_globals)

    def _context_lines(self, module_globals: t.Any) -> list[tuple[int, str]]:
        first = max(1, self.lineno - _SOURCE_CONTEXT_LINES)
        lines = []
        for number in range(first, self.lineno + _SOURCE_CONTEXT_LINES + 1):
            line = linecache.getline(self.filename, number, module_globals)
            if not line and number > self.lineno:
                break
            lines.append((number, line.rstrip("\n")))
        return lines

    @classmethod
    def for_template_syntax_error(cls, error: TemplateSyntaxError) -> _DebugFrame:
        """A frame-like entry for the template line a syntax error points at."""
        frame = object.__new__(cls)
        frame.filename = error.filename or error.name or "<template>"
        frame.lineno = error.lineno
        frame.function = "template %s" % (error.name or "")
        frame.is_template = True
        frame.locals = {}
        if error.source is not None:
            source_lines = error.source.splitlines()
            first = max(1, error.lineno - _SOURCE_CONTEXT_LINES)
            last = min(len(source_lines), error.lineno + _SOURCE_CONTEXT_LINES)
            frame.source_lines = [(n, source_lines[n - 1]) for n in range(first, last + 1)]
        else:
            frame.source_lines = frame._context_lines({})
        return frame


class DebugTraceback:
    """An exception's traceback, rendered as HTML or plain text."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
        self.frames: list[_DebugFrame] = []
        tb = exc.__traceback__
        while tb is not None:
            self.frames.append(_DebugFrame(tb.tb_frame, tb.tb_lineno))
            tb = tb.tb_next
        if isinstance(exc, TemplateSyntaxError) and exc.lineno:
            # The parser raised it: no frame runs template code, so point at the source.
            self.frames.append(_DebugFrame.for_template_syntax_error(exc))

    @property
    def exception_line(self) -> str:
        return "".join(traceback.format_exception_only(type(self.exc), self.exc)).strip()

    def render_traceback_text(self) -> str:
        return "".join(traceback.format_exception(type(self.exc), self.exc, self.exc.__traceback__))

    def _render_frame_html(self, frame: _DebugFrame) -> str:
        kind = " template" if frame.is_template else ""
        parts = [
            '<div class="frame%s">' % kind,
            '<h4>File <cite class="filename">"%s"</cite>, line <em class="line">%d</em>,'
            ' in <code class="function">%s</code>%s</h4>'
            % (
                escape(frame.filename),
                frame.lineno,
                escape(frame.function),
                " (template)" if frame.is_template else "",
            ),
        ]
        if frame.source_lines:
            parts.append('<pre class="source">')
            for number, line in frame.source_lines:
                current = ' class="current"' if number == frame.lineno else ""
                parts.append('<span%s>%5d  %s</span>\n' % (current, number, escape(line)))
            parts.append("</pre>")
        if frame.locals:
            parts.append('<table class="locals"><tr><th>Name</th><th>Value</th></tr>')
            for name, value in sorted(frame.locals.items()):
                parts.append("<tr><td>%s</td><td><code>%s</code></td></tr>" % (escape(name), escape(value)))
            parts.append("</table>")
        parts.append("</div>")
        return "\n".join(parts)

    def render_traceback_html(self) -> str:
        frames = "\n".join(self._render_frame_html(frame) for frame in self.frames)
        title = escape(self.exception_line)
        return _DEBUG_PAGE_TEMPLATE % {
            "title": title,
            "exception_type": escape(type(self.exc).__name__),
            "exception": title,
            "frames": frames,
            "plaintext": escape(self.render_traceback_text()),
        }


_DEBUG_PAGE_TEMPLATE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%(title)s // microflask debug page</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1em 2em; color: #000; background: #fff; }
h1 { font-size: 1.5em; color: #a00; }
h4 { font-weight: normal; margin: 0.3em 0; font-family: monospace; }
.frame { border: 1px solid #ccc; margin: 0.6em 0; padding: 0.4em 0.8em; }
.frame.template { border-color: #7a7; }
pre.source { background: #f4f4f4; padding: 0.4em; overflow-x: auto; }
pre.source span.current { background: #fdd; display: block; }
table.locals { border-collapse: collapse; font-size: 0.9em; }
table.locals td, table.locals th { border: 1px solid #ddd; padding: 2px 6px; text-align: left;
  vertical-align: top; }
textarea { width: 100%%; height: 20em; font-family: monospace; }
.note { color: #555; font-size: 0.9em; }
</style>
</head>
<body>
<h1>%(exception_type)s</h1>
<p class="errormsg">%(exception)s</p>
<h2>Traceback <span class="note">(most recent call last)</span></h2>
%(frames)s
<h2>Plain-text traceback, for pasting</h2>
<textarea readonly cols="80" rows="20">%(plaintext)s</textarea>
<p class="note">This page is shown because the app runs in debug mode. Never enable debug
mode on a server reachable by others: this page shows source code and variables.
It cannot run code.</p>
</body>
</html>
"""


def render_traceback_html(exc: BaseException) -> str:
    """The full debug page for ``exc`` (an exception with its ``__traceback__``)."""
    return DebugTraceback(exc).render_traceback_html()


def render_traceback_text(exc: BaseException) -> str:
    """The plain-text traceback of ``exc``, as Python prints it."""
    return DebugTraceback(exc).render_traceback_text()


def _client_prefers_html(environ: dict) -> bool:
    """True when the Accept header ranks text/html at least as high as text/plain.

    ``*/*`` alone (curl, most libraries) prefers neither: plain text is
    the better answer there.
    """
    accept = environ.get("HTTP_ACCEPT", "")
    if not accept:
        return False
    html_quality = plain_quality = 0.0
    for item in accept.split(","):
        media_type, _, params = item.strip().partition(";")
        media_type = media_type.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type in ("text/html", "application/xhtml+xml"):
            html_quality = max(html_quality, quality)
        elif media_type == "text/plain":
            plain_quality = max(plain_quality, quality)
    return html_quality > 0 and html_quality >= plain_quality


class DebuggedApplication:
    """Answer unhandled exceptions with the debug page (never runs browser code).

    ``evalex``, ``pin_security`` and the other console options of
    Werkzeug's debugger are accepted and ignored.  ``show_hidden_frames``
    is accepted for compatibility.  The app's exceptions still reach the
    server's log: the traceback is written to ``wsgi.errors``.
    """

    def __init__(
        self,
        app: t.Callable,
        evalex: bool = False,
        request_key: str = "werkzeug.request",
        console_path: str = "/console",
        console_init_func: t.Callable | None = None,
        show_hidden_frames: bool = False,
        pin_security: bool = True,
        pin_logging: bool = True,
    ) -> None:
        self.app = app
        self.evalex = False
        self.request_key = request_key
        self.show_hidden_frames = show_hidden_frames

    def _log_traceback(self, environ: dict, text: str) -> None:
        errors = environ.get("wsgi.errors") or sys.stderr
        try:
            errors.write(text)
        except Exception:
            pass

    def debug_application(self, environ: dict, start_response: t.Callable) -> t.Iterator[bytes]:
        """Run the app; if it raises, yield the debug page (or log, once streaming)."""
        app_iter = None
        try:
            app_iter = self.app(environ, start_response)
            yield from app_iter
            if hasattr(app_iter, "close"):
                app_iter.close()
        except Exception as e:
            if hasattr(app_iter, "close"):
                try:
                    app_iter.close()  # type: ignore[union-attr]
                except Exception:
                    pass
            page = DebugTraceback(e)
            text = page.render_traceback_text()
            if _client_prefers_html(environ):
                body = page.render_traceback_html().encode("utf-8", "replace")
                content_type = "text/html; charset=utf-8"
            else:
                body = text.encode("utf-8", "replace")
                content_type = "text/plain; charset=utf-8"
            try:
                start_response(
                    "500 INTERNAL SERVER ERROR",
                    [
                        ("Content-Type", content_type),
                        ("Content-Length", str(len(body))),
                        ("X-XSS-Protection", "0"),
                    ],
                    sys.exc_info(),
                )
            except Exception:
                # The response already started: the page cannot be sent now.  Log
                # and re-raise, so the server drops the connection instead of
                # passing a cut-off body as complete.
                self._log_traceback(
                    environ,
                    "Debugging middleware caught exception in streamed response"
                    " at a point where response headers were already sent.\n" + text,
                )
                raise
            yield body
            self._log_traceback(environ, text)

    def __call__(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        return self.debug_application(environ, start_response)
