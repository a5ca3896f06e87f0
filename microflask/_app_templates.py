"""Templates inside an app (``flask.templating``).

The glue between the app and the engine in :mod:`microflask.templating`,
which knows nothing of apps: the app's environment (made on first use, with
``url_for``, ``request``, ``session``, ``g`` and ``config`` as globals; its
classes live in :mod:`microflask._app_jinja`) and the ``render_template``
family.
"""

from __future__ import annotations

import typing as t

from microflask.globals import _cv_app, _cv_request, current_app, g, request, session
from microflask.helpers import get_flashed_messages, stream_with_context
from microflask.signals import before_render_template, template_rendered

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.app import Flask

__all__ = [
    "create_app_jinja_environment",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]


def create_app_jinja_environment(app: Flask) -> t.Any:
    """The app's ``jinja_env``: Flask's options, autoescape rules and globals."""
    # The template engine is imported here, on first use: an app that never
    # renders a template never loads it.
    from microflask._app_jinja import AppTemplateEnvironment

    options = dict(app.jinja_options)
    if "autoescape" not in options:
        options["autoescape"] = app.select_jinja_autoescape
    if "auto_reload" not in options:
        auto_reload = app.config["TEMPLATES_AUTO_RELOAD"]
        if auto_reload is None:
            auto_reload = app.debug
        options["auto_reload"] = auto_reload
    environment_class = app.jinja_environment or AppTemplateEnvironment
    env = environment_class(app, **options)
    env.globals.update(
        url_for=app.url_for,
        get_flashed_messages=get_flashed_messages,
        config=app.config,
        request=request,
        session=session,
        g=g,
    )
    env.policies["json.dumps_function"] = app.json.dumps
    return env


def _render(app: Flask, template: t.Any, context: dict[str, t.Any]) -> str:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    rv = template.render(context)
    if template_rendered.receivers:
        template_rendered.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    return rv


def _current_app_object() -> Flask:
    ctx = _cv_app.get(None)
    if ctx is None:
        return current_app._get_current_object()  # raises the usual RuntimeError
    return ctx.app


def render_template(template_name_or_list: t.Any, **context: t.Any) -> str:
    """Render a template (or the first that exists of a list) with ``context``."""
    app = _current_app_object()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render template source text (autoescaped) with ``context``."""
    app = _current_app_object()
    template = app.jinja_env.from_string(source)
    return _render(app, template, context)


def _stream(app: Flask, template: t.Any, context: dict[str, t.Any]) -> t.Iterator[str]:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )

    def generate() -> t.Iterator[str]:
        yield from template.generate(context)
        if template_rendered.receivers:
            template_rendered.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )

    rv = generate()
    if _cv_request.get(None) is not None:
        rv = stream_with_context(rv)
    return rv


def stream_template(template_name_or_list: t.Any, **context: t.Any) -> t.Iterator[str]:
    """Render a template piece by piece, for a streamed response."""
    app = _current_app_object()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render template source text piece by piece, for a streamed response."""
    app = _current_app_object()
    template = app.jinja_env.from_string(source)
    return _stream(app, template, context)


def __getattr__(name: str) -> t.Any:
    # Flask's ``flask.templating`` also holds the environment and loader
    # classes; importing them from here would load the engine, so they are
    # looked up only when asked for.
    if name == "Environment":
        from microflask._app_jinja import AppTemplateEnvironment

        return AppTemplateEnvironment
    if name == "DispatchingJinjaLoader":
        from microflask._app_jinja import DispatchingJinjaLoader

        return DispatchingJinjaLoader
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
