"""The ``microflask`` command and app CLI commands (``flask.cli``).

``microflask --app hello run`` finds and loads an app, then runs one of
its commands: the built-in ``run``, ``serve``, ``routes``, ``shell`` and
``bundle``, or the app's own, declared as in Flask::

    @app.cli.command("greet")
    @microflask.cli.option("--count", "-c", type=int, default=1)
    @microflask.cli.argument("name")
    def greet(name, count):
        microflask.cli.echo("hello " * count + name)

Flask builds on Click.  Click's part here is :mod:`microflask._clicklike`, a
Click-compatible toolkit on the standard library; this module re-exports all
of it, so ``click.X`` becomes ``microflask.cli.X``.  Commands, groups and
options made with the real ``click`` (as Flask extensions make them) work
too, wherever a Flask user puts them, and are run by Click itself; Click is
never imported here first (see :mod:`microflask._clicklike`).

This module is Flask's part: app discovery (``--app``, ``FLASK_APP``,
``wsgi.py``/``app.py``), ``.env`` files, :class:`ScriptInfo`,
:func:`with_appcontext`, :class:`AppGroup`, :class:`FlaskGroup` and the
built-in commands.  Nothing here is imported by ``import microflask`` until
an app touches ``app.cli``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import os
import re
import sys
import typing as t

from microflask._clicklike import (
    Abort,
    Argument,
    argument,
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    BOOL,
    BoolParamType,
    Choice,
    ClickException,
    CliContext,
    CliRunner,
    Command,
    command,
    confirm,
    confirmation_option,
    Context,
    convert_type,
    DateTime,
    echo,
    Exit,
    File,
    FileError,
    FileParamType,
    FLOAT,
    FloatParamType,
    FloatRange,
    FuncParamType,
    get_current_context,
    Group,
    group,
    help_option,
    INT,
    IntParamType,
    IntRange,
    LazyFile,
    make_pass_decorator,
    MissingParameter,
    NoSuchCommand,
    NoSuchOption,
    Option,
    option,
    Parameter,
    ParameterSource,
    ParamType,
    pass_cli_context,
    pass_context,
    pass_obj,
    password_option,
    Path,
    prompt,
    Result,
    secho,
    STRING,
    StringParamType,
    style,
    Tuple,
    TupleParamType,
    UNPROCESSED,
    UnprocessedParamType,
    unstyle,
    UsageError,
    UUID,
    UUIDParameterType,
    version_option,
)
from microflask._dotenv import load_dotenv as load_dotenv
from microflask.helpers import get_debug_flag, get_load_dotenv

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.app import Flask

# Flask's names, then every name of the Click-compatible toolkit (re-exported).
__all__ = [
    "AppGroup",
    "bundle_command",
    "CertParamType",
    "find_app_by_string",
    "find_best_app",
    "FlaskCliRunner",
    "FlaskGroup",
    "get_version",
    "load_dotenv",
    "locate_app",
    "main",
    "MicroflaskGroup",
    "NoAppException",
    "pass_script_info",
    "prepare_import",
    "register_builtin_command",
    "routes_command",
    "run_cli_main",
    "run_command",
    "ScriptInfo",
    "SeparatedPathType",
    "serve_command",
    "shell_command",
    "show_server_banner",
    "Abort",
    "Argument",
    "argument",
    "BadArgumentUsage",
    "BadOptionUsage",
    "BadParameter",
    "BOOL",
    "BoolParamType",
    "Choice",
    "ClickException",
    "CliContext",
    "CliRunner",
    "Command",
    "command",
    "confirm",
    "confirmation_option",
    "Context",
    "convert_type",
    "DateTime",
    "echo",
    "Exit",
    "File",
    "FileError",
    "FileParamType",
    "FLOAT",
    "FloatParamType",
    "FloatRange",
    "FuncParamType",
    "get_current_context",
    "Group",
    "group",
    "help_option",
    "INT",
    "IntParamType",
    "IntRange",
    "LazyFile",
    "make_pass_decorator",
    "MissingParameter",
    "NoSuchCommand",
    "NoSuchOption",
    "Option",
    "option",
    "Parameter",
    "ParameterSource",
    "ParamType",
    "pass_cli_context",
    "pass_context",
    "pass_obj",
    "password_option",
    "Path",
    "prompt",
    "Result",
    "secho",
    "STRING",
    "StringParamType",
    "style",
    "Tuple",
    "TupleParamType",
    "UNPROCESSED",
    "UnprocessedParamType",
    "unstyle",
    "UsageError",
    "UUID",
    "UUIDParameterType",
    "version_option",
]


class NoAppException(UsageError):
    """No app could be found or loaded."""


# -- finding and loading the app -----------------------------------------------------------------


def _flask_class() -> type:
    from microflask.app import Flask

    return Flask


def _called_with_wrong_args(f: t.Callable) -> bool:
    """Whether the TypeError being handled came from calling ``f`` itself."""
    tb = sys.exc_info()[2]
    try:
        while tb is not None:
            if tb.tb_frame.f_code is getattr(f, "__code__", None):
                return False  # raised inside f: a real error
            tb = tb.tb_next
        return True
    finally:
        del tb


def find_best_app(module: t.Any) -> Flask:
    """The app in ``module``: ``app``/``application``, the only Flask instance, or a
    factory's result."""
    flask_class = _flask_class()
    for attr_name in ("app", "application"):
        app = getattr(module, attr_name, None)
        if isinstance(app, flask_class):
            return app
    matches = [v for v in module.__dict__.values() if isinstance(v, flask_class)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NoAppException(
            "Detected multiple Flask applications in module '%s'. Use '%s:name' to specify"
            " the correct one." % (module.__name__, module.__name__)
        )
    for attr_name in ("create_app", "make_app"):
        app_factory = getattr(module, attr_name, None)
        if inspect.isfunction(app_factory):
            try:
                app = app_factory()
                if isinstance(app, flask_class):
                    return app
            except TypeError as e:
                if not _called_with_wrong_args(app_factory):
                    raise
                raise NoAppException(
                    "Detected factory '%s' in module '%s', but could not call it without"
                    " arguments. Use '%s:%s(args)' to specify arguments."
                    % (attr_name, module.__name__, module.__name__, attr_name)
                ) from e
    raise NoAppException(
        "Failed to find Flask application or factory in module '%s'. Use '%s:name' to"
        " specify one." % (module.__name__, module.__name__)
    )


def find_app_by_string(module: t.Any, app_name: str) -> Flask:
    """The app named by ``app_name`` in ``module``: ``name`` or ``factory(literal args)``."""
    flask_class = _flask_class()
    try:
        expr = ast.parse(app_name.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(
            "Failed to parse %r as an attribute name or function call." % app_name
        ) from None
    if isinstance(expr, ast.Name):
        name = expr.id
        args: list[t.Any] = []
        kwargs: dict[str, t.Any] = {}
    elif isinstance(expr, ast.Call):
        if not isinstance(expr.func, ast.Name):
            raise NoAppException("Function reference must be a simple name: %r." % app_name)
        name = expr.func.id
        try:
            args = [ast.literal_eval(arg) for arg in expr.args]
            kwargs = {
                kw.arg: ast.literal_eval(kw.value) for kw in expr.keywords if kw.arg is not None
            }
        except ValueError:
            raise NoAppException(
                "Failed to parse arguments as literal values: %r." % app_name
            ) from None
    else:
        raise NoAppException(
            "Failed to parse %r as an attribute name or function call." % app_name
        )
    try:
        attr = getattr(module, name)
    except AttributeError as e:
        raise NoAppException("Failed to find attribute %r in %r." % (name, module.__name__)) from e
    if inspect.isfunction(attr):
        try:
            app = attr(*args, **kwargs)
        except TypeError as e:
            if not _called_with_wrong_args(attr):
                raise
            raise NoAppException(
                "The factory %r in module %r could not be called with the specified"
                " arguments." % (app_name, module.__name__)
            ) from e
    else:
        app = attr
    if isinstance(app, flask_class):
        return app
    raise NoAppException(
        "A valid Flask application was not obtained from '%s:%s'." % (module.__name__, app_name)
    )


def prepare_import(path: str) -> str:
    """The module name to import for a file or package path; its root goes on ``sys.path``."""
    path = os.path.realpath(path)
    base, ext = os.path.splitext(path)
    if ext == ".py":
        path = base
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    module_name = []
    # Climb while the directory is a package, so "pkg/sub/mod.py" imports as pkg.sub.mod.
    while True:
        path, name = os.path.split(path)
        module_name.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return ".".join(reversed(module_name))


def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> Flask | None:
    """Import ``module_name`` and find the app in it (by ``app_name`` or by discovery)."""
    try:
        __import__(module_name)
    except ImportError:
        # An ImportError from inside the module is the app's bug: show where it came from.
        tb = sys.exc_info()[2]
        if tb is not None and tb.tb_next is not None:
            import traceback

            raise NoAppException(
                "While importing %r, an ImportError was raised:\n\n%s"
                % (module_name, traceback.format_exc())
            ) from None
        if raise_if_not_found:
            raise NoAppException("Could not import %r." % module_name) from None
        return None
    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


class ScriptInfo:
    """What the CLI knows about the app to load: an import path or a factory."""

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., t.Any] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.data: dict[t.Any, t.Any] = {}
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self._loaded_app: t.Any = None

    def load_app(self) -> Flask:
        """Load (once) and return the app; :class:`NoAppException` if there is none."""
        if self._loaded_app is not None:
            return self._loaded_app
        app = None
        if self.create_app is not None:
            app = self.create_app()
        elif self.app_import_path:
            # "module:name" — but not the colon of a Windows drive ("C:\\...").
            path, _, name = _split_import_path(self.app_import_path)
            import_name = prepare_import(path)
            app = locate_app(import_name, name or None)
        else:
            for path in ("wsgi.py", "app.py"):
                import_name = prepare_import(path)
                app = locate_app(import_name, None, raise_if_not_found=False)
                if app is not None:
                    break
        if app is None:
            raise NoAppException(
                "Could not locate a Flask application. Use the 'microflask --app' option,"
                " 'FLASK_APP' environment variable, or a 'wsgi.py' or 'app.py' file in the"
                " current directory."
            )
        if self.set_debug_flag:
            app.debug = get_debug_flag()
        self._loaded_app = app
        return app


def _split_import_path(import_path: str) -> tuple[str, str, str]:
    match = re.match(r"^(.*?):(?![\\/])(.*)$", import_path, re.S)
    if match is None:
        return import_path, "", ""
    return match.group(1), ":", match.group(2)


# Pass the :class:`ScriptInfo` (made if there is none) as the first argument.
pass_script_info = make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: t.Callable) -> t.Callable:
    """Run the command inside the app's application context, loading the app if needed.

    The app comes from the :class:`ScriptInfo` of the current context, ours
    or Click's, so this works on commands made with the real ``click`` too.
    The app context stays pushed until the command's context closes.
    """

    @functools.wraps(f)
    def in_app_context(*args: t.Any, **kwargs: t.Any) -> t.Any:
        from microflask.ctx import has_app_context

        ctx = get_current_context()
        if not has_app_context():
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return in_app_context


class AppGroup(Group):
    """A group whose commands run in the app context unless ``with_appcontext=False``."""

    def command(self, *args: t.Any, **kwargs: t.Any) -> t.Callable:
        wrap_for_ctx = kwargs.pop("with_appcontext", True)

        def decorator(f: t.Callable) -> Command:
            if wrap_for_ctx:
                f = with_appcontext(f)
            return Group.command(self, *args, **kwargs)(f)  # type: ignore[no-any-return]

        if args and callable(args[0]):
            f, args = args[0], args[1:]
            return decorator(f)
        return decorator

    def group(self, *args: t.Any, **kwargs: t.Any) -> t.Callable:
        kwargs.setdefault("cls", AppGroup)
        return Group.group(self, *args, **kwargs)


# -- the built-in commands ------------------------------------------------------------------------


def show_server_banner(debug: bool | None, app_import_path: str | None) -> None:
    """Print which app is served and whether debug mode is on (not in the reloader's child)."""
    from microflask.serving import is_running_from_reloader

    if is_running_from_reloader():
        return
    if app_import_path is not None:
        echo(" * Serving Flask app '%s'" % app_import_path)
    if debug is not None:
        echo(" * Debug mode: %s" % ("on" if debug else "off"))


def _app_that_raises(error: BaseException) -> t.Callable:
    def app_failed_to_load(environ: dict, start_response: t.Callable) -> t.Any:
        raise error from None

    return app_failed_to_load


class CertParamType(ParamType):
    """``--cert``: a certificate file, ``"adhoc"``, or the import name of an ``ssl.SSLContext``."""

    name = "path"

    def __init__(self) -> None:
        self.path_type = Path(exists=True, dir_okay=False, resolve_path=True)

    def convert(self, value: t.Any, param: t.Any, ctx: t.Any) -> t.Any:
        try:
            import ssl
        except ImportError:
            raise BadParameter(
                'Using "--cert" requires Python to be compiled with SSL support.', ctx, param
            ) from None
        try:
            return self.path_type(value, param, ctx)
        except BadParameter:
            text = str(value).lower()
        if text == "adhoc":
            try:
                import cryptography  # noqa: F401
            except ImportError:
                raise BadParameter(
                    "Using ad-hoc certificates requires the cryptography library.", ctx, param
                ) from None
            return text
        from microflask.utils import import_string

        found = import_string(str(value), silent=True)
        if isinstance(found, ssl.SSLContext):
            return found
        self.fail(
            "Could not load certificate %r: not a file, 'adhoc', or the import"
            " name of an SSLContext." % value,
            param,
            ctx,
        )


def _validate_run_key(ctx: CliContext, param: Parameter, value: t.Any) -> t.Any:
    # ``--key`` only makes sense with a certificate file; it is folded into
    # ``cert`` as the ``(cert, key)`` pair ``run_simple`` takes.
    cert = ctx.params.get("cert")
    is_adhoc = cert == "adhoc"
    ssl = sys.modules.get("ssl")  # only set when --cert loaded it
    is_context = ssl is not None and isinstance(cert, ssl.SSLContext)
    if value is not None:
        if is_adhoc:
            raise BadParameter('When "--cert" is "adhoc", "--key" is not used.', ctx, param)
        if is_context:
            raise BadParameter(
                'When "--cert" is an SSLContext object, "--key" is not used.', ctx, param
            )
        if not cert:
            raise BadParameter('"--cert" must also be specified.', ctx, param)
        ctx.params["cert"] = (cert, value)
    elif cert and not (is_adhoc or is_context):
        raise BadParameter('Required when using "--cert".', ctx, param)
    return value


class SeparatedPathType(Path):
    """Several paths in one value, separated by ``os.pathsep``; gives a list."""

    def convert(self, value: t.Any, param: t.Any, ctx: t.Any) -> t.Any:
        items = self.split_envvar_value(value)
        return [Path.convert(self, item, param, ctx) for item in items]


def _debug_option_callback(ctx: CliContext, param: Parameter, value: t.Any) -> t.Any:
    # Not given: leave debug to FLASK_DEBUG.  Given: set FLASK_DEBUG, so an app
    # factory sees it too, before the app exists.
    if ctx.get_parameter_source(param.name) in (
        ParameterSource.DEFAULT,
        ParameterSource.DEFAULT_MAP,
    ):
        return None
    os.environ["FLASK_DEBUG"] = "1" if value else "0"
    return value


# ``microflask --debug run`` and ``microflask run --debug`` both work, as in Flask.
_debug_option = Option(
    ["--debug/--no-debug"],
    help="Set debug mode.",
    expose_value=False,
    callback=_debug_option_callback,
)


@command("run", short_help="Run a development server.")
# Click's auto_envvar_prefix gives Flask's run options FLASK_RUN_* variables; so do we.
@option(
    "--host", "-h", default="127.0.0.1", help="The interface to bind to.", envvar="FLASK_RUN_HOST"
)
@option(
    "--port", "-p", default=5000, type=int, help="The port to bind to.", envvar="FLASK_RUN_PORT"
)
@option(
    "--cert",
    type=CertParamType(),
    help="Specify a certificate file to use HTTPS.",
    is_eager=True,
    envvar="FLASK_RUN_CERT",
)
@option(
    "--key",
    type=Path(exists=True, dir_okay=False, resolve_path=True),
    callback=_validate_run_key,
    expose_value=False,
    help="The key file to use when specifying a certificate.",
    envvar="FLASK_RUN_KEY",
)
@option(
    "--reload/--no-reload",
    default=None,
    envvar="FLASK_RUN_RELOAD",
    help="Enable or disable the reloader. By default the reloader is active if debug is enabled.",
)
@option(
    "--debugger/--no-debugger",
    default=None,
    envvar="FLASK_RUN_DEBUGGER",
    help="Enable or disable the debugger. By default the debugger is active if debug is enabled.",
)
@option(
    "--with-threads/--without-threads",
    default=True,
    help="Enable or disable multithreading.",
    envvar="FLASK_RUN_WITH_THREADS",
)
@option(
    "--extra-files",
    default=None,
    type=SeparatedPathType(),
    envvar="FLASK_RUN_EXTRA_FILES",
    help="Extra files that trigger a reload on change. Multiple paths are separated by %r."
    % os.pathsep,
)
@option(
    "--exclude-patterns",
    default=None,
    type=SeparatedPathType(),
    envvar="FLASK_RUN_EXCLUDE_PATTERNS",
    help="Files matching these fnmatch patterns will not trigger a reload on change."
    " Multiple patterns are separated by %r." % os.pathsep,
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    cert: t.Any,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Run a local development server.

    This server is for development purposes only. It does not provide
    the stability, security, or performance of production WSGI servers.

    The reloader and debugger are enabled by default with the '--debug'
    option.
    """
    from microflask.serving import is_running_from_reloader, run_simple

    # ``cert`` is a path, "adhoc", an SSLContext or (cert, key): see _validate_run_key.
    ssl_context: t.Any = cert
    extra = list(extra_files or ())
    try:
        app: t.Any = info.load_app()
    except Exception as e:
        if not is_running_from_reloader():
            raise
        # In the reloader's child: show the error, serve it as a 500, and watch
        # the broken file (a SyntaxError names it) so saving a fix restarts us.
        import traceback

        traceback.print_exc()
        broken_file = getattr(e, "filename", None)
        if broken_file:
            extra.append(broken_file)
        app = _app_that_raises(e)

    debug = get_debug_flag()
    if reload is None:
        reload = debug
    if debugger is None:
        debugger = debug
    show_server_banner(debug, info.app_import_path)
    run_simple(
        host,
        port,
        app,
        use_reloader=bool(reload),
        use_debugger=bool(debugger),
        threaded=with_threads,
        ssl_context=ssl_context,
        extra_files=extra,
        exclude_patterns=exclude_patterns,
    )


run_command.params.insert(0, _debug_option)


@command("serve", short_help="Serve the app in production with the built-in server.")
@option(
    "--host",
    "-h",
    default="127.0.0.1",
    help="The interface to bind to.",
    envvar="MICROFLASK_SERVE_HOST",
)
@option(
    "--port",
    "-p",
    default=8000,
    type=int,
    help="The port to bind to.",
    envvar="MICROFLASK_SERVE_PORT",
)
@option(
    "--threads",
    "-t",
    default=8,
    type=IntRange(min=1),
    help="Worker threads answering requests (per process).",
    envvar="MICROFLASK_SERVE_THREADS",
)
@option(
    "--processes",
    default=1,
    type=IntRange(min=1),
    help="Worker processes sharing the port (POSIX only).",
    envvar="MICROFLASK_SERVE_PROCESSES",
)
@option(
    "--cert",
    type=CertParamType(),
    help="Specify a certificate file to use HTTPS.",
    is_eager=True,
)
@option(
    "--key",
    type=Path(exists=True, dir_okay=False, resolve_path=True),
    callback=_validate_run_key,
    expose_value=False,
    help="The key file to use when specifying a certificate.",
)
@option(
    "--access-log/--no-access-log",
    default=True,
    help="Log each request in the common log format (on by default).",
)
@option(
    "--shutdown-timeout",
    default=10.0,
    type=float,
    help="Seconds requests in progress may take to finish after SIGTERM.",
)
@pass_script_info
def serve_command(
    info: ScriptInfo,
    host: str,
    port: int,
    threads: int,
    processes: int,
    cert: t.Any,
    access_log: bool,
    shutdown_timeout: float,
) -> None:
    """Serve the app with microflask's built-in server, for production.

    The server needs nothing installed: a pool of worker threads, timeouts
    and limits against slow or hostile clients, an access log, and a
    graceful stop on SIGTERM. Put it behind a reverse proxy such as nginx
    and wrap the app in ProxyFix. There is no reloader and no debugger.
    """
    from microflask.serving import serve

    app: t.Any = info.load_app()
    if getattr(app, "debug", False):
        sys.stderr.write(" * Warning: debug mode is on; turn it off in production.\n")
    serve(
        app,
        host=host,
        port=port,
        threads=threads,
        processes=processes,
        ssl_context=cert,
        access_log=access_log,
        shutdown_timeout=shutdown_timeout,
    )


@command("shell", short_help="Run a shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run an interactive Python shell in the context of a given
    Flask application.  The application will populate the default
    namespace of this shell according to its configuration.

    This is useful for executing small snippets of management code
    without having to manually configure the application.
    """
    import code

    from microflask.globals import current_app

    banner = "Python %s on %s\nApp: %s\nInstance: %s" % (
        sys.version,
        sys.platform,
        current_app.import_name,
        current_app.instance_path,
    )
    namespace: dict[str, t.Any] = {}
    # The user's own PYTHONSTARTUP file, as the plain interpreter would run it.
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup) as f:
            exec(compile(f.read(), startup, "exec"), namespace)
    namespace.update(current_app.make_shell_context())
    interactive_hook = getattr(sys, "__interactivehook__", None)
    if interactive_hook is not None:
        try:
            import readline
            from rlcompleter import Completer
        except ImportError:
            pass
        else:
            readline.set_completer(Completer(namespace).complete)
        interactive_hook()
    code.interact(banner=banner, local=namespace)


@command("routes", short_help="Show the routes for the app.")
@option(
    "--sort",
    "-s",
    type=Choice(("endpoint", "methods", "domain", "rule", "match")),
    default="endpoint",
    help="Method to sort routes by. 'match' is the order that Flask will match routes"
    " when dispatching a request.",
)
@option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS methods.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Show all registered routes with endpoints and methods."""
    from microflask.globals import current_app

    rules = list(current_app.url_map.iter_rules())
    if not rules:
        echo("No routes were registered.")
        return
    ignored_methods = set() if all_methods else {"HEAD", "OPTIONS"}
    host_matching = getattr(current_app.url_map, "host_matching", False)
    has_domain = any((rule.host if host_matching else rule.subdomain) for rule in rules)
    rows = []
    for rule in rules:
        row = [rule.endpoint, ", ".join(sorted(set(rule.methods or ()) - ignored_methods))]
        if has_domain:
            row.append((rule.host if host_matching else rule.subdomain) or "")
        row.append(rule.rule)
        rows.append(row)
    headers = ["Endpoint", "Methods"]
    sorts = ["endpoint", "methods"]
    if has_domain:
        headers.append("Host" if host_matching else "Subdomain")
        sorts.append("domain")
    headers.append("Rule")
    sorts.append("rule")
    if sort in sorts:
        column = sorts.index(sort)
        rows.sort(key=lambda r: r[column])
    rows.insert(0, headers)
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    rows.insert(1, ["-" * w for w in widths])
    for row in rows:
        echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


# Built-in commands other than run/shell/routes, found lazily: name -> loader.
_builtin_command_loaders: dict[str, t.Callable[[], Command | None]] = {}


def register_builtin_command(name: str, loader: t.Callable[[], Command | None]) -> None:
    """Offer a command in every :class:`FlaskGroup`, made by ``loader()`` on first use."""
    _builtin_command_loaders[name] = loader


@command("bundle", short_help="Write microflask as one Python file.")
@option(
    "-o",
    "--output",
    metavar="FILE",
    default="-",
    show_default=True,
    help="Where to write the bundle; '-' is stdout.",
)
@option(
    "--profile",
    type=Choice(("full", "core")),
    default="full",
    show_default=True,
    metavar="NAME",
    help="full: every module; core: no CLI, server or dev tools.",
)
def bundle_command(output: str, profile: str) -> None:
    """Write microflask as one Python file.

    The file holds the package (all of it, or its core), module after module,
    comments and docstrings kept.  Put it beside a script and import it as
    microflask: nothing to install, no dependencies.
    """
    import importlib

    bundler = importlib.import_module("microflask.bundle")
    try:
        if output == "-":
            echo(bundler.build_bundle(profile=profile), nl=False)
            return
        line_count = bundler.write_bundle(output, profile=profile)
    except bundler.BundleError as e:
        raise ClickException(str(e)) from None
    echo("wrote %s (%d lines)" % (output, line_count), err=True)


def _load_bundle_command() -> Command | None:
    """``microflask bundle``, offered when :mod:`microflask.bundle` exists (not in the
    bundle itself)."""
    import importlib.util

    try:
        if importlib.util.find_spec("microflask.bundle") is None:
            return None
    except (ImportError, ValueError):
        return None
    return bundle_command


register_builtin_command("bundle", _load_bundle_command)


# -- the top-level group -------------------------------------------------------------------------


def _package_version_text() -> str:
    import platform

    from microflask import __version__

    return "Python %s\nmicroflask %s" % (platform.python_version(), __version__)


def get_version(ctx: CliContext, param: Parameter, value: t.Any) -> None:
    """``--version``: print the Python and microflask versions and exit."""
    if value and not getattr(ctx, "resilient_parsing", False):
        echo(_package_version_text(), color=ctx.color)
        ctx.exit()


def _app_option_callback(ctx: CliContext, param: Parameter, value: t.Any) -> t.Any:
    if value is None:
        return None
    info = ctx.ensure_object(ScriptInfo)
    info.app_import_path = value
    return value


def _env_file_option_callback(ctx: CliContext, param: Parameter, value: t.Any) -> t.Any:
    info = ctx.ensure_object(ScriptInfo)
    if value is None and not info.load_dotenv_defaults:
        return None
    load_dotenv(value, load_defaults=info.load_dotenv_defaults)
    return value


def _group_options() -> list[Parameter]:
    # Order matters: the env file is read first, so it can set FLASK_APP / FLASK_DEBUG.
    return [
        Option(
            ["-e", "--env-file"],
            type=Path(exists=True, dir_okay=False),
            help="Load environment variables from this file, taking precedence over those set"
            " by '.env' and '.flaskenv'. Variables set directly in the environment take"
            " highest precedence.",
            is_eager=True,
            expose_value=False,
            callback=_env_file_option_callback,
            metavar="FILE",
        ),
        Option(
            ["-A", "--app"],
            metavar="IMPORT",
            help="The Flask application or factory function to load, in the form"
            " 'module:name'. Module can be a dotted import or file path. Name is not"
            " required if it is 'app', 'application', 'create_app', or 'make_app', and can"
            " be 'name(args)' to pass arguments.",
            is_eager=True,
            expose_value=False,
            callback=_app_option_callback,
            envvar="FLASK_APP",
        ),
        _debug_option,
        Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=get_version,
            help="Show the Python and microflask versions and exit.",
        ),
    ]


class FlaskGroup(AppGroup):
    """The ``microflask`` command: global options, built-in commands and the app's commands.

    Use it for a custom management script: ``cli = FlaskGroup(create_app=create_app)``.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: t.Callable[..., t.Any] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        params = list(extra.pop("params", None) or ())
        for param in _group_options():
            if param.name == "version" and not add_version_option:
                continue
            params.append(param)
        if "help" not in extra:
            extra["help"] = (
                "A general utility script for Flask applications.\n\n"
                "An application to load must be given with the '--app' option, 'FLASK_APP'"
                " environment variable, or with a 'wsgi.py' or 'app.py' file in the current"
                " directory."
            )
        # As in Flask: every option can come from FLASK_<COMMAND>_<OPTION> (FLASK_RUN_PORT).
        extra["context_settings"] = dict(extra.get("context_settings") or {})
        extra["context_settings"].setdefault("auto_envvar_prefix", "FLASK")
        super().__init__(params=params, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            self.add_command(run_command)
            self.add_command(serve_command)
            self.add_command(shell_command)
            self.add_command(routes_command)
        self._add_builtin_commands = add_default_commands

    def _builtin_command(self, name: str) -> Command | None:
        if not self._add_builtin_commands:
            return None
        loader = _builtin_command_loaders.get(name)
        if loader is None:
            return None
        return loader()

    def get_command(self, ctx: CliContext, name: str) -> Command | None:
        found = super().get_command(ctx, name)
        if found is not None:
            return found
        builtin = self._builtin_command(name)
        if builtin is not None:
            return builtin
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as e:
            echo("Error: %s\n" % e.format_message(), err=True)
            return None
        # The app's context stays pushed while the command runs, so parameter
        # callbacks and the command itself see ``current_app``.
        from microflask.globals import _cv_app

        active = _cv_app.get(None)
        if active is None or active.app is not app:
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)

    def list_commands(self, ctx: CliContext) -> list[str]:
        names = set(super().list_commands(ctx))
        if self._add_builtin_commands:
            for name, loader in _builtin_command_loaders.items():
                try:
                    if loader() is not None:
                        names.add(name)
                except Exception:
                    continue
        try:
            names.update(ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx))
        except NoAppException as e:
            echo("Error: %s\n" % e.format_message(), err=True)
        except Exception:
            import traceback

            echo("%s\n" % traceback.format_exc(), err=True)
        return sorted(names)

    def prepare_context_extra(self, extra: dict[str, t.Any]) -> None:
        # Called before this group's context is made, by us or by Click (when
        # the group has Click options): app.run() inside the app's module must
        # not start a second server, and the context's obj is the ScriptInfo.
        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        if "obj" not in extra:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )

    def parse_args(self, ctx: CliContext, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help:
            # Read --env-file and --app from the environment first, so the help
            # shown for no arguments lists the app's commands too.
            for param in self.params:
                if isinstance(param, Option) and param.name in ("env_file", "app"):
                    param.handle_parse_result(ctx, {}, [])
        return super().parse_args(ctx, args)


MicroflaskGroup = FlaskGroup

cli = FlaskGroup(
    name="microflask",
    help="A general utility script for microflask (Flask-compatible) applications.\n\n"
    "An application to load must be given with the '--app' option, 'FLASK_APP'"
    " environment variable, or with a 'wsgi.py' or 'app.py' file in the current"
    " directory.",
)


def run_cli_main() -> None:
    """The ``microflask`` console script and ``python -m microflask`` (``main``)."""
    cli.main()


main = run_cli_main



# -- running commands in tests ---------------------------------------------------------------------


class FlaskCliRunner(CliRunner):
    """A :class:`CliRunner` for one app's commands (``app.test_cli_runner()``)."""

    def __init__(self, app: t.Any, **kwargs: t.Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: t.Any = None, args: t.Any = None, **kwargs: t.Any
    ) -> Result:
        """Run ``cli`` (default: ``app.cli``) with a ScriptInfo that loads this app."""
        if cli is None:
            cli = self.app.cli
            if cli.name is None:
                cli.name = self.app.name  # Flask names the app's group after the app
        if "obj" not in kwargs:
            kwargs["obj"] = ScriptInfo(create_app=lambda: self.app)
        return super().invoke(cli, args, **kwargs)
