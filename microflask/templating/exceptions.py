"""The template engine's errors (what Jinja calls ``jinja2.exceptions``).

Every failure the engine itself detects is a :class:`TemplateError`
subclass; a syntax error carries the template's name, file and line, and its
``str`` shows the offending source line.
"""

from __future__ import annotations

import typing as t

__all__ = [
    "TemplateError",
    "TemplateNotFound",
    "TemplatesNotFound",
    "TemplateSyntaxError",
    "TemplateAssertionError",
    "TemplateRuntimeError",
    "UndefinedError",
    "SecurityError",
    "TemplateSecurityError",
    "FilterArgumentError",
    "TemplateOverflowError",
]


class TemplateError(Exception):
    """Base class for every error the template engine raises."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)

    @property
    def message(self) -> str | None:
        return self.args[0] if self.args else None


class TemplateNotFound(IOError, LookupError, TemplateError):
    """A loader could not find the named template."""

    message: str | None = None  # type: ignore[assignment]

    def __init__(self, name: t.Any, message: str | None = None) -> None:
        IOError.__init__(self, name)
        if message is None:
            if hasattr(type(name), "_fail_with_undefined_error"):
                # An undefined template name: report that, not a lookup.
                name._fail_with_undefined_error()
            message = getattr(name, "name", name)
        self.message = message
        if hasattr(type(name), "_fail_with_undefined_error"):
            self.name = name
        else:
            self.name = getattr(name, "name", name)
        self.templates = [self.name]

    def __str__(self) -> str:
        return str(self.message)


def _describe_template_name(name: t.Any) -> str:
    if hasattr(type(name), "_fail_with_undefined_error"):
        return str(name._undefined_message)
    return str(getattr(name, "name", name))


class TemplatesNotFound(TemplateNotFound):
    """None of several candidate templates exists (``select_template``)."""

    def __init__(self, names: t.Sequence[t.Any] = (), message: str | None = None) -> None:
        names = list(names)
        if message is None:
            shown = ", ".join(_describe_template_name(n) for n in names)
            message = "none of the templates given were found: " + shown
        super().__init__(names[-1] if names else None, message)
        self.templates = [
            n if hasattr(type(n), "_fail_with_undefined_error") else getattr(n, "name", n)
            for n in names
        ]


class TemplateSyntaxError(TemplateError):
    """The template's source is not valid template syntax."""

    def __init__(
        self,
        message: str,
        lineno: int,
        name: str | None = None,
        filename: str | None = None,
    ) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.name = name
        self.filename = filename
        self.source: str | None = None
        # Set once the source line has been attached to the message.
        self.translated = False

    def __str__(self) -> str:
        if self.translated:
            return str(self.message)
        location = "line %d" % self.lineno
        name = self.filename or self.name
        if name:
            location = 'File "%s", %s' % (name, location)
        lines = [str(self.message), "  " + location]
        if self.source is not None:
            source_lines = self.source.splitlines()
            if 0 < self.lineno <= len(source_lines):
                lines.append("    " + source_lines[self.lineno - 1].strip())
        return "\n".join(lines)

    def __reduce__(self):  # type: ignore[override]
        # Keep the extra attributes when the error crosses a process boundary.
        return self.__class__, (self.message, self.lineno, self.name, self.filename)


class TemplateAssertionError(TemplateSyntaxError):
    """The template parses but cannot compile (an unknown filter, a misplaced
    ``super()``); reported like a syntax error."""


class TemplateRuntimeError(TemplateError):
    """A generic error while rendering."""


class UndefinedError(TemplateRuntimeError):
    """An undefined value was used in a way that needs a real value."""


class TemplateSecurityError(TemplateRuntimeError):
    """A template tried to reach something unsafe (Jinja's ``SecurityError``)."""


SecurityError = TemplateSecurityError


class TemplateOverflowError(TemplateSecurityError, OverflowError):
    """A template asked for a range or value too large to build; an
    OverflowError (as Jinja's sandbox raises) that is also a SecurityError."""


class FilterArgumentError(TemplateRuntimeError):
    """A filter was called with arguments it cannot use."""
