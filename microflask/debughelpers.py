"""Debug-mode errors that explain common mistakes (Flask calls this ``flask.debughelpers``).

In debug mode the app raises these instead of failing quietly: a form posted
without ``enctype="multipart/form-data"`` (so ``request.files`` is empty), and
a routing redirect that would make the browser drop the posted form.
"""

from __future__ import annotations

import typing as t

__all__ = [
    "DebugFilesKeyError",
    "FormDataRoutingRedirect",
    "UnexpectedUnicodeError",
    "attach_enctype_error_multidict",
    "explain_template_loading_attempts",
]


class UnexpectedUnicodeError(AssertionError, UnicodeError):
    """Raised in debug mode where text was given but bytes were expected."""


class DebugFilesKeyError(KeyError, AssertionError):
    """``request.files[key]`` failed because the form was not sent as multipart."""

    def __init__(self, request: t.Any, key: str) -> None:
        submitted = request.form.getlist(key)
        text = (
            "You tried to access the file %r in the request.files dictionary but it"
            " does not exist. The mimetype for the request is %r instead of"
            " 'multipart/form-data' which means that no file contents were"
            " transmitted. To fix this error you should provide"
            ' enctype="multipart/form-data" in your form.' % (key, request.mimetype)
        )
        if submitted:
            text += (
                "\n\nThe browser instead transmitted some file names. This was"
                " submitted: %s" % ", ".join(repr(name) for name in submitted)
            )
        super().__init__(text)
        self.msg = text

    def __str__(self) -> str:
        return self.msg


class FormDataRoutingRedirect(AssertionError):
    """A routing redirect (301/302) in debug mode for a request that carried a body.

    Browsers resend such a redirect as GET without the form, so the app
    says so instead of losing the data.
    """

    def __init__(self, request: t.Any) -> None:
        redirect = request.routing_exception
        text = [
            "A request was sent to %r, but routing issued a redirect to the"
            " canonical URL %r." % (request.url, redirect.new_url)
        ]
        if request.base_url + "/" == redirect.new_url.partition("?")[0]:
            text.append(
                " The URL was defined with a trailing slash. Flask will redirect to"
                " the URL with a trailing slash if it was accessed without one."
            )
        text.append(
            " Send requests to the canonical URL, or use 307 or 308 for routing"
            " redirects. Otherwise, browsers will drop form data.\n\n"
            "This exception is only raised in debug mode."
        )
        super().__init__("".join(text))


def attach_enctype_error_multidict(request: t.Any) -> None:
    """Make ``request.files[key]`` raise :class:`DebugFilesKeyError` for a posted name."""
    files = request.files
    original_class = files.__class__

    class DebugFilesMultiDict(original_class):  # type: ignore[misc, valid-type]
        def __getitem__(self, key: t.Any) -> t.Any:
            try:
                return super().__getitem__(key)
            except KeyError as e:
                if key not in request.form:
                    raise
                raise DebugFilesKeyError(request, key).with_traceback(e.__traceback__) from None

    DebugFilesMultiDict.__name__ = original_class.__name__
    DebugFilesMultiDict.__qualname__ = original_class.__qualname__
    files.__class__ = DebugFilesMultiDict


def _describe_template_loader(loader: t.Any) -> list[str]:
    """The loader's class and its plain settings, one per line, for the log."""
    cls = type(loader)
    lines = ["class: %s.%s" % (cls.__module__, cls.__name__)]
    for name, value in sorted(vars(loader).items()):
        if name.startswith("_"):
            continue
        if isinstance(value, (tuple, list)):
            if not all(isinstance(item, str) for item in value):
                continue
            lines.append("%s:" % name)
            lines.extend("  - %s" % item for item in value)
        elif isinstance(value, (str, int, float, bool)):
            lines.append("%s: %r" % (name, value))
    return lines


def explain_template_loading_attempts(app: t.Any, template: str, attempts: t.Any) -> None:
    """Log, at info level, where a template was looked for and what was found.

    ``attempts`` holds ``(loader, owner, found)`` triples, as the app's
    template loader collects them when ``EXPLAIN_TEMPLATE_LOADING`` is on.
    """
    from microflask.globals import _cv_request
    from microflask.blueprints import Blueprint

    lines = ["Locating template %r:" % template]
    total_found = 0
    blueprint = None
    req_ctx = _cv_request.get(None)
    if req_ctx is not None and req_ctx.request.blueprint is not None:
        blueprint = req_ctx.request.blueprint
    for number, (loader, owner, found) in enumerate(attempts, 1):
        if owner is app:
            owner_text = "application %r" % app.import_name
        elif isinstance(owner, Blueprint):
            owner_text = "blueprint %r (%s)" % (owner.name, owner.import_name)
        else:
            owner_text = repr(owner)
        lines.append("%5d: trying loader of %s" % (number, owner_text))
        lines.extend("       " + line for line in _describe_template_loader(loader))
        if found is None:
            lines.append("       -> no match")
        else:
            lines.append("       -> found (%r)" % (found[1] or "<string>",))
            total_found += 1
    hint = False
    if total_found == 0:
        lines.append("Error: the template could not be found.")
        hint = True
    elif total_found > 1:
        lines.append("Warning: multiple loaders returned a match for the template.")
        hint = True
    if hint and blueprint is not None:
        lines.append(
            "  The template was looked up from an endpoint that belongs"
            " to the blueprint %r." % blueprint
        )
        lines.append("  Maybe you did not place a template in the right folder?")
        lines.append("  See https://flask.palletsprojects.com/blueprints/#templates")
    app.logger.info("\n".join(lines))
