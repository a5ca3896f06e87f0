"""Templates inside an app (``flask.templating``).

The glue between the app and the engine in :mod:`microflask.templating`,
which knows nothing of apps: an environment that looks for templates in the
app's and its blueprints' folders, with ``url_for``, ``request``, ``session``,
``g`` and ``config`` as globals, and the ``render_template`` family.
"""

from __future__ import annotations

import typing as t

from .globals import _cv_app, _cv_request, current_app, g, request, session
from .helpers import get_flashed_messages, stream_with_context
from .signals import before_render_template, template_rendered
from .templating import Environment
from .templating.exceptions import TemplateNotFound
from .templating.loaders import BaseLoader

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask

__all__ = [
    "AppTemplateEnvironment",
    "DispatchingJinjaLoader",
    "create_app_jinja_environment",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]


class AppTemplateEnvironment(Environment):
    """A template environment that knows its app (Flask's ``templating.Environment``)."""

    def __init__(self, app: Flask, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app


class DispatchingJinjaLoader(BaseLoader):
    """Look in the app's template folder, then in each blueprint's, in registration order."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _iter_loaders(self, template: str) -> t.Iterator[tuple[t.Any, BaseLoader]]:
        loader = self.app.jinja_loader
        if loader is not None:
            yield self.app, loader
        for blueprint in self.app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                yield blueprint, loader

    def get_source(self, environment: t.Any, template: str) -> tuple:
        tried = []
        for owner, loader in self._iter_loaders(template):
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                tried.append(owner)
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            self.app.logger.info(
                "Locating template %r: looked in %s; not found.",
                template,
                ", ".join(repr(getattr(o, "name", o)) for o in tried) or "no loaders",
            )
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        found = set()
        for _owner, loader in self._iter_loaders(""):
            try:
                found.update(loader.list_templates())
            except TypeError:
                continue
        return sorted(found)


def create_app_jinja_environment(app: Flask) -> AppTemplateEnvironment:
    """The app's ``jinja_env``: Flask's options, autoescape rules and globals."""
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
