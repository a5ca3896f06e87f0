"""The debug page: a readable traceback for an unhandled error (``werkzeug.debug``).

:class:`DebuggedApplication` wraps an app; when a request raises, it
answers ``500`` with a page that starts where a person debugging looks
first: the exception, then the innermost frame of *their* code (or
template), expanded with its source and local variables.  Below it, the
frames it called into and the frames that called it, most recent first:
the app's own frames and templates expanded, the framework's (anything in
the microflask package, its template engine included) and the standard
library's or installed packages' frames folded to one line each (plain
HTML ``<details>``: click to open; the page has no JavaScript).  Frames of
compiled templates show the template file, its source at the template
line and the template's variables; a template syntax error names the
template and line in the page's header.  At the bottom, the plain-text
traceback as Python prints it, to paste into a bug report.  Clients that
do not ask for HTML (JSON clients, curl) get that plain text only.

Unlike Werkzeug's debugger it never evaluates code sent from the browser:
there is no console, no PIN and no ``evalex``.  Use it in development only
(``run_simple(use_debugger=True)``, ``microflask run --debug``); it shows
the app's source and variables to whoever makes the request.
"""

from __future__ import annotations

import linecache
import os
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
# A folded frame's one line shows its current source line, cut to this length.
_MAX_SUMMARY_SOURCE_LENGTH = 120
# Causes and contexts (``raise ... from ...``) shown below the exception.
_MAX_CHAINED_EXCEPTIONS = 5
# In the globals of compiled template code: the template it belongs to.
_TEMPLATE_MARKER = "__microflask_template__"
# In the globals of the frame the engine makes at a syntax error's template line.
_TEMPLATE_ERROR_MARKER = "__template_error__"

# What a frame's code is: the app's own code and its templates are shown
# open, the framework's and the libraries' folded to one line.
_FRAME_KIND_USER = "user"
_FRAME_KIND_TEMPLATE = "template"
_FRAME_KIND_FRAMEWORK = "framework"
_FRAME_KIND_LIBRARY = "library"
_EXPANDED_FRAME_KINDS = (_FRAME_KIND_USER, _FRAME_KIND_TEMPLATE)

# (folder prefix, badge) of the standard library and installed packages, found once.
_debug_library_folders: list[tuple[str, str]] = []


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

    The variables the template was rendered with (the render context, less
    the environment's globals such as ``url_for``), overridden by the
    compiled locals: the compiler names a variable ``l_<depth>_<name>``, and
    the deepest scope's value is the one the template line sees.
    """
    variables: dict[str, t.Any] = {}
    context = frame_locals.get("context")
    parent = getattr(context, "parent", None)
    if isinstance(parent, dict):
        globals_keys = getattr(context, "globals_keys", ())
        variables.update((k, v) for k, v in parent.items() if k not in globals_keys)
    context_vars = getattr(context, "vars", None)
    if isinstance(context_vars, dict):
        variables.update(context_vars)
    deepest: dict[str, tuple[int, t.Any]] = {}
    for python_name, value in frame_locals.items():
        if not python_name.startswith("l_"):
            continue
        depth, _, name = python_name[2:].partition("_")
        if not depth.isdigit() or not name:
            continue
        if name not in deepest or int(depth) > deepest[name][0]:
            deepest[name] = (int(depth), value)
    variables.update((name, value) for name, (_, value) in deepest.items())
    missing_marker = frame_locals.get("missing")
    return {
        name: _safe_repr(value)
        for name, value in variables.items()
        if missing_marker is None or value is not missing_marker
    }


def _debug_framework_location() -> tuple[str, str]:
    """Where microflask's own code is: ``(folder prefix, "")`` for the
    package, ``("", file)`` for the single-file bundle."""
    package = sys.modules.get("microflask")
    path = os.path.abspath(getattr(package, "__file__", None) or __file__)
    if os.path.splitext(os.path.basename(path))[0] == "__init__":
        return os.path.normcase(os.path.dirname(path)) + os.sep, ""
    return "", os.path.normcase(path)


def _debug_library_prefixes() -> list[tuple[str, str]]:
    """(folder prefix, badge) of installed packages and the standard library,
    longest first (site-packages often lies inside the standard library's folder)."""
    if not _debug_library_folders:
        import sysconfig

        folders = set()
        paths = sysconfig.get_paths()
        for key, badge in (("purelib", "library"), ("platlib", "library"),
                           ("stdlib", "stdlib"), ("platstdlib", "stdlib")):
            path = paths.get(key)
            if path:
                for variant in (os.path.abspath(path), os.path.realpath(path)):
                    folders.add((os.path.normcase(variant) + os.sep, badge))
        _debug_library_folders.extend(sorted(folders, key=lambda item: -len(item[0])))
    return _debug_library_folders


def _classify_frame_file(filename: str) -> tuple[str, str, str]:
    """``(kind, badge, short path)`` of the code in ``filename``."""
    if filename.startswith("<frozen"):
        return _FRAME_KIND_LIBRARY, "stdlib", filename
    if filename.startswith("<"):  # <string>, <stdin>: code the app made
        return _FRAME_KIND_USER, "your code", filename
    absolute = os.path.abspath(filename)
    path = os.path.normcase(absolute)
    folder, single_file = _debug_framework_location()
    if folder and path.startswith(folder):
        short = os.path.join(os.path.basename(folder[:-1]), absolute[len(folder):])
        return _FRAME_KIND_FRAMEWORK, "microflask", short
    if single_file and path == single_file:
        return _FRAME_KIND_FRAMEWORK, "microflask", os.path.basename(absolute)
    for prefix, badge in _debug_library_prefixes():
        if path.startswith(prefix):
            return _FRAME_KIND_LIBRARY, badge, absolute[len(prefix):]
    parts = path.split(os.sep)
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            index = len(parts) - 1 - parts[::-1].index(marker)
            return _FRAME_KIND_LIBRARY, "library", os.sep.join(absolute.split(os.sep)[index + 1:])
    cwd = os.path.normcase(os.getcwd()) + os.sep
    short = absolute[len(cwd):] if path.startswith(cwd) else absolute
    return _FRAME_KIND_USER, "your code", short


def _source_window(lines: t.Callable[[int], str], lineno: int) -> list[tuple[int, str]]:
    """``(number, text)`` of the lines around ``lineno``; ``lines(n)`` gives
    line ``n`` or ``""`` past the end."""
    window = []
    for number in range(max(1, lineno - _SOURCE_CONTEXT_LINES), lineno + _SOURCE_CONTEXT_LINES + 1):
        line = lines(number)
        if not line and number > lineno:
            break
        window.append((number, line.rstrip("\r\n")))
    if all(not text for _, text in window):
        return []
    return window


def _lines_of_text(source: str) -> t.Callable[[int], str]:
    source_lines = source.splitlines()
    return lambda number: source_lines[number - 1] if 0 < number <= len(source_lines) else ""


def _loaded_template_source(template: t.Any) -> str | None:
    """A template's source from its environment's loader (templates that are
    not files, such as ``from_string`` or a ``DictLoader``'s), or None."""
    try:
        environment = template.environment
        return environment.loader.get_source(environment, template.name)[0]
    except Exception:
        return None


class _DebugFrame:
    """One frame of a traceback, as the page shows it."""

    def __init__(self, frame: t.Any, lineno: int, exc: BaseException | None = None) -> None:
        code = frame.f_code
        self.filename = code.co_filename
        self.lineno = lineno
        self.function = code.co_name
        template = frame.f_globals.get(_TEMPLATE_MARKER)
        syntax_error = frame.f_globals.get(_TEMPLATE_ERROR_MARKER)
        self.is_template = template is not None or (
            syntax_error is not None and syntax_error is exc
        )
        source: str | None = None
        if self.is_template:
            self.kind, self.badge = _FRAME_KIND_TEMPLATE, "template"
            self.short_filename = getattr(template or syntax_error, "name", None) or self.filename
            if template is not None:
                self.locals = _template_variables(frame.f_locals)
            else:
                self.locals = {}
                source = getattr(syntax_error, "source", None)
        else:
            self.kind, self.badge, self.short_filename = _classify_frame_file(self.filename)
            self.locals = {name: _safe_repr(value) for name, value in frame.f_locals.items()}
        if source is not None:
            self.source_lines = _source_window(_lines_of_text(source), lineno)
        else:
            linecache.checkcache(self.filename)
            self.source_lines = _source_window(
                lambda number: linecache.getline(self.filename, number, frame.f_globals), lineno
            )
        if not self.source_lines and template is not None:
            loaded = _loaded_template_source(template)
            if loaded is not None:
                self.source_lines = _source_window(_lines_of_text(loaded), lineno)

    @classmethod
    def for_template_syntax_error(cls, error: TemplateSyntaxError) -> _DebugFrame:
        """A frame-like entry for the template line a syntax error points at."""
        frame = object.__new__(cls)
        frame.filename = error.filename or error.name or "<template>"
        frame.lineno = error.lineno
        frame.function = "template"
        frame.is_template = True
        frame.kind, frame.badge = _FRAME_KIND_TEMPLATE, "template"
        frame.short_filename = error.name or frame.filename
        frame.locals = {}
        if error.source is not None:
            frame.source_lines = _source_window(_lines_of_text(error.source), error.lineno)
        else:
            frame.source_lines = _source_window(
                lambda number: linecache.getline(frame.filename, number), error.lineno
            )
        return frame

    @property
    def expanded(self) -> bool:
        return self.kind in _EXPANDED_FRAME_KINDS

    @property
    def current_line(self) -> str:
        for number, text in self.source_lines:
            if number == self.lineno:
                return text.strip()
        return ""


def _exception_message(exc: BaseException) -> str:
    """What Python prints after ``Type: `` for ``exc`` (notes included)."""
    if isinstance(exc, TemplateSyntaxError):
        return str(exc.message or "")
    text = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
    exc_type = type(exc)
    if exc_type.__module__ in ("builtins", "__main__"):
        type_name = exc_type.__qualname__
    else:
        type_name = "%s.%s" % (exc_type.__module__, exc_type.__qualname__)
    if text.startswith(type_name + ": "):
        return text[len(type_name) + 2:]
    if text == type_name:
        return ""
    return text


class DebugTraceback:
    """An exception's traceback, rendered as HTML or plain text.

    ``frames`` are in Python's order (outermost first); the page shows them
    most recent first, starting with the innermost frame of the app's code.
    """

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
        self.frames: list[_DebugFrame] = []
        tb = exc.__traceback__
        while tb is not None:
            self.frames.append(_DebugFrame(tb.tb_frame, tb.tb_lineno, exc))
            tb = tb.tb_next
        if isinstance(exc, TemplateSyntaxError) and exc.lineno and not (
            self.frames and self.frames[-1].is_template
        ):
            # Raised outside the engine's handling: no frame at the template line yet.
            self.frames.append(_DebugFrame.for_template_syntax_error(exc))

    @property
    def exception_line(self) -> str:
        return "".join(traceback.format_exception_only(type(self.exc), self.exc)).strip()

    @property
    def primary_frame_index(self) -> int:
        """Index of the frame the page opens with: the innermost of the app's
        code or templates (the innermost frame if none is)."""
        for index in range(len(self.frames) - 1, -1, -1):
            if self.frames[index].expanded:
                return index
        return len(self.frames) - 1

    def render_traceback_text(self) -> str:
        return "".join(traceback.format_exception(type(self.exc), self.exc, self.exc.__traceback__))

    def _render_frame_html(self, frame: _DebugFrame, primary: bool = False) -> str:
        classes = "frame %s%s" % (frame.kind, " primary" if primary else "")
        where = (
            '<span class="badge %s">%s</span><cite class="filename" title="%s">%s</cite>,'
            ' line <em class="line">%d</em>'
            % (frame.kind, escape(frame.badge), escape(frame.filename),
               escape(frame.short_filename), frame.lineno)
        )
        if not (frame.is_template and frame.function == "template"):
            where += ', in <code class="function">%s</code>' % escape(frame.function)
        if not frame.expanded and frame.current_line:
            snippet = frame.current_line
            if len(snippet) > _MAX_SUMMARY_SOURCE_LENGTH:
                snippet = snippet[:_MAX_SUMMARY_SOURCE_LENGTH] + "..."
            where += ' <code class="snippet">%s</code>' % escape(snippet)
        parts = [
            '<details class="%s"%s>' % (classes, " open" if frame.expanded or primary else ""),
            "<summary>%s</summary>" % where,
        ]
        if frame.source_lines:
            rows = []
            for number, line in frame.source_lines:
                current = " current" if number == frame.lineno else ""
                rows.append('<span class="row%s"><span class="ln">%d</span>%s</span>'
                            % (current, number, escape(line)))
            # One line of HTML per line of source: ``white-space: pre`` shows
            # every newline, so nothing else may separate them.
            parts.append('<pre class="source">%s</pre>' % "\n".join(rows))
        elif frame.is_template:
            parts.append('<p class="nosource">The template\'s source is not available'
                         " (a template made from a string does not keep it).</p>")
        else:
            parts.append('<p class="nosource">The source is not available.</p>')
        if frame.locals:
            heading = "Template variable" if frame.is_template else "Local variable"
            parts.append('<table class="locals"><tr><th>%s</th><th>Value</th></tr>' % heading)
            for name, value in sorted(frame.locals.items()):
                parts.append('<tr><td><code>%s</code></td><td><code>%s</code></td></tr>'
                             % (escape(name), escape(value)))
            parts.append("</table>")
        parts.append("</details>")
        return "\n".join(parts)

    def _render_header_html(self, relation: str = "") -> str:
        exc = self.exc
        parts = ['<header class="exception">']
        if relation:
            parts.append('<p class="relation">%s</p>' % escape(relation))
        parts.append('<h1 title="%s">%s</h1>' % (
            escape("%s.%s" % (type(exc).__module__, type(exc).__qualname__)),
            escape(type(exc).__name__),
        ))
        message = _exception_message(exc)
        if message:
            parts.append('<pre class="errormsg">%s</pre>' % escape(message))
        if isinstance(exc, TemplateSyntaxError):
            name = exc.name or exc.filename or "<template>"
            where = (
                'in template <cite class="template">%s</cite>, line <em class="line">%d</em>'
                % (escape(name), exc.lineno or 0)
            )
            if exc.filename and exc.filename != name:
                where += ' <span class="path">%s</span>' % escape(exc.filename)
            parts.append('<p class="where">%s</p>' % where)
        elif self.frames:
            frame = self.frames[self.primary_frame_index]
            if frame.is_template:
                where = "in template <cite>%s</cite>" % escape(frame.short_filename)
            else:
                where = 'in <code>%s</code>, <cite>%s</cite>' % (
                    escape(frame.function), escape(frame.short_filename))
            parts.append(
                '<p class="where">%s, line <em class="line">%d</em></p>' % (where, frame.lineno)
            )
        parts.append("</header>")
        return "\n".join(parts)

    def _render_frames_html(self) -> str:
        if not self.frames:
            return '<p class="note">No traceback: the exception was not raised.</p>'
        index = self.primary_frame_index
        primary = self.frames[index]
        parts = [self._render_frame_html(primary, primary=True)]
        deeper = self.frames[index + 1:]
        if deeper:
            parts.append(
                '<div class="deeper"><p class="group">Raised inside %d frame%s below '
                '<code>%s</code>'
                " (most recent call first):</p>"
                % (len(deeper), "" if len(deeper) == 1 else "s", escape(primary.function))
            )
            parts.extend(self._render_frame_html(frame) for frame in reversed(deeper))
            parts.append("</div>")
        callers = self.frames[:index]
        if callers:
            parts.append('<h2>Called from <span class="note">(most recent call first)</span></h2>')
            parts.extend(self._render_frame_html(frame) for frame in reversed(callers))
        return "\n".join(parts)

    def _chained_tracebacks(self) -> list[tuple[str, DebugTraceback]]:
        """The exceptions this one was raised from or while handling, nearest first."""
        chained = []
        seen = {id(self.exc)}
        current = self.exc
        while len(chained) < _MAX_CHAINED_EXCEPTIONS:
            if current.__cause__ is not None:
                relation, current = "The direct cause of the exception above:", current.__cause__
            elif current.__context__ is not None and not current.__suppress_context__:
                relation, current = (
                    "The exception above was raised while handling this one:",
                    current.__context__,
                )
            else:
                break
            if id(current) in seen:
                break
            seen.add(id(current))
            chained.append((relation, DebugTraceback(current)))
        return chained

    def render_traceback_html(self) -> str:
        sections = [self._render_header_html(), self._render_frames_html()]
        for relation, chained in self._chained_tracebacks():
            sections.append('<section class="chained">')
            sections.append(chained._render_header_html(relation))
            sections.append(chained._render_frames_html())
            sections.append("</section>")
        text = self.render_traceback_text()
        return _DEBUG_PAGE_TEMPLATE % {
            "title": escape(self.exception_line.splitlines()[-1] if self.exception_line else ""),
            "body": "\n".join(sections),
            "plaintext": escape(text),
            "rows": min(max(text.count("\n") + 1, 5), 24),
        }


_DEBUG_PAGE_TEMPLATE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>%(title)s // microflask debug page</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.2em 2em;
  color: #1d1d1f; background: #fff; }
code, cite, pre, textarea, summary { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas,
  "DejaVu Sans Mono", monospace; }
cite { font-style: normal; }
header.exception { border-left: 5px solid #c62828; background: #fdf1f1; padding: 0.6em 1em;
  margin: 0 0 0.8em; }
header.exception h1 { font-size: 1.45em; color: #b71c1c; margin: 0; }
header.exception .relation { margin: 0 0 0.2em; color: #555; }
pre.errormsg { font-size: 1.08em; margin: 0.25em 0; white-space: pre-wrap; word-break: break-word; }
p.where { margin: 0.25em 0 0; color: #444; }
p.where em, summary em { font-style: normal; font-weight: 600; }
p.where .path { color: #777; font-size: 0.9em; }
h2 { font-size: 1em; margin: 1.1em 0 0.4em; color: #333; }
.note { color: #666; font-weight: normal; font-size: 0.92em; }
details.frame { border: 1px solid #ddd; border-radius: 4px; margin: 0 0 4px; }
details.frame > summary { padding: 3px 8px; font-size: 13px; cursor: pointer; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
details.frame.framework > summary, details.frame.library > summary { color: #666; }
details.frame.user { border-color: #9bb3d6; }
details.frame.user > summary { background: #edf3fb; }
details.frame.template { border-color: #8bc48e; }
details.frame.template > summary { background: #eef8ee; }
details.frame.primary { border-width: 2px; }
details.frame[open] > summary { border-bottom: 1px solid #e4e4e4; }
.badge { display: inline-block; min-width: 5.5em; margin-right: 0.6em; padding: 0 4px;
  border-radius: 3px; font: 11px/1.6 system-ui, sans-serif; text-align: center;
  background: #e6e6e6; color: #555; }
.badge.user { background: #2b5fad; color: #fff; }
.badge.template { background: #2e7d32; color: #fff; }
code.snippet { color: #888; margin-left: 1em; }
pre.source { margin: 0; padding: 4px 0; background: #fafafa; font-size: 13px; line-height: 1.4;
  overflow-x: auto; }
pre.source .row { display: inline-block; min-width: 100%%; }
pre.source .row.current { background: #ffdede; }
pre.source .ln { display: inline-block; width: 3.5em; padding-right: 1em; text-align: right;
  color: #999; user-select: none; }
table.locals { border-collapse: collapse; font-size: 13px; margin: 6px 8px 8px; }
table.locals th { font: 600 12px system-ui, sans-serif; color: #555; }
table.locals td, table.locals th { border: 1px solid #e2e2e2; padding: 2px 8px; text-align: left;
  vertical-align: top; }
table.locals td code { white-space: pre-wrap; word-break: break-all; }
p.nosource { margin: 4px 8px; color: #777; font-size: 13px; }
.deeper { margin: 4px 0 0 2em; }
.deeper p.group { margin: 0.3em 0; color: #666; font-size: 0.9em; }
section.chained { margin-top: 2em; }
textarea { width: 100%%; box-sizing: border-box; font-size: 12px; }
</style>
</head>
<body>
%(body)s
<h2 id="plaintext">Plain-text traceback <span class="note">(as Python prints it, to copy)</span></h2>
<textarea readonly rows="%(rows)d" cols="100" spellcheck="false">%(plaintext)s</textarea>
<p class="note">This page is shown because the app runs in debug mode. Never enable debug
mode on a server reachable by others: this page shows source code and variables.
It cannot run code.</p>
</body>
</html>
"""  # noqa: E501


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
