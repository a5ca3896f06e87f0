"""Class-based views (``flask.views``).

``View`` turns a class into a view function with ``as_view``;
``MethodView`` dispatches each HTTP method to the method of the same name
(``get``, ``post``, ...), and works out ``methods`` from the ones defined.
"""

from __future__ import annotations

import typing as t

from microflask.globals import current_app, request

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.typing import ResponseReturnValue

__all__ = ["View", "MethodView", "http_method_funcs"]

http_method_funcs = frozenset(
    ["get", "post", "head", "options", "delete", "put", "trace", "patch"]
)


class View:
    """Subclass it, implement :meth:`dispatch_request`, register ``as_view(name)``."""

    #: The methods this view answers; None means GET (and HEAD, OPTIONS).
    methods: t.ClassVar[t.Collection[str] | None] = None
    #: Whether to answer OPTIONS automatically; None follows the app's setting.
    provide_automatic_options: t.ClassVar[bool | None] = None
    #: Decorators applied, in order, to the generated view function.
    decorators: t.ClassVar[list[t.Callable]] = []
    #: Make a new instance for every request (safe) or one for all (faster).
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:
        """Handle the request; URL arguments arrive as keyword arguments."""
        raise NotImplementedError()

    @classmethod
    def as_view(cls, name: str, *class_args: t.Any, **class_kwargs: t.Any) -> t.Callable:
        """A view function that makes the class (with these arguments) handle each request."""
        if cls.init_every_request:

            def view(**kwargs: t.Any) -> t.Any:
                self = view.view_class(*class_args, **class_kwargs)  # type: ignore
                return current_app.ensure_sync(self.dispatch_request)(**kwargs)

        else:
            shared = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> t.Any:
                return current_app.ensure_sync(shared.dispatch_request)(**kwargs)

        if cls.decorators:
            view.__name__ = name
            view.__module__ = cls.__module__
            for decorator in cls.decorators:
                view = decorator(view)

        # Read by add_url_rule, and by people introspecting the view.
        view.view_class = cls  # type: ignore[attr-defined]
        view.__name__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods  # type: ignore[attr-defined]
        view.provide_automatic_options = cls.provide_automatic_options  # type: ignore
        return view


class MethodView(View):
    """Dispatch to ``get``, ``post``, ... by the request's method; HEAD falls back to ``get``."""

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" not in cls.__dict__:
            methods: set[str] = set()
            for base in cls.__bases__:
                if getattr(base, "methods", None):
                    methods.update(base.methods)  # type: ignore[attr-defined]
            for key in http_method_funcs:
                if hasattr(cls, key):
                    methods.add(key.upper())
            if methods:
                cls.methods = methods

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:
        method = getattr(self, request.method.lower(), None)
        if method is None and request.method == "HEAD":
            method = getattr(self, "get", None)
        assert method is not None, "Unimplemented method %r" % request.method
        return current_app.ensure_sync(method)(**kwargs)
