"""The application object (``flask.app``).

:class:`Flask` records routes, hooks and handlers through the decorators it
shares with blueprints (:mod:`microflask.scaffold`), then serves requests
through :meth:`Flask.wsgi_app`, which tells the whole life of a request:
push the context, run the hooks and the view, turn the return value into a
response, handle errors, pop the context.  While nothing is registered to
run around the views (no hooks, no signal receivers), a request takes the
same steps without the empty ones, in one frame: :meth:`Flask._serve_straight`.
"""

from __future__ import annotations

import collections.abc as cabc
import os
import sys
import typing as t
import weakref
from datetime import timedelta
from functools import partial
from itertools import chain
from urllib.parse import quote

from microflask import signals
from microflask._app_templates import create_app_jinja_environment
from microflask.config import Config, ConfigAttribute
from microflask.ctx import AppContext, RequestContext, _AppCtxGlobals
from microflask.datastructures import Headers, ImmutableDict
from microflask.exceptions import (
    Aborter,
    BadRequest,
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
)
from microflask.globals import _cv_app, _cv_request, g, request
from microflask.http import _wsgi_str_to_text
from microflask.json.provider import DefaultJSONProvider
from microflask.routing import BuildError, Map, RequestRedirect, Rule, RoutingException
from microflask.scaffold import (
    Scaffold,
    _default_template_ctx_processor,
    _endpoint_from_view_func,
    find_package,
    setupmethod,
)
from microflask.utils import _keeps_methods_of, cached_property
from microflask.utils import redirect as toolkit_redirect
from microflask._app_wrappers import Request, Response

__all__ = ["Flask"]

# CO_COROUTINE from the code object's flags: cheaper than inspect or asyncio.
_CO_COROUTINE = 0x80


def _make_timedelta(value: timedelta | int | None) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


def _is_coroutine_function(func: t.Any) -> bool:
    code = getattr(func, "__code__", None)
    if code is None:
        wrapped = getattr(func, "__func__", None) or getattr(func, "func", None)
        if wrapped is not None and wrapped is not func:
            return _is_coroutine_function(wrapped)
        call = getattr(type(func), "__call__", None)
        code = getattr(call, "__code__", None)
        if code is None:
            return False
    return bool(code.co_flags & _CO_COROUTINE)


# The methods of the general request path that Flask._serve_straight does not
# call, because with nothing registered they would do nothing.
_STEPS_THE_STRAIGHT_PATH_SKIPS = (
    "request_context",
    "app_context",
    "full_dispatch_request",
    "preprocess_request",
    "finalize_request",
    "do_teardown_request",
    "do_teardown_appcontext",
    "should_ignore_error",
)


# The steps between a view's return value and the WSGI response; a subclass
# overriding one of them sees every response object (see
# Flask._text_needs_no_response_object).
_STEPS_FROM_VIEW_VALUE_TO_RESPONSE = ("make_response", "process_response")


def _split_blueprint_path(name: str) -> list[str]:
    """``"a.b.c"`` -> ``["a.b.c", "a.b", "a"]``: a nested blueprint and its parents."""
    out = [name]
    while "." in name:
        name = name.rpartition(".")[0]
        out.append(name)
    return out


class Flask(Scaffold):
    """The WSGI application: create one, register views on it, hand it to a server."""

    request_class: type[Request] = Request
    response_class: type[Response] = Response
    aborter_class: t.Any = None
    jinja_environment: t.Any = None
    app_ctx_globals_class = _AppCtxGlobals
    config_class = Config
    testing = ConfigAttribute("TESTING")
    secret_key = ConfigAttribute("SECRET_KEY")
    permanent_session_lifetime = ConfigAttribute(
        "PERMANENT_SESSION_LIFETIME", get_converter=_make_timedelta
    )
    json_provider_class: type = DefaultJSONProvider
    jinja_options: dict[str, t.Any] = {}
    url_rule_class = Rule
    url_map_class = Map
    test_client_class: type | None = None
    test_cli_runner_class: type | None = None
    default_config = ImmutableDict(
        {
            "DEBUG": None,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": None,
            "SECRET_KEY": None,
            "SECRET_KEY_FALLBACKS": None,
            "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
            "USE_X_SENDFILE": False,
            "TRUSTED_HOSTS": None,
            "SERVER_NAME": None,
            "APPLICATION_ROOT": "/",
            "SESSION_COOKIE_NAME": "session",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_PATH": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_PARTITIONED": False,
            "SESSION_COOKIE_SAMESITE": None,
            "SESSION_REFRESH_EACH_REQUEST": True,
            "MAX_CONTENT_LENGTH": None,
            "MAX_FORM_MEMORY_SIZE": 500_000,
            "MAX_FORM_PARTS": 1_000,
            "SEND_FILE_MAX_AGE_DEFAULT": None,
            "TRAP_BAD_REQUEST_ERRORS": None,
            "TRAP_HTTP_EXCEPTIONS": False,
            "EXPLAIN_TEMPLATE_LOADING": False,
            "PREFERRED_URL_SCHEME": "http",
            "TEMPLATES_AUTO_RELOAD": None,
            "MAX_COOKIE_SIZE": 4093,
            "PROVIDE_AUTOMATIC_OPTIONS": True,
        }
    )

    #: Whether this class keeps the request-path steps
    #: :meth:`_serve_straight` leaves out when they would do nothing; a
    #: subclass that overrides one of them always takes the general path.
    _keeps_flask_request_path = True
    #: Whether this class keeps :data:`_STEPS_FROM_VIEW_VALUE_TO_RESPONSE`.
    _keeps_flask_response_steps = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._keeps_flask_request_path = _keeps_methods_of(
            cls, Flask, _STEPS_THE_STRAIGHT_PATH_SKIPS
        )
        cls._keeps_flask_response_steps = _keeps_methods_of(
            cls, Flask, _STEPS_FROM_VIEW_VALUE_TO_RESPONSE
        )

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute."
                " A relative path was given instead."
            )
        self.instance_path = instance_path
        self.config = self.make_config(instance_relative_config)
        # Puts request, session and g in every template; the app's alone (a
        # blueprint's would run it again for the requests it handles).
        self.template_context_processors[None].append(_default_template_ctx_processor)
        self.aborter = self.make_aborter()
        self.json = self.json_provider_class(self)
        self.url_build_error_handlers: list[t.Callable] = []
        self.teardown_appcontext_funcs: list[t.Callable] = []
        self.shell_context_processors: list[t.Callable] = []
        self.blueprints: dict[str, t.Any] = {}
        self.extensions: dict[str, t.Any] = {}
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        self._got_first_request = False
        # async views: callable -> the sync wrapper (or itself), decided once.
        self._sync_views: dict[t.Any, t.Callable] = {}

        if self.has_static_folder:
            assert bool(static_host) == host_matching, (
                "Invalid static_host/host_matching combination"
            )
            # A weak reference, so the static view does not keep the app alive.
            app_ref = weakref.ref(self)
            self.add_url_rule(
                "%s/<path:filename>" % self.static_url_path,
                endpoint="static",
                host=static_host,
                view_func=lambda **kw: app_ref().send_static_file(**kw),  # type: ignore
            )

    # -- identity and configuration -----------------------------------------------

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                "The setup method '%s' can no longer be called on the application. It"
                " has already handled its first request, any changes will not be"
                " applied consistently. Make sure all imports, decorators, functions,"
                " etc. needed to set up the application are done before running it."
                % f_name
            )

    @cached_property
    def name(self) -> str:  # type: ignore[override]
        """The import name, or the script's file name when run as ``__main__``."""
        if self.import_name == "__main__":
            filename = getattr(sys.modules["__main__"], "__file__", None)
            if filename is None:
                return "__main__"
            return os.path.splitext(os.path.basename(filename))[0]
        return self.import_name

    @cached_property
    def cli(self) -> t.Any:
        """The app's command group, named after the app (``@app.cli.command()``)."""
        # The CLI is layer 5 and loads the Click-like toolkit: imported on first use.
        from microflask.cli import AppGroup

        group = AppGroup()
        group.name = self.name
        return group

    @cached_property
    def logger(self) -> t.Any:
        """The stdlib logger named after the app (see :mod:`microflask.logging`)."""
        # Imported on first use: it loads the stdlib logging package, which serving never needs.
        from microflask.logging import create_logger

        return create_logger(self)

    @property
    def debug(self) -> bool:
        """Debug mode: ``config["DEBUG"]``."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None and "jinja_env" in self.__dict__:
            self.jinja_env.auto_reload = value

    def make_config(self, instance_relative: bool = False) -> Config:
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = _debug_from_environment()
        return self.config_class(root_path, defaults)

    def make_aborter(self) -> t.Any:
        return (self.aborter_class or Aborter)()

    def auto_find_instance_path(self) -> str:
        """``instance/`` next to the package, or ``<prefix>/var/<name>-instance`` when installed."""
        prefix, package_path = find_package(self.import_name)
        if prefix is None:
            return os.path.join(package_path, "instance")
        return os.path.join(prefix, "var", "%s-instance" % self.name)

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO:
        """Open a file relative to :attr:`instance_path` (writing allowed)."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    # -- sessions (the interface lives in microflask.sessions) ---------------------

    #: The session interface this app made for itself, while it is the one in
    #: use; see :meth:`_unopened_session_needs_no_saving`.
    _own_session_interface: t.Any = None

    @cached_property
    def session_interface(self) -> t.Any:
        """How sessions are opened and saved: signed cookies, unless replaced."""
        # Imported on first use: sessions loads signing and hashlib, which an
        # app that never uses a session does not need at import time.
        from microflask.sessions import SecureCookieSessionInterface

        interface = self._own_session_interface = SecureCookieSessionInterface()
        return interface

    # -- templates ------------------------------------------------------------------

    @cached_property
    def jinja_env(self) -> t.Any:
        """The template environment, created on first use."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> t.Any:
        return create_app_jinja_environment(self)

    def create_global_jinja_loader(self) -> t.Any:
        # Imported on first use: it loads the template engine.
        from microflask._app_jinja import DispatchingJinjaLoader

        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape for ``.html .htm .xml .xhtml .svg`` templates and for strings."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add what the context processors return; the caller's values win."""
        names: t.Iterable[str | None] = (None,)
        ctx = _cv_request.get(None)
        if ctx is not None:
            blueprints = ctx.request.blueprints
            if blueprints:
                names = chain(names, reversed(blueprints))
        original = context.copy()
        processors = self.template_context_processors
        for name in names:
            if name in processors:
                for func in processors[name]:
                    context.update(self.ensure_sync(func)())
        context.update(original)

    @setupmethod
    def template_filter(self, name: str | None = None) -> t.Callable:
        """Register the decorated function as a template filter."""
        if callable(name):
            self.add_template_filter(name)
            return name

        def decorator(f: t.Callable) -> t.Callable:
            self.add_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_filter(self, f: t.Callable, name: str | None = None) -> None:
        self.jinja_env.filters[name or f.__name__] = f

    @setupmethod
    def template_test(self, name: str | None = None) -> t.Callable:
        """Register the decorated function as a template test."""
        if callable(name):
            self.add_template_test(name)
            return name

        def decorator(f: t.Callable) -> t.Callable:
            self.add_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_test(self, f: t.Callable, name: str | None = None) -> None:
        self.jinja_env.tests[name or f.__name__] = f

    @setupmethod
    def template_global(self, name: str | None = None) -> t.Callable:
        """Register the decorated function as a template global."""
        if callable(name):
            self.add_template_global(name)
            return name

        def decorator(f: t.Callable) -> t.Callable:
            self.add_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_global(self, f: t.Callable, name: str | None = None) -> None:
        self.jinja_env.globals[name or f.__name__] = f

    # -- registration -------------------------------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Connect a URL rule to an endpoint and, optionally, its view function."""
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)  # type: ignore[arg-type]
        options["endpoint"] = endpoint
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                "Allowed methods must be a list of strings, for example:"
                ' @app.route(..., methods=["POST"])'
            )
        methods = {item.upper() for item in methods}
        required_methods = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            if "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]:
                provide_automatic_options = True
                required_methods.add("OPTIONS")
            else:
                provide_automatic_options = False
        methods |= required_methods

        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = provide_automatic_options  # type: ignore
        self.url_map.add(rule_obj)
        if view_func is not None:
            old_func = self.view_functions.get(endpoint)
            if old_func is not None and old_func != view_func:
                raise AssertionError(
                    "View function mapping is overwriting an existing endpoint"
                    " function: %s" % endpoint
                )
            self.view_functions[endpoint] = view_func

    @setupmethod
    def register_blueprint(self, blueprint: t.Any, **options: t.Any) -> None:
        """Register ``blueprint``'s routes, hooks and handlers on this app."""
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView:
        return self.blueprints.values()

    @setupmethod
    def teardown_appcontext(self, f: t.Callable) -> t.Callable:
        """Run ``f(error)`` when the application context is popped."""
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def shell_context_processor(self, f: t.Callable) -> t.Callable:
        """Add the dict ``f()`` returns to the ``shell`` command's namespace."""
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, t.Any]:
        rv: dict[str, t.Any] = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            rv.update(processor())
        return rv

    # -- URLs -----------------------------------------------------------------------

    def create_url_adapter(self, request: Request | None) -> t.Any:
        """A bound URL map for ``request``, or for building URLs outside one.

        Outside a request this needs ``SERVER_NAME``; without it, None.
        """
        config = self.config
        if request is not None:
            trusted_hosts = config["TRUSTED_HOSTS"]
            if trusted_hosts is not None:
                request.trusted_hosts = trusted_hosts
                request.host  # refuses an untrusted Host header now, as a 400
            subdomain = None
            server_name = config["SERVER_NAME"]
            url_map = self.url_map
            if url_map.host_matching:
                server_name = None
            elif not self.subdomain_matching:
                subdomain = url_map.default_subdomain or ""
            return url_map.bind_to_environ(
                request.environ, server_name=server_name, subdomain=subdomain
            )
        if config["SERVER_NAME"] is not None:
            return self.url_map.bind(
                config["SERVER_NAME"],
                script_name=config["APPLICATION_ROOT"],
                url_scheme=config["PREFERRED_URL_SCHEME"],
            )
        return None

    def _match_url_without_adapter(self, request: Request) -> tuple[Rule, dict] | None:
        """Fast path: the ``(rule, values)`` a bound adapter would match, found on the bare map.

        Invariant: when the adapter would be the stock one bound the stock
        way -- the URL map is a plain :class:`Map`, this class keeps
        :meth:`create_url_adapter`, no ``TRUSTED_HOSTS``, no host or
        subdomain matching -- and the request is no upgrade (websocket) and
        names an ASCII host, the adapter matches the request's path and method
        on the map's default subdomain, and binding it checks nothing.  That is
        what :meth:`Map.match_plain` does without building the adapter; it
        answers None wherever the adapter would redirect or raise, and None
        here means "bind an adapter and ask it" (the general path).
        """
        url_map = self.url_map
        environ = request.environ
        if (
            type(url_map) is not Map
            or type(self).create_url_adapter is not Flask.create_url_adapter
            or url_map.host_matching
            or self.subdomain_matching
            or self.config["TRUSTED_HOSTS"] is not None
            or "HTTP_UPGRADE" in environ
            or not environ.get("HTTP_HOST", "").isascii()
        ):
            return None
        path_info = environ.get("PATH_INFO", "")
        if not path_info.isascii():  # as the adapter decodes it; ASCII is already text
            path_info = _wsgi_str_to_text(path_info)
        return url_map.match_plain(url_map.default_subdomain or "", path_info, request.method)

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Let the ``url_defaults`` functions fill in ``values`` for ``endpoint``."""
        names: t.Iterable[str | None] = (None,)
        if "." in endpoint:
            names = chain(names, reversed(_split_blueprint_path(endpoint.rpartition(".")[0])))
        functions = self.url_default_functions
        for name in names:
            if name in functions:
                for func in functions[name]:
                    func(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Give ``url_build_error_handlers`` a chance, else re-raise the BuildError."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if rv is not None:
                    return rv
        if error is sys.exc_info()[1]:
            raise  # noqa: PLE0704 - re-raise with the original traceback
        raise error

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """Build the URL for ``endpoint``; see :func:`microflask.url_for`."""
        req_ctx = _cv_request.get(None)
        if req_ctx is not None:
            url_adapter = req_ctx.url_adapter
            blueprint_name = req_ctx.request.blueprint
            if endpoint[:1] == ".":
                if blueprint_name is not None:
                    endpoint = blueprint_name + endpoint
                else:
                    endpoint = endpoint[1:]
            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _cv_app.get(None)
            if app_ctx is not None and app_ctx.app is self:
                url_adapter = app_ctx.url_adapter
            else:
                url_adapter = self.create_url_adapter(None)
            if url_adapter is None:
                raise RuntimeError(
                    "Unable to build URLs outside an active request without 'SERVER_NAME'"
                    " configured. Also configure 'APPLICATION_ROOT' and"
                    " 'PREFERRED_URL_SCHEME' as needed."
                )
            if _external is None:
                _external = True
        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")

        self.inject_url_defaults(endpoint, values)
        try:
            rv = url_adapter.build(
                endpoint,
                values,
                method=_method,
                url_scheme=_scheme,
                force_external=_external,
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            rv = "%s#%s" % (rv, quote(_anchor, safe="%!#$&'()*+,/:;=?@"))
        return rv

    def redirect(self, location: str, code: int = 302) -> Response:
        """A redirect response, as :func:`microflask.redirect` makes."""
        return toolkit_redirect(location, code=code, Response=self.response_class)

    # -- the life of a request ---------------------------------------------------------

    def ensure_sync(self, func: t.Callable) -> t.Callable:
        """``func`` itself, or a sync wrapper when it is a coroutine function."""
        try:
            return self._sync_views[func]
        except (KeyError, TypeError):
            pass
        result = self.async_to_sync(func) if _is_coroutine_function(func) else func
        try:
            self._sync_views[func] = result
        except TypeError:  # an unhashable callable: decide every time
            pass
        return result

    def async_to_sync(self, func: t.Callable) -> t.Callable:
        """Run a coroutine function to completion in a fresh event loop per call."""
        # Imported on first use: asyncio is heavy and most apps have no async views.
        from microflask._async import run_coroutine_function

        return run_coroutine_function(func)

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the error URL matching stored on the request.

        In debug mode a 301/302 routing redirect of a request with a body
        (POST, ...) raises :class:`~microflask.debughelpers.FormDataRoutingRedirect`
        instead: the browser would drop the form when following it.
        """
        error = request.routing_exception
        if (
            self.debug
            and isinstance(error, RequestRedirect)
            and error.code not in (307, 308)
            and request.method not in ("GET", "HEAD", "OPTIONS")
        ):
            # Imported on first use (import speed): only debug mode on this mistake needs it.
            from microflask.debughelpers import FormDataRoutingRedirect

            raise FormDataRoutingRedirect(request)
        raise error  # type: ignore[misc]

    def preprocess_request(self) -> t.Any:
        """Run URL value preprocessors, then ``before_request`` functions.

        A non-None return from a ``before_request`` function ends the request
        with that value as the response.
        """
        preprocessors = self.url_value_preprocessors
        before = self.before_request_funcs
        if not preprocessors and not before:  # the common app: nothing to run
            return None
        req = _cv_request.get().request
        names: tuple = (None,)
        blueprints = req.blueprints if self.blueprints else None
        if blueprints:
            names = (None, *reversed(blueprints))
        for name in names:
            if name in preprocessors:
                for url_func in preprocessors[name]:
                    url_func(req.endpoint, req.view_args)
        for name in names:
            if name in before:
                for before_func in before[name]:
                    rv = self.ensure_sync(before_func)()
                    if rv is not None:
                        return rv
        return None

    def dispatch_request(self) -> t.Any:
        """Call the matched view with its URL arguments and return what it returns."""
        req = _cv_request.get().request
        if req.routing_exception is not None:
            self.raise_routing_exception(req)
        rule = req.url_rule
        if req.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False):
            return self.make_default_options_response()
        view = self.view_functions[rule.endpoint]
        return self.ensure_sync(view)(**req.view_args)

    def full_dispatch_request(self) -> Response:
        """Hooks, the view and error handling, ending in a finished response."""
        self._got_first_request = True
        try:
            if signals.request_started.receivers:
                signals.request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            rv = self.handle_user_exception(e)
        return self.finalize_request(rv)

    def finalize_request(self, rv: t.Any, from_error_handler: bool = False) -> Response:
        """Make a response, run the after-request processing, send ``request_finished``."""
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
            if signals.request_finished.receivers:
                signals.request_finished.send(
                    self, _async_wrapper=self.ensure_sync, response=response
                )
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception(
                "Request finalizing failed with an error while handling an error"
            )
        return response

    def make_default_options_response(self) -> Response:
        """The automatic ``OPTIONS`` answer: an empty response with ``Allow``."""
        adapter = _cv_request.get().url_adapter
        methods = adapter.allowed_methods()
        rv = self.response_class()
        rv.allow.update(methods)
        return rv

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Return True to keep ``error`` from teardown functions."""
        return False

    def make_response(self, rv: t.Any) -> Response:
        """Turn a view's return value into a :attr:`response_class` instance.

        Accepted: ``str``/``bytes``, ``dict``/``list`` (JSON), a response, any
        WSGI callable, an iterator or generator (streamed), and the tuples
        ``(body, status)``, ``(body, headers)``, ``(body, status, headers)``.
        """
        response_class = self.response_class
        if type(rv) is str:  # the common case, first
            return response_class(rv)
        status = headers = None
        if isinstance(rv, tuple):
            length = len(rv)
            if length == 3:
                rv, status, headers = rv
            elif length == 2:
                if isinstance(rv[1], (Headers, dict, tuple, list)):
                    rv, headers = rv
                else:
                    rv, status = rv
            else:
                raise TypeError(
                    "The view function did not return a valid response tuple. The tuple"
                    " must have the form (body, status, headers), (body, status), or"
                    " (body, headers)."
                )
        if rv is None:
            raise TypeError(
                "The view function for %r did not return a valid response. The function"
                " either returned None or ended without a return statement."
                % request.endpoint
            )
        if not isinstance(rv, response_class):
            if isinstance(rv, (str, bytes, bytearray)) or isinstance(rv, cabc.Iterator):
                rv = response_class(rv, status=status, headers=headers)
                status = headers = None
            elif isinstance(rv, (dict, list)):
                rv = self.json.response(rv)
            elif isinstance(rv, Response) or callable(rv):
                try:
                    rv = response_class.force_type(rv, request.environ)
                except TypeError as e:
                    raise TypeError(
                        "%s\nThe view function did not return a valid response. The return"
                        " type must be a string, dict, list, tuple with headers or status,"
                        " Response instance, or WSGI callable, but it was a %s."
                        % (e, type(rv).__name__)
                    ).with_traceback(sys.exc_info()[2]) from None
            else:
                raise TypeError(
                    "The view function did not return a valid response. The return type"
                    " must be a string, dict, list, tuple with headers or status, Response"
                    " instance, or WSGI callable, but it was a %s." % type(rv).__name__
                )
        if status is not None:
            if isinstance(status, (str, bytes, bytearray)):
                rv.status = status if isinstance(status, str) else status.decode("latin-1")
            else:
                rv.status_code = status
        if headers:
            rv.headers.update(headers)
        return rv

    def process_response(self, response: Response) -> Response:
        """Run ``after_this_request`` and ``after_request`` functions, then save the session."""
        ctx = _cv_request.get()
        for func in ctx._after_request_functions:
            response = self.ensure_sync(func)(response)
        after = self.after_request_funcs
        if after:
            for name in chain(ctx.request.blueprints, (None,)):
                if name in after:
                    for func in reversed(after[name]):
                        response = self.ensure_sync(func)(response)
        if self._unopened_session_needs_no_saving(ctx):
            return response
        interface = self.session_interface
        session = ctx._load_session()
        if not interface.is_null_session(session):
            interface.save_session(self, session, response)
        return response

    def _unopened_session_needs_no_saving(self, ctx: RequestContext) -> bool:
        """Fast path: True when opening and saving the session would change nothing.

        Flask opens the session for every request and saves it after.
        Invariant: the interface this app made for itself (the built-in
        signed-cookie one, not replaced), handed a session that nothing
        opened -- so nothing read or changed it -- writes a cookie only to
        refresh a permanent session, and only when the request brought the
        session cookie and ``SESSION_REFRESH_EACH_REQUEST`` is on.  Without
        such a cookie both calls are skipped.  Any other interface, or an
        opened session, takes the general path.
        """
        if ctx._session is not None:
            return False
        if self.session_interface is not self._own_session_interface:
            return False
        cookie = ctx.request.environ.get("HTTP_COOKIE")
        config = self.config
        return not (
            cookie
            and config["SESSION_REFRESH_EACH_REQUEST"]
            and config["SESSION_COOKIE_NAME"] in cookie
        )

    def do_teardown_request(self, exc: BaseException | None = None) -> None:
        """Run ``teardown_request`` functions (last registered first)."""
        teardown = self.teardown_request_funcs
        if teardown:
            ctx = _cv_request.get(None)
            blueprints = ctx.request.blueprints if ctx is not None else ()
            for name in chain(blueprints, (None,)):
                if name in teardown:
                    for func in reversed(teardown[name]):
                        self.ensure_sync(func)(exc)
        if signals.request_tearing_down.receivers:
            signals.request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = None) -> None:
        """Run ``teardown_appcontext`` functions (last registered first)."""
        funcs = self.teardown_appcontext_funcs
        if funcs:
            for func in reversed(funcs):
                self.ensure_sync(func)(exc)
        if signals.appcontext_tearing_down.receivers:
            signals.appcontext_tearing_down.send(
                self, _async_wrapper=self.ensure_sync, exc=exc
            )

    # -- errors ---------------------------------------------------------------------

    def _find_error_handler(self, e: BaseException, blueprints: list[str]) -> t.Callable | None:
        """The most specific handler: blueprint before app, code before class, by MRO."""
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        spec = self.error_handler_spec
        for c in (code, None) if code is not None else (None,):
            for name in names:
                if name not in spec:
                    continue
                handler_map = spec[name].get(c)
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        return handler
        return None

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether an HTTP error should propagate like any other exception."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        if trap_bad_request:
            return isinstance(e, BadRequest)
        return False

    def handle_http_exception(self, e: HTTPException) -> t.Any:
        """The registered handler's result for an HTTP error, or the error itself."""
        if e.code is None:
            return e
        # Redirects raised by routing are answers, not errors.
        if isinstance(e, RoutingException):
            return e
        ctx = _cv_request.get(None)
        blueprints = ctx.request.blueprints if ctx is not None else []
        handler = self._find_error_handler(e, blueprints)
        if handler is None:
            return e
        return self.ensure_sync(handler)(e)

    def handle_user_exception(self, e: Exception) -> t.Any:
        """Handle an exception raised by a hook or view; re-raise when nothing handles it."""
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        ctx = _cv_request.get(None)
        blueprints = ctx.request.blueprints if ctx is not None else []
        handler = self._find_error_handler(e, blueprints)
        if handler is None:
            raise  # noqa: PLE0704 - always called while ``e`` is being handled
        return self.ensure_sync(handler)(e)

    def handle_exception(self, e: Exception) -> Response:
        """An unhandled exception: propagate it (testing/debug) or answer 500."""
        exc_info = sys.exc_info()
        if signals.got_request_exception.receivers:
            signals.got_request_exception.send(
                self, _async_wrapper=self.ensure_sync, exception=e
            )
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing or self.debug
        if propagate:
            if exc_info[1] is e:
                raise  # noqa: PLE0704 - always called while ``e`` is being handled
            raise e
        self.log_exception(exc_info)
        server_error: t.Any = InternalServerError(original_exception=e)
        ctx = _cv_request.get(None)
        blueprints = ctx.request.blueprints if ctx is not None else []
        handler = self._find_error_handler(server_error, blueprints)
        if handler is not None:
            server_error = self.ensure_sync(handler)(server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(self, exc_info: t.Any) -> None:
        """Log an unhandled exception once, with its traceback."""
        self.logger.error(
            "Exception on %s [%s]" % (request.path, request.method), exc_info=exc_info
        )

    # -- contexts ---------------------------------------------------------------------

    def app_context(self) -> AppContext:
        """A new application context: ``with app.app_context(): ...``."""
        return AppContext(self)

    def request_context(self, environ: dict) -> RequestContext:
        """A request context for a WSGI environ."""
        ctx = RequestContext(self, environ)
        return ctx

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """A request context for a made-up request (the test client's arguments)."""
        # The test tools are imported on first use (import speed): serving never needs them.
        from microflask.testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> t.Any:
        """A test client for this app (:class:`microflask.testing.FlaskClient`)."""
        cls = self.test_client_class
        if cls is None:
            # Imported on first use (import speed): serving never needs it.
            from microflask.testing import FlaskClient as cls  # type: ignore[no-redef]
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> t.Any:
        """A runner for the app's CLI commands (:class:`microflask.testing.FlaskCliRunner`)."""
        cls = self.test_cli_runner_class
        if cls is None:
            # Imported on first use (import speed): serving never needs it.
            from microflask.testing import FlaskCliRunner as cls  # type: ignore[no-redef]
        return cls(self, **kwargs)

    # -- serving --------------------------------------------------------------------------

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with the development server (not for production)."""
        # The development server is layer 5 (wsgiref, http.server): imported on first use.
        from microflask.serving import run_app

        run_app(self, host=host, port=port, debug=debug, load_dotenv=load_dotenv, **options)

    def wsgi_app(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        """The WSGI application: one request's whole life.

        1. Push a request context (and an app context): ``request``, ``g``
           and ``session`` now point at this request; the URL is matched.
        2. ``full_dispatch_request`` runs the ``before_request`` hooks, the
           view and the ``after_request`` hooks, turning what the view
           returned (or the HTTP error it raised) into a response.
        3. Any other exception becomes a 500 through ``handle_exception``
           (or propagates, when testing or debugging).
        4. The response, itself a WSGI app, is called to start sending.
        5. The context is popped whatever happened: teardown functions run
           and see the exception, if there was one.

        An app that runs nothing around its views takes the same steps
        without the empty ones: see :meth:`_serve_straight`.
        """
        if self._runs_nothing_around_views(environ):
            return self._serve_straight(environ, start_response)
        ctx = self.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except:  # noqa: E722 - record even KeyboardInterrupt for teardown, then re-raise
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            if "werkzeug.debug.preserve_context" in environ:
                environ["werkzeug.debug.preserve_context"](_cv_app.get())
                environ["werkzeug.debug.preserve_context"](_cv_request.get())
            if error is not None and self.should_ignore_error(error):
                error = None
            ctx.pop(error)

    def _runs_nothing_around_views(self, environ: dict) -> bool:
        """Whether this request may take :meth:`_serve_straight`.

        True when no ``before_request``, ``after_request``,
        ``url_value_preprocessor``, ``teardown_request`` or
        ``teardown_appcontext`` function is registered, no receiver listens
        to the signals a request sends on its way, the class keeps Flask's
        request-path methods (:attr:`_keeps_flask_request_path`), and no test
        client asks to keep the contexts (``preserve_context``).  Read on
        every request, so a hook or receiver added at any time counts.
        """
        return (
            self._keeps_flask_request_path
            and not (
                self.before_request_funcs
                or self.url_value_preprocessors
                or self.after_request_funcs
                or self.teardown_request_funcs
                or self.teardown_appcontext_funcs
                or signals.request_started.receivers
                or signals.request_finished.receivers
                or signals.request_tearing_down.receivers
                or signals.appcontext_pushed.receivers
                or signals.appcontext_tearing_down.receivers
                or signals.appcontext_popped.receivers
                or "werkzeug.debug.preserve_context" in environ
            )
        )

    def _serve_straight(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        """Fast path: :meth:`wsgi_app` with the steps that would do nothing left out.

        Invariant: when :meth:`_runs_nothing_around_views` holds, the
        general path's hooks, signals and teardown functions are all empty,
        so one request is: make the request context, push it (joining an
        app context of this app already pushed, else pushing a new one),
        match the URL, call the view (its errors going to
        :meth:`handle_user_exception`), make the response and let
        :meth:`process_response` run ``after_this_request`` functions and
        save the session, anything else going to :meth:`handle_exception`;
        then start the response, close the request and reset the context
        variables.  That is what this does, in one frame; every step that
        can do something is the general path's own method.  A view's text
        that nothing else would see as a response object is sent without
        one (:meth:`_text_needs_no_response_object`).
        """
        ctx = RequestContext(self, environ)
        request = ctx.request
        app_ctx = _cv_app.get(None)
        if app_ctx is not None and app_ctx.app is self:
            app_ctx = None  # join it, as RequestContext.push does
        else:
            app_ctx = AppContext(self)
            app_ctx._cv_tokens.append(_cv_app.set(app_ctx))
        request_token = _cv_request.set(ctx)
        ctx._cv_tokens.append((request_token, app_ctx))
        try:
            try:
                if request.routing_exception is None:
                    ctx.match_request()
                self._got_first_request = True
                try:
                    rv = self.dispatch_request()
                except Exception as e:
                    rv = self.handle_user_exception(e)
                if type(rv) is str and self._text_needs_no_response_object(ctx):
                    # Encoded here, so text UTF-8 cannot encode is a 500 as usual.
                    body = rv.encode("utf-8")
                    response = partial(self.response_class._send_text_without_object, body)
                else:
                    response = self.process_response(self.make_response(rv))
            except Exception as e:
                response = self.handle_exception(e)
            return response(environ, start_response)
        finally:
            try:
                request.close()
                if ctx._event_loop is not None:
                    ctx._event_loop.close()
                    ctx._event_loop = None
            finally:
                ctx._cv_tokens.pop()
                _cv_request.reset(request_token)
                environ["werkzeug.request"] = None
                if app_ctx is not None:
                    _cv_app.reset(app_ctx._cv_tokens.pop())

    def _text_needs_no_response_object(self, ctx: RequestContext) -> bool:
        """Fast path gate: whether a view's ``str`` may go out through
        ``response_class._send_text_without_object`` on the straight path.

        Invariant: on the straight path no ``after_request`` function runs,
        so when the class keeps Flask's :meth:`make_response` and
        :meth:`process_response`, no ``after_this_request`` function waits,
        the session needs no saving (:meth:`_unopened_session_needs_no_saving`)
        and the response class sends text as the toolkit's does, nothing
        would see or change the response object: sending the text directly
        sends the same bytes (``tests/test_straight_path.py`` compares the
        two; +44% on a hello request).
        """
        response_class = self.response_class
        return (
            self._keeps_flask_response_steps
            # getattr: a response class of another family takes the general path.
            and getattr(response_class, "_sends_text_as_base_does", False)
            and response_class.default_status == 200
            and response_class.automatically_set_content_length
            and not ctx._after_request_functions
            and self._unopened_session_needs_no_saving(ctx)
        )

    def __call__(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        """Servers call this; it delegates to :meth:`wsgi_app` so middleware can wrap that."""
        return self.wsgi_app(environ, start_response)


def _debug_from_environment() -> bool:
    value = os.environ.get("FLASK_DEBUG")
    if not value:
        return False
    return value.lower() not in {"0", "false", "no"}



# Flask splits the app into a sans-IO base class, ``flask.sansio.app.App``,
# and ``Flask``; here they are one class, reachable under both names.
App = Flask
