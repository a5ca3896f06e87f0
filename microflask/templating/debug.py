"""Template tracebacks and template locals (Jinja's ``jinja2.debug``).

Generated template code runs with Python's own line numbers; when an error
leaves a template, :func:`rewrite_traceback_stack` shows each template frame
at its template line (the environment does this in ``handle_exception``).
:func:`get_template_locals` turns a template frame's Python locals back into
the template's variables, for debuggers.
"""

from __future__ import annotations

import sys
import typing as t
from types import TracebackType

from microflask.templating.exceptions import TemplateSyntaxError
from microflask.templating.utils import missing

__all__ = ["fake_traceback", "get_template_locals", "rewrite_traceback_stack"]


def rewrite_traceback_stack(source: str | None = None) -> BaseException:
    """The exception being handled, its traceback shown in template lines.

    Engine frames are dropped; a syntax error gets a frame at its template
    line (with ``source`` attached for the message).
    """
    from microflask.templating.environment import (
        _drop_internal_frames,
        _template_traceback,
        _traceback_at_template_line,
    )

    exc = sys.exc_info()[1]
    if exc is None:
        raise RuntimeError("rewrite_traceback_stack() needs an exception being handled")
    if isinstance(exc, TemplateSyntaxError) and not exc.translated:
        if source is not None and exc.source is None:
            exc.source = source
        exc.translated = True
        return exc.with_traceback(_traceback_at_template_line(exc))
    return exc.with_traceback(_template_traceback(_drop_internal_frames(exc.__traceback__)))


def fake_traceback(
    exc_value: BaseException, tb: TracebackType | None, filename: str, lineno: int
) -> TracebackType:
    """A traceback entry at ``filename:lineno``, with ``tb``'s frame locals if given."""
    from microflask.templating.environment import _raise_at_line

    frame_locals = dict(tb.tb_frame.f_locals) if tb is not None else {}
    function = tb.tb_frame.f_code.co_name if tb is not None else "template"
    return _raise_at_line(exc_value, filename, lineno, function, {}, frame_locals)


def get_template_locals(real_locals: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """A template frame's variables by template name.

    The render context's variables, overridden by the compiled locals: the
    compiler names a variable ``l_<depth>_<name>``, and the deepest scope's
    value is the one the template line sees.
    """
    context = real_locals.get("context")
    data: dict[str, t.Any] = dict(context.get_all()) if context is not None else {}
    deepest: dict[str, tuple[int, t.Any]] = {}
    for python_name, value in real_locals.items():
        if not python_name.startswith("l_") or value is missing:
            continue
        depth, _, name = python_name[2:].partition("_")
        if not depth.isdigit() or not name:
            continue
        if name not in deepest or int(depth) > deepest[name][0]:
            deepest[name] = (int(depth), value)
    data.update((name, value) for name, (_, value) in deepest.items())
    return data
