"""What apps and blueprints have in common (``flask.sansio.scaffold``).

A scaffold records: routes, hooks, error handlers, context processors and
URL processors go into plain dicts and lists keyed by blueprint name
(``None`` for the app).  Nothing here runs during a request; the app reads
these records in ``wsgi_app``.
"""

from __future__ import annotations

import os
import sys
import typing as t
from collections import defaultdict
from functools import update_wrapper

from microflask.exceptions import HTTPException, default_exceptions
from microflask.globals import _cv_app, _cv_request, current_app, session
from microflask.utils import cached_property

__all__ = ["Scaffold", "setupmethod", "get_root_path", "find_package"]

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


def setupmethod(f: _F) -> _F:
    """Refuse to change an app's setup once it has handled a request."""
    name = f.__name__

    def wrapper_func(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(name)
        return f(self, *args, **kwargs)

    return t.cast(_F, update_wrapper(wrapper_func, f))


def get_root_path(import_name: str) -> str:
    """The folder that holds the module or package called ``import_name``.

    ``__main__`` and interactive sessions fall back to the working directory.
    """
    module = sys.modules.get(import_name)
    if module is not None and getattr(module, "__file__", None):
        return os.path.dirname(os.path.abspath(module.__file__))
    # Imported only here (import speed): a loaded module never needs the finder.
    import importlib.util

    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin in (None, "namespace", "built-in", "frozen"):
        if spec is not None and spec.submodule_search_locations:
            return os.path.abspath(next(iter(spec.submodule_search_locations)))
        return os.getcwd()
    return os.path.dirname(os.path.abspath(spec.origin))


def _find_package_folder(import_name: str) -> str:
    """The folder a top-level module lives in; for a package, the folder above it."""
    # Imported only here (import speed): ``import microflask`` does not load it.
    import importlib.util

    root_name = import_name.partition(".")[0]
    try:
        spec = importlib.util.find_spec(root_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return os.getcwd()
    if spec.submodule_search_locations:
        if spec.origin in (None, "namespace"):
            return os.path.dirname(os.path.abspath(next(iter(spec.submodule_search_locations))))
        return os.path.dirname(os.path.dirname(os.path.abspath(spec.origin)))
    if spec.origin in (None, "built-in", "frozen"):
        return os.getcwd()
    return os.path.dirname(os.path.abspath(spec.origin))


def find_package(import_name: str) -> tuple[str | None, str]:
    """``(prefix, package_folder)`` for a module, as Flask uses it for the instance folder.

    The prefix is the installation prefix when the module is installed
    (under ``sys.prefix`` or in a ``site-packages`` folder), else None.
    """
    package_folder = _find_package_folder(import_name)
    py_prefix = os.path.abspath(sys.prefix)
    if os.path.commonpath([py_prefix, os.path.abspath(package_folder)]) == py_prefix:
        return py_prefix, package_folder
    site_parent, site_folder = os.path.split(package_folder)
    if site_folder.lower() == "site-packages":
        parent, folder = os.path.split(site_parent)
        if folder.lower() == "lib":
            return parent, package_folder
        if os.path.basename(parent).lower() == "lib":
            return os.path.dirname(parent), package_folder
        return site_parent, package_folder
    return None, package_folder


def _endpoint_from_view_func(view_func: t.Callable) -> str:
    assert view_func is not None, "expected view func if endpoint is not provided."
    return view_func.__name__


class Scaffold:
    """The recording half of :class:`~microflask.Flask` and :class:`~microflask.Blueprint`."""

    name: str
    _static_folder: str | None = None
    _static_url_path: str | None = None

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike | None = None,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        self.static_folder = static_folder  # type: ignore[assignment]
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        if root_path is None:
            root_path = get_root_path(self.import_name)
        self.root_path = root_path

        self.view_functions: dict[str, t.Callable] = {}
        # {blueprint name or None: {status code or None: {exception class: handler}}}
        self.error_handler_spec: dict[t.Any, dict[t.Any, dict[type, t.Callable]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self.before_request_funcs: dict[t.Any, list[t.Callable]] = defaultdict(list)
        self.after_request_funcs: dict[t.Any, list[t.Callable]] = defaultdict(list)
        self.teardown_request_funcs: dict[t.Any, list[t.Callable]] = defaultdict(list)
        # Flask's default processor (request, session, g) is the app's alone;
        # see Flask.__init__.
        self.template_context_processors: dict[t.Any, list[t.Callable]] = defaultdict(list)
        self.url_value_preprocessors: dict[t.Any, list[t.Callable]] = defaultdict(list)
        self.url_default_functions: dict[t.Any, list[t.Callable]] = defaultdict(list)

    def __repr__(self) -> str:
        return "<%s %r>" % (type(self).__name__, self.name)

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- the CLI group (filled in by microflask.cli when it exists) ---------------

    @cached_property
    def cli(self) -> t.Any:
        # The CLI is layer 5 and loads the Click-like toolkit: imported on first use.
        from microflask.cli import AppGroup

        return AppGroup()

    # -- folders ------------------------------------------------------------------

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or None."""
        if self._static_folder is not None:
            return os.path.join(self.root_path, self._static_folder)
        return None

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip(r"\/")
        self._static_folder = value

    @property
    def has_static_folder(self) -> bool:
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL prefix the static route is registered under."""
        if self._static_url_path is not None:
            return self._static_url_path
        if self.static_folder is not None:
            basename = os.path.basename(self.static_folder)
            return ("/" + basename).rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Cache lifetime for static files: ``SEND_FILE_MAX_AGE_DEFAULT`` (None = conditional)."""
        value = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        if value is None:
            return None
        if hasattr(value, "total_seconds"):
            return int(value.total_seconds())
        return value

    def send_static_file(self, filename: str) -> t.Any:
        """The view behind the ``static`` endpoint."""
        if not self.has_static_folder:
            raise RuntimeError("'static_folder' must be set to serve static_files.")
        # Not at the top: helpers imports this module.
        from microflask.helpers import send_from_directory

        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(t.cast(str, self.static_folder), filename, max_age=max_age)

    @cached_property
    def jinja_loader(self) -> t.Any:
        """A file-system loader for ``template_folder``, or None."""
        if self.template_folder is not None:
            # Imported on first use: it loads the template engine.
            from microflask.templating.loaders import FileSystemLoader

            return FileSystemLoader(os.path.join(self.root_path, self.template_folder))
        return None

    def open_resource(self, resource: str, mode: str = "rb", encoding: str | None = None) -> t.IO:
        """Open a file relative to :attr:`root_path` for reading."""
        if mode not in {"r", "rt", "rb"}:
            raise ValueError("Resources can only be opened for reading.")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    # -- routes -------------------------------------------------------------------

    def _method_route(self, method: str, rule: str, options: dict) -> t.Callable[[_F], _F]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")
        return self.route(rule, methods=[method], **options)

    @setupmethod
    def get(self, rule: str, **options: t.Any) -> t.Callable[[_F], _F]:
        """``route(rule, methods=["GET"])``."""
        return self._method_route("GET", rule, options)

    @setupmethod
    def post(self, rule: str, **options: t.Any) -> t.Callable[[_F], _F]:
        """``route(rule, methods=["POST"])``."""
        return self._method_route("POST", rule, options)

    @setupmethod
    def put(self, rule: str, **options: t.Any) -> t.Callable[[_F], _F]:
        """``route(rule, methods=["PUT"])``."""
        return self._method_route("PUT", rule, options)

    @setupmethod
    def delete(self, rule: str, **options: t.Any) -> t.Callable[[_F], _F]:
        """``route(rule, methods=["DELETE"])``."""
        return self._method_route("DELETE", rule, options)

    @setupmethod
    def patch(self, rule: str, **options: t.Any) -> t.Callable[[_F], _F]:
        """``route(rule, methods=["PATCH"])``."""
        return self._method_route("PATCH", rule, options)

    @setupmethod
    def route(self, rule: str, **options: t.Any) -> t.Callable[[_F], _F]:
        """Register the decorated function as the view for ``rule``."""

        def decorator(f: _F) -> _F:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[_F], _F]:
        """Register the decorated function as the view for an existing ``endpoint``."""

        def decorator(f: _F) -> _F:
            self.view_functions[endpoint] = f
            return f

        return decorator

    # -- hooks --------------------------------------------------------------------

    @setupmethod
    def before_request(self, f: _F) -> _F:
        """Run ``f()`` before each request; a non-None return value ends the request early."""
        self.before_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def after_request(self, f: _F) -> _F:
        """Run ``f(response)`` after each request; it returns the response to send."""
        self.after_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def teardown_request(self, f: _F) -> _F:
        """Run ``f(error)`` when the request context is popped, whatever happened."""
        self.teardown_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def context_processor(self, f: _F) -> _F:
        """Merge the dict ``f()`` returns into every template's context."""
        self.template_context_processors[None].append(f)
        return f

    @setupmethod
    def url_value_preprocessor(self, f: _F) -> _F:
        """Run ``f(endpoint, view_args)`` before the view, to pop or change URL values."""
        self.url_value_preprocessors[None].append(f)
        return f

    @setupmethod
    def url_defaults(self, f: _F) -> _F:
        """Run ``f(endpoint, values)`` when URLs are built, to fill in values."""
        self.url_default_functions[None].append(f)
        return f

    @setupmethod
    def errorhandler(self, code_or_exception: type[Exception] | int) -> t.Callable[[_F], _F]:
        """Register the decorated function for an HTTP status code or exception class."""

        def decorator(f: _F) -> _F:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    @setupmethod
    def register_error_handler(
        self, code_or_exception: type[Exception] | int, f: t.Callable
    ) -> None:
        """The non-decorator form of :meth:`errorhandler`."""
        exc_class, code = self._get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = f

    @staticmethod
    def _get_exc_class_and_code(
        exc_class_or_code: type[Exception] | int,
    ) -> tuple[type[Exception], int | None]:
        if isinstance(exc_class_or_code, int):
            try:
                exc_class: t.Any = default_exceptions[exc_class_or_code]
            except KeyError:
                raise ValueError(
                    "'%d' is not a recognized HTTP error code. Use a subclass of"
                    " HTTPException with that code instead." % exc_class_or_code
                ) from None
        else:
            exc_class = exc_class_or_code
        if isinstance(exc_class, Exception):
            raise TypeError(
                "%r is an instance, not a class. Handlers can only be registered for"
                " Exception classes or HTTP error codes." % (exc_class,)
            )
        if not isinstance(exc_class, type) or not issubclass(exc_class, Exception):
            raise ValueError(
                "'%s' is not a subclass of Exception. Handlers can only be registered for"
                " Exception classes or HTTP error codes."
                % getattr(exc_class, "__name__", exc_class)
            )
        if issubclass(exc_class, HTTPException):
            return exc_class, exc_class.code
        return exc_class, None


def _default_template_ctx_processor() -> dict[str, t.Any]:
    """Put ``g``, ``request`` and ``session`` into every template's context."""
    app_ctx = _cv_app.get(None)
    request_ctx = _cv_request.get(None)
    context: dict[str, t.Any] = {}
    if app_ctx is not None:
        context["g"] = app_ctx.g
    if request_ctx is not None:
        context["request"] = request_ctx.request
        # The proxy, not the session: a template that never reads the session
        # should not make the request open (verify) the cookie.
        context["session"] = session
    return context
