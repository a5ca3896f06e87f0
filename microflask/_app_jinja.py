"""The app's template environment and loader (Flask's ``templating.Environment``).

Kept apart from :mod:`microflask._app_templates` so the template engine is
imported only when an app first renders a template.
"""

from __future__ import annotations

import typing as t

from microflask.templating import Environment
from microflask.templating.exceptions import TemplateNotFound
from microflask.templating.loaders import BaseLoader

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.app import Flask

__all__ = ["AppTemplateEnvironment", "DispatchingJinjaLoader"]


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
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        advice = None
        for _owner, loader in self._iter_loaders(template):
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound as error:
                if advice is None and "inside the zip file" in (error.message or ""):
                    advice = error.message  # the app runs from a zip: say what to do
        raise TemplateNotFound(template, advice)

    def _get_source_explained(self, environment: t.Any, template: str) -> tuple:
        # Every loader is asked, so the log can show all matches.
        from microflask.debughelpers import explain_template_loading_attempts

        attempts = []
        first_found = None
        for owner, loader in self._iter_loaders(template):
            try:
                found = loader.get_source(environment, template)
            except TemplateNotFound:
                found = None
            if first_found is None and found is not None:
                first_found = found
            attempts.append((loader, owner, found))
        explain_template_loading_attempts(self.app, template, attempts)
        if first_found is None:
            raise TemplateNotFound(template)
        return first_found

    def list_templates(self) -> list[str]:
        found = set()
        for _owner, loader in self._iter_loaders(""):
            try:
                found.update(loader.list_templates())
            except TypeError:
                continue
        return sorted(found)
