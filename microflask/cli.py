"""The ``microflask`` command and app CLI commands (``flask.cli``, with Click's basics).

``microflask --app hello run`` finds and loads an app, then runs one of
its commands: the built-in ``run``, ``routes`` and ``shell``, or the
app's own, declared like Flask's with Click-style decorators::

    @app.cli.command("greet")
    @microflask.cli.option("--count", "-c", type=int, default=1)
    @microflask.cli.argument("name")
    def greet(name, count):
        microflask.cli.echo("hello " * count + name)

Flask builds on Click; this module carries the part of Click that app
commands use (``command``/``group``/``option``/``argument``, ``echo``,
contexts, ``CliRunner``), with Click's help layout and error messages, on
its own small parser.  Nothing here is imported by ``import microflask``
until an app touches ``app.cli``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import os
import re
import sys
import typing as t

from microflask._dotenv import load_dotenv as load_dotenv
from microflask.helpers import get_debug_flag, get_load_dotenv

__all__ = [
    "Abort",
    "AppGroup",
    "Argument",
    "BadParameter",
    "ClickException",
    "CliRunner",
    "Choice",
    "CliContext",
    "Command",
    "Context",
    "Exit",
    "FlaskCliRunner",
    "FlaskGroup",
    "FloatRange",
    "Group",
    "IntRange",
    "MicroflaskGroup",
    "NoAppException",
    "Option",
    "Parameter",
    "Path",
    "Result",
    "ScriptInfo",
    "CertParamType",
    "SeparatedPathType",
    "UsageError",
    "argument",
    "command",
    "confirmation_option",
    "confirm",
    "echo",
    "find_app_by_string",
    "find_best_app",
    "get_current_context",
    "group",
    "load_dotenv",
    "locate_app",
    "main",
    "option",
    "pass_cli_context",
    "pass_context",
    "pass_obj",
    "pass_script_info",
    "password_option",
    "prepare_import",
    "prompt",
    "register_builtin_command",
    "routes_command",
    "show_server_banner",
    "get_version",
    "run_cli_main",
    "run_command",
    "secho",
    "serve_command",
    "shell_command",
    "style",
    "version_option",
    "with_appcontext",
]


# -- errors ------------------------------------------------------------------------------------


class ClickException(Exception):
    """An error a command reports as ``Error: message`` before exiting with ``exit_code``."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def format_message(self) -> str:
        return self.message

    def __str__(self) -> str:
        return self.message

    def show(self, file: t.Any = None) -> None:
        echo("Error: %s" % self.format_message(), file=file, err=file is None)


class UsageError(ClickException):
    """The command line was wrong: the usage is shown and the exit code is 2."""

    exit_code = 2

    def __init__(self, message: str, ctx: CliContext | None = None) -> None:
        super().__init__(message)
        self.ctx = ctx

    def show(self, file: t.Any = None) -> None:
        ctx = self.ctx
        lines = []
        if ctx is not None:
            lines.append(ctx.get_usage())
            if ctx.command.add_help_option:
                lines.append("Try '%s --help' for help." % ctx.command_path)
            lines.append("")
        lines.append("Error: %s" % self.format_message())
        echo("\n".join(lines), file=file, err=file is None)


class BadParameter(UsageError):
    """A parameter's value could not be used."""

    def __init__(
        self,
        message: str,
        ctx: CliContext | None = None,
        param: Parameter | None = None,
        param_hint: str | None = None,
    ) -> None:
        super().__init__(message, ctx)
        self.param = param
        self.param_hint = param_hint

    def format_message(self) -> str:
        hint = self.param_hint
        if hint is None and self.param is not None:
            hint = self.param.error_hint()
        if hint is None:
            return "Invalid value: %s" % self.message
        return "Invalid value for %s: %s" % (hint, self.message)


class NoAppException(UsageError):
    """No app could be found or loaded."""


class Abort(RuntimeError):
    """Stop the command: ``Aborted!`` and exit code 1."""


class CliExit(RuntimeError):
    """``ctx.exit(code)``: leave the command with ``code`` and no message (Click's ``Exit``)."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.exit_code = code


Exit = CliExit


# -- output ------------------------------------------------------------------------------------

_ANSI_COLOURS = {
    "black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34,
    "magenta": 35, "cyan": 36, "white": 37, "reset": 39,
}  # fmt: skip
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


def _stream_is_colour_terminal(stream: t.Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def echo(
    message: t.Any = None,
    file: t.Any = None,
    nl: bool = True,
    err: bool = False,
    color: bool | None = None,
) -> None:
    """Print ``message`` (str, bytes or anything) to stdout, or stderr with ``err=True``.

    ANSI styles are removed when the stream is not a terminal, unless ``color`` is True.
    """
    if file is None:
        file = sys.stderr if err else sys.stdout
    if file is None:  # pythonw: no console
        return
    if message is not None and not isinstance(message, (str, bytes, bytearray)):
        message = str(message)
    if isinstance(message, (bytes, bytearray)):
        data = bytes(message) + (b"\n" if nl else b"")
        buffer = getattr(file, "buffer", None)
        file.flush()
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            file.write(data.decode("utf-8", "replace"))
        return
    text = message or ""
    if nl:
        text += "\n"
    if text and color is not True and not (color is None and _stream_is_colour_terminal(file)):
        text = _ANSI_RE.sub("", text)
    if text:
        file.write(text)
    file.flush()


def style(text: t.Any, fg: str | None = None, bg: str | None = None, bold: bool | None = None, reset: bool = True, **_ignored: t.Any) -> str:
    """``text`` wrapped in ANSI colour codes (Click's ``style``)."""
    codes = []
    if fg:
        codes.append(str(_ANSI_COLOURS.get(fg, 39)))
    if bg:
        codes.append(str(_ANSI_COLOURS.get(bg, 39) + 10))
    if bold:
        codes.append("1")
    prefix = "\x1b[%sm" % ";".join(codes) if codes else ""
    return "%s%s%s" % (prefix, text, "\x1b[0m" if reset and codes else "")


def secho(message: t.Any = None, file: t.Any = None, nl: bool = True, err: bool = False, color: bool | None = None, **styles: t.Any) -> None:
    """:func:`echo` a :func:`style`-d message."""
    if message is not None and not isinstance(message, (bytes, bytearray)):
        message = style(message, **styles)
    echo(message, file=file, nl=nl, err=err, color=color)


# While a CliRunner runs, prompts echo the answer they read, as a terminal would.
_cli_runner_state = {"echo_input": False}


def _read_prompt_line(hide_input: bool, err: bool) -> str:
    if hide_input and not _cli_runner_state["echo_input"]:
        import getpass

        return getpass.getpass("")
    line = sys.stdin.readline()
    if not line:
        raise Abort()
    value = line.rstrip("\r\n")
    if _cli_runner_state["echo_input"]:
        echo("" if hide_input else value, err=err)
    return value


def prompt(
    text: str,
    default: t.Any = None,
    hide_input: bool = False,
    confirmation_prompt: bool = False,
    type: t.Any = None,  # noqa: A002
    show_default: bool = True,
    err: bool = False,
    **_ignored: t.Any,
) -> t.Any:
    """Ask for a value on stdin until one converts to ``type`` (Click's ``prompt``)."""
    if type is None and default is not None:
        type = _type_of_default(default)  # noqa: A001
    suffix = " [%s]: " % default if default is not None and show_default else ": "
    while True:
        echo(text + suffix, nl=False, err=err)
        value = _read_prompt_line(hide_input, err)
        if not value and default is not None:
            value = default
        if value == "":
            continue
        try:
            result = _convert_with_type(type, value)
        except ValueError as e:
            echo("Error: %s" % e, err=err)
            continue
        if confirmation_prompt:
            echo("Repeat for confirmation: ", nl=False, err=err)
            if _read_prompt_line(hide_input, err) != value:
                echo("Error: The two entered values do not match.", err=err)
                continue
        return result


def confirm(text: str, default: bool | None = False, abort: bool = False, err: bool = False, **_ignored: t.Any) -> bool:
    """Ask a yes/no question on stdin (Click's ``confirm``); ``abort`` raises :class:`Abort` on no."""
    suffix = " [Y/n]: " if default else (" [y/N]: " if default is not None else " [y/n]: ")
    while True:
        echo(text + suffix, nl=False, err=err)
        answer = _read_prompt_line(False, err).strip().lower()
        if answer in ("y", "yes"):
            result = True
        elif answer in ("n", "no"):
            result = False
        elif answer == "" and default is not None:
            result = default
        else:
            echo("Error: invalid input", err=err)
            continue
        if abort and not result:
            raise Abort()
        return result


# -- parameter types ---------------------------------------------------------------------------


class Choice:
    """A value that must be one of ``choices``."""

    name = "choice"

    def __init__(self, choices: t.Sequence[str], case_sensitive: bool = True) -> None:
        self.choices = list(choices)
        self.case_sensitive = case_sensitive

    def metavar(self) -> str:
        return "[%s]" % "|".join(str(c) for c in self.choices)

    def __call__(self, value: t.Any) -> t.Any:
        for choice in self.choices:
            if value == choice or (not self.case_sensitive and str(value).lower() == str(choice).lower()):
                return choice
        options = ", ".join(repr(str(c)) for c in self.choices)
        raise ValueError("%r is not one of %s." % (value, options))


class Path:
    """A filesystem path, optionally required to exist (as a file and/or directory)."""

    name = "path"

    def __init__(
        self,
        exists: bool = False,
        file_okay: bool = True,
        dir_okay: bool = True,
        writable: bool = False,
        readable: bool = True,
        resolve_path: bool = False,
        allow_dash: bool = False,
        path_type: type | None = None,
        executable: bool = False,
    ) -> None:
        self.exists = exists
        self.file_okay = file_okay
        self.dir_okay = dir_okay
        self.resolve_path = resolve_path
        self.path_type = path_type

    def metavar(self) -> str:
        if self.file_okay and not self.dir_okay:
            return "FILE"
        if self.dir_okay and not self.file_okay:
            return "DIRECTORY"
        return "PATH"

    def __call__(self, value: t.Any) -> t.Any:
        value = os.fspath(value)
        if self.resolve_path:
            value = os.path.realpath(value)
        kind = "File" if self.file_okay and not self.dir_okay else (
            "Directory" if self.dir_okay and not self.file_okay else "Path"
        )
        if self.exists and not os.path.exists(value):
            raise ValueError("%s %r does not exist." % (kind, value))
        if os.path.exists(value):
            if not self.file_okay and os.path.isfile(value):
                raise ValueError("%s %r is a file." % (kind, value))
            if not self.dir_okay and os.path.isdir(value):
                raise ValueError("%s %r is a directory." % (kind, value))
        return self.path_type(value) if self.path_type is not None else value


class IntRange:
    """An integer within ``min``..``max`` (either may be None); ``clamp`` pulls it inside."""

    name = "integer range"
    number_type: type = int

    def __init__(
        self,
        min: float | None = None,  # noqa: A002
        max: float | None = None,  # noqa: A002
        min_open: bool = False,
        max_open: bool = False,
        clamp: bool = False,
    ) -> None:
        self.min = min
        self.max = max
        self.min_open = min_open
        self.max_open = max_open
        self.clamp = clamp

    def metavar(self) -> str:
        type_name = _TYPE_NAMES[self.number_type].upper()
        if self.min is None and self.max is None:
            return type_name
        return "%s RANGE" % type_name

    def _describe(self) -> str:
        if self.min is None:
            return "x%s%s" % ("<" if self.max_open else "<=", self.max)
        if self.max is None:
            return "x%s%s" % (">" if self.min_open else ">=", self.min)
        return "%s%sx%s%s" % (
            self.min, "<" if self.min_open else "<=", "<" if self.max_open else "<=", self.max
        )

    def __call__(self, value: t.Any) -> t.Any:
        number = _convert_with_type(self.number_type, value)
        below = self.min is not None and (number <= self.min if self.min_open else number < self.min)
        above = self.max is not None and (number >= self.max if self.max_open else number > self.max)
        if self.clamp:
            if below:
                return self.number_type(self.min)
            if above:
                return self.number_type(self.max)
        elif below or above:
            raise ValueError("%s is not in the range %s." % (number, self._describe()))
        return number


class FloatRange(IntRange):
    """A float within ``min``..``max``."""

    name = "float range"
    number_type = float


def _convert_bool(value: t.Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "on"):
        return True
    if text in ("0", "false", "f", "no", "n", "off"):
        return False
    raise ValueError("%r is not a valid boolean." % value)


_TYPE_NAMES = {int: "integer", float: "float", str: "text", bool: "boolean"}


def _convert_with_type(value_type: t.Any, value: t.Any) -> t.Any:
    """Convert one raw value; a ValueError carries Click's message."""
    if value_type is None or value_type is str:
        return value if isinstance(value, str) or value is None else str(value)
    if value_type is bool:
        return _convert_bool(value)
    if value_type in (int, float):
        try:
            return value_type(value)
        except (TypeError, ValueError):
            raise ValueError("%r is not a valid %s." % (value, _TYPE_NAMES[value_type])) from None
    if isinstance(value_type, tuple):
        return tuple(_convert_with_type(vt, v) for vt, v in zip(value_type, value))
    try:
        return value_type(value)
    except ValueError:
        raise
    except TypeError as e:
        raise ValueError(str(e)) from None


def _type_metavar(value_type: t.Any) -> str:
    if hasattr(value_type, "metavar"):
        return value_type.metavar()  # type: ignore[no-any-return]
    if value_type is None or value_type is str:
        return "TEXT"
    if value_type in _TYPE_NAMES:
        return _TYPE_NAMES[value_type].upper()
    return str(getattr(value_type, "name", getattr(value_type, "__name__", "VALUE"))).upper()


# -- parameters ----------------------------------------------------------------------------------

_NO_DEFAULT: t.Any = object()


class Parameter:
    """What options and arguments share: a name, a type, a default, a converter."""

    param_type_name = "parameter"

    def __init__(
        self,
        name: str | None,
        type: t.Any = None,  # noqa: A002
        default: t.Any = _NO_DEFAULT,
        required: bool = False,
        nargs: int | str = 1,
        multiple: bool = False,
        envvar: str | t.Sequence[str] | None = None,
        callback: t.Callable | None = None,
        expose_value: bool = True,
        is_eager: bool = False,
        metavar: str | None = None,
    ) -> None:
        self.name = name
        if type is None and default is not _NO_DEFAULT and default is not None:
            sample = default[0] if isinstance(default, (list, tuple)) and default else default
            if isinstance(sample, (int, float, bool)) and not isinstance(default, (list, tuple)):
                type = _type_of_default(sample)
            elif isinstance(sample, (int, float)) and (multiple or nargs != 1):
                type = _type_of_default(sample)
        self.type = type
        self.default = default
        self.required = required
        self.nargs = nargs
        self.multiple = multiple
        self.envvar = envvar
        self.callback = callback
        self.expose_value = expose_value
        self.is_eager = is_eager
        self.metavar = metavar

    def error_hint(self) -> str:
        raise NotImplementedError

    def get_default(self) -> t.Any:
        default = self.default
        if callable(default) and not isinstance(default, type):
            default = default()
        return default

    def value_from_envvar(self) -> t.Any:
        names = [self.envvar] if isinstance(self.envvar, str) else list(self.envvar or ())
        for name in names:
            value = os.environ.get(name)
            if value:
                if self.multiple or self.nargs != 1:
                    return value.split()
                return value
        return None

    def convert(self, ctx: CliContext, value: t.Any) -> t.Any:
        try:
            if isinstance(value, (list, tuple)) and (self.multiple or self.nargs not in (1, "?")):
                return tuple(_convert_with_type(self.type, v) for v in value)
            return _convert_with_type(self.type, value)
        except ValueError as e:
            raise BadParameter(str(e), ctx, self) from None


def _type_of_default(value: t.Any) -> type:
    """The plain type of a default value (bool stays bool)."""
    return type(value)


class Option(Parameter):
    """An ``--option`` (with a value, a flag, a ``--yes/--no`` pair, repeated or counted)."""

    param_type_name = "option"

    def __init__(
        self,
        param_decls: t.Sequence[str],
        type: t.Any = None,  # noqa: A002
        default: t.Any = _NO_DEFAULT,
        required: bool = False,
        is_flag: bool | None = None,
        flag_value: t.Any = None,
        multiple: bool = False,
        count: bool = False,
        help: str | None = None,  # noqa: A002
        envvar: str | t.Sequence[str] | None = None,
        show_default: bool | str = False,
        metavar: str | None = None,
        nargs: int = 1,
        hidden: bool = False,
        callback: t.Callable | None = None,
        expose_value: bool = True,
        is_eager: bool = False,
        prompt: t.Any = None,
        hide_input: bool = False,
        confirmation_prompt: bool = False,
        **_ignored: t.Any,
    ) -> None:
        name, opts, secondary_opts = self._parse_decls(param_decls)
        if is_flag is None:
            is_flag = bool(secondary_opts) or (flag_value is not None and not count)
        if is_flag and default is _NO_DEFAULT and not multiple:
            default = False if flag_value is None or flag_value is True else None
        if count and default is _NO_DEFAULT:
            default = 0
        if is_flag and type is None and flag_value is None:
            type = bool  # noqa: A001
        super().__init__(
            name,
            type=type,
            default=default,
            required=required,
            nargs=nargs,
            multiple=multiple,
            envvar=envvar,
            callback=callback,
            expose_value=expose_value,
            is_eager=is_eager,
            metavar=metavar,
        )
        self.opts = opts
        self.secondary_opts = secondary_opts
        self.is_flag = bool(is_flag)
        self.flag_value = True if flag_value is None and is_flag else flag_value
        self.count = count
        self.help = help
        self.show_default = show_default
        self.hidden = hidden
        self.prompt = prompt
        self.hide_input = hide_input
        self.confirmation_prompt = confirmation_prompt

    @staticmethod
    def _parse_decls(decls: t.Sequence[str]) -> tuple[str | None, list[str], list[str]]:
        name = None
        opts: list[str] = []
        secondary: list[str] = []
        for decl in decls:
            if decl.isidentifier():
                if name is not None:
                    raise TypeError("Name '%s' defined twice" % decl)
                name = decl
                continue
            split_char = ";" if decl[:1] == "/" else "/"
            if split_char in decl:
                first, second = decl.split(split_char, 1)
                opts.append(first.rstrip())
                if second.strip():
                    secondary.append(second.lstrip())
            else:
                opts.append(decl)
        if name is None and opts:
            # The longest option with dashes wins, as in Click ("--count" over "-c").
            ranked = sorted(opts, key=lambda o: len(o) - len(o.lstrip("-")), reverse=True)
            name = ranked[0].lstrip("-").replace("-", "_").lower()
        if not opts and not secondary:
            raise TypeError("No options defined but a name was passed (%s)." % name)
        return name, opts, secondary

    def error_hint(self) -> str:
        return " / ".join("'%s'" % opt for opt in self.opts)

    def help_record(self) -> tuple[str, str] | None:
        if self.hidden:
            return None

        def join_opts(options: list[str]) -> str:
            ordered = sorted(options, key=lambda o: len(o) - len(o.lstrip("-")))
            text = ", ".join(ordered)
            if not self.is_flag and not self.count:
                text += " " + (self.metavar or _type_metavar(self.type))
            return text

        names = join_opts(self.opts)
        if self.secondary_opts:
            names += " / " + join_opts(self.secondary_opts)
        extra = []
        if self.show_default and self.default not in (_NO_DEFAULT, None):
            shown = self.show_default if isinstance(self.show_default, str) else self.get_default()
            if self.is_flag and self.secondary_opts:
                shown = (self.opts if shown else self.secondary_opts)[0].lstrip("-")
            extra.append("default: %s" % shown)
        if self.required:
            extra.append("required")
        text = self.help or ""
        if extra:
            text = ("%s  [%s]" % (text, "; ".join(extra))).strip()
        return names, text


class Argument(Parameter):
    """A positional argument; ``nargs=-1`` takes all the remaining ones."""

    param_type_name = "argument"

    def __init__(
        self,
        param_decls: t.Sequence[str],
        required: bool | None = None,
        type: t.Any = None,  # noqa: A002
        default: t.Any = _NO_DEFAULT,
        nargs: int | str = 1,
        **attrs: t.Any,
    ) -> None:
        if len(param_decls) != 1:
            raise TypeError("Argument is marked as exposed, but does not have a name.")
        if required is None:
            required = default is _NO_DEFAULT and nargs not in (-1, "?", "*")
            if nargs == "+":
                required = True
        attrs.pop("help", None)
        super().__init__(
            param_decls[0].replace("-", "_").lower(),
            type=type,
            default=default,
            required=required,
            nargs=nargs,
            **{k: v for k, v in attrs.items() if k in ("envvar", "callback", "expose_value", "is_eager", "metavar")},
        )
        self.human_name = param_decls[0].upper().replace("-", "_")

    def error_hint(self) -> str:
        name = self.metavar or self.human_name
        if self.nargs in (-1, "*", "+"):
            name += "..."
        return "'%s'" % name

    def usage_piece(self) -> str:
        text = self.metavar or self.human_name
        if self.nargs in (-1, "*", "+"):
            text += "..."
        if not self.required:
            text = "[%s]" % text
        return text


def _attach_param(f: t.Any, param: Parameter) -> None:
    if isinstance(f, Command):
        f.params.append(param)
    else:
        if not hasattr(f, "__click_params__"):
            f.__click_params__ = []
        f.__click_params__.append(param)


def option(*param_decls: str, **attrs: t.Any) -> t.Callable:
    """Declare an option on a command function (``@option("--count", "-c", type=int)``)."""
    cls = attrs.pop("cls", Option)

    def decorator(f: t.Any) -> t.Any:
        _attach_param(f, cls(param_decls, **attrs))
        return f

    return decorator


def argument(*param_decls: str, **attrs: t.Any) -> t.Callable:
    """Declare a positional argument on a command function (``@argument("name")``)."""
    cls = attrs.pop("cls", Argument)

    def decorator(f: t.Any) -> t.Any:
        _attach_param(f, cls(param_decls, **attrs))
        return f

    return decorator


def confirmation_option(*param_decls: str, **kwargs: t.Any) -> t.Callable:
    """``--yes``: skip the "Do you want to continue?" question, else ask it (abort on no)."""

    question = kwargs.pop("prompt", "Do you want to continue?")

    def skip_or_ask(ctx: CliContext, param: Parameter, value: t.Any) -> None:
        if not value:
            confirm(question, abort=True)

    kwargs.setdefault("is_flag", True)
    kwargs.setdefault("expose_value", False)
    kwargs.setdefault("help", "Confirm the action without prompting.")
    kwargs["callback"] = skip_or_ask
    return option(*(param_decls or ("--yes",)), **kwargs)


def password_option(*param_decls: str, **kwargs: t.Any) -> t.Callable:
    """``--password``, asked for twice with hidden input when not given."""
    kwargs.setdefault("prompt", True)
    kwargs.setdefault("confirmation_prompt", True)
    kwargs.setdefault("hide_input", True)
    return option(*(param_decls or ("--password",)), **kwargs)


def version_option(version: str | None = None, *param_decls: str, **kwargs: t.Any) -> t.Callable:
    """``--version``: print ``prog_name, version X`` and exit."""
    message = kwargs.pop("message", "%(prog)s, version %(version)s")
    package_name = kwargs.pop("package_name", None)

    def show(ctx: CliContext, param: Parameter, value: t.Any) -> None:
        if not value:
            return
        shown = version
        if shown is None and package_name:
            from importlib.metadata import version as installed_version

            shown = installed_version(package_name)
        echo(message % {"prog": ctx.find_root().info_name, "package": package_name, "version": shown})
        ctx.exit(0)

    kwargs.update(is_flag=True, expose_value=False, is_eager=True, callback=show)
    kwargs.setdefault("help", "Show the version and exit.")
    return option(*(param_decls or ("--version",)), **kwargs)


def _help_option_callback(ctx: CliContext, param: Parameter, value: t.Any) -> None:
    if value:
        echo(ctx.get_help(), color=ctx.color)
        ctx.exit(0)


def _make_help_option() -> Option:
    return Option(
        ["--help"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_help_option_callback,
        help="Show this message and exit.",
    )


# -- the current context -----------------------------------------------------------------------

_cli_context_stack: list[CliContext] = []


def get_current_context(silent: bool = False) -> CliContext | None:
    """The context of the command being run (Click's ``get_current_context``)."""
    if _cli_context_stack:
        return _cli_context_stack[-1]
    if silent:
        return None
    raise RuntimeError("There is no active click context.")


class CliContext:
    """One command's invocation: its parent, the parsed ``params`` and the shared ``obj``."""

    def __init__(
        self,
        command: Command,
        parent: CliContext | None = None,
        info_name: str | None = None,
        obj: t.Any = None,
        color: bool | None = None,
        **_ignored: t.Any,
    ) -> None:
        self.command = command
        self.parent = parent
        self.info_name = info_name
        self.obj = obj if obj is not None else (parent.obj if parent is not None else None)
        self.params: dict[str, t.Any] = {}
        self.args: list[str] = []
        self.protected_args: list[str] = []
        self.invoked_subcommand: str | None = None
        self.meta: dict[str, t.Any] = parent.meta if parent is not None else {}
        self.color = color if color is not None else (parent.color if parent is not None else None)
        self._close_callbacks: list[t.Callable] = []

    @property
    def command_path(self) -> str:
        name = self.info_name or ""
        if self.parent is not None:
            name = "%s %s" % (self.parent.command_path, name)
        return name.strip()

    def find_root(self) -> CliContext:
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    def find_object(self, object_type: type) -> t.Any:
        node: CliContext | None = self
        while node is not None:
            if isinstance(node.obj, object_type):
                return node.obj
            node = node.parent
        return None

    def ensure_object(self, object_type: type) -> t.Any:
        found = self.find_object(object_type)
        if found is None:
            self.obj = found = object_type()
        return found

    def lookup_default(self, name: str) -> t.Any:
        return None

    def call_on_close(self, f: t.Callable) -> t.Callable:
        self._close_callbacks.append(f)
        return f

    def with_resource(self, context_manager: t.Any) -> t.Any:
        rv = context_manager.__enter__()
        self._close_callbacks.append(lambda: context_manager.__exit__(None, None, None))
        return rv

    def close(self) -> None:
        while self._close_callbacks:
            self._close_callbacks.pop()()

    def __enter__(self) -> CliContext:
        # Entered once by ``main`` and again around callbacks: resources are
        # released when the outermost ``with`` ends, as in Click.
        self._enter_depth = getattr(self, "_enter_depth", 0) + 1
        _cli_context_stack.append(self)
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        _cli_context_stack.pop()
        self._enter_depth -= 1
        if self._enter_depth == 0:
            self.close()

    def get_usage(self) -> str:
        return self.command.get_usage(self)

    def get_help(self) -> str:
        return self.command.get_help(self)

    def fail(self, message: str) -> t.NoReturn:
        raise UsageError(message, self)

    def abort(self) -> t.NoReturn:
        raise Abort()

    def exit(self, code: int = 0) -> t.NoReturn:
        raise CliExit(code)

    def invoke(self, callback: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Call another command's callback (or any function) with this context current."""
        if isinstance(callback, Command):
            other = callback
            for param in other.params:
                if param.name not in kwargs and param.expose_value:
                    default = param.get_default()
                    kwargs[param.name] = None if default is _NO_DEFAULT else default
            callback = other.callback
        with self:
            return callback(*args, **kwargs)

    def forward(self, command: Command, **kwargs: t.Any) -> t.Any:
        return self.invoke(command, **{**self.params, **kwargs})


def pass_cli_context(f: t.Callable) -> t.Callable:
    """Pass the current :class:`CliContext` as the first argument (Click's ``pass_context``)."""

    @functools.wraps(f)
    def with_context(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return f(get_current_context(), *args, **kwargs)

    return with_context


Context = CliContext
pass_context = pass_cli_context


def pass_obj(f: t.Callable) -> t.Callable:
    """Pass the context's ``obj`` as the first argument."""

    @functools.wraps(f)
    def with_obj(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return f(get_current_context().obj, *args, **kwargs)  # type: ignore[union-attr]

    return with_obj


# -- the command-line parser ---------------------------------------------------------------------


def _parse_command_line(ctx: CliContext, params: list[Parameter], args: list[str], interspersed: bool) -> tuple[dict[str, t.Any], list[str]]:
    """Split ``args`` into option values, positional values and what is left.

    Returns ({param name: raw value(s)}, leftover args).  With
    ``interspersed`` False (a group), parsing stops at the first positional
    so the rest belongs to the subcommand.
    """
    by_opt: dict[str, tuple[Option, bool]] = {}
    for param in params:
        if isinstance(param, Option):
            for opt in param.opts:
                by_opt[opt] = (param, True)
            for opt in param.secondary_opts:
                by_opt[opt] = (param, False)
    raw: dict[str, t.Any] = {}
    positionals: list[str] = []
    args = list(args)
    index = 0

    def store(param: Option, value: t.Any) -> None:
        key = param.name or ""
        if param.count:
            raw[key] = raw.get(key, 0) + 1
        elif param.multiple:
            raw.setdefault(key, []).append(value)
        else:
            raw[key] = value

    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            positionals.extend(args[index:])
            break
        if arg.startswith("-") and len(arg) > 1:
            name, has_equals, attached = arg.partition("=")
            if name in by_opt:
                opt_param, primary = by_opt[name]
                if opt_param.is_flag or opt_param.count:
                    if has_equals:
                        raise UsageError("Option '%s' does not take a value." % name, ctx)
                    store(opt_param, opt_param.flag_value if primary else (False if opt_param.flag_value is True else None))
                    continue
                if has_equals:
                    value: t.Any = attached
                else:
                    needed = opt_param.nargs if isinstance(opt_param.nargs, int) and opt_param.nargs > 1 else 1
                    if index + needed > len(args):
                        raise UsageError("Option '%s' requires an argument." % name, ctx)
                    value = args[index] if needed == 1 else tuple(args[index : index + needed])
                    index += needed
                store(opt_param, value)
                continue
            if not arg.startswith("--") and arg[:2] in by_opt:
                # Short options packed together: -vvv, or -p5000.
                opt_param, primary = by_opt[arg[:2]]
                if opt_param.is_flag or opt_param.count:
                    for char in arg[1:]:
                        short = "-" + char
                        if short not in by_opt:
                            raise UsageError("No such option '%s'." % short, ctx)
                        packed_param, packed_primary = by_opt[short]
                        store(packed_param, packed_param.flag_value if packed_primary else False)
                else:
                    store(opt_param, arg[2:])
                continue
            if not positionals or interspersed:
                if arg[0] == "-" and not _looks_like_negative_number(arg):
                    raise UsageError("No such option '%s'." % name, ctx)
        positionals.append(arg)
        if not interspersed:
            positionals.extend(args[index:])
            break
    # Hand positionals to arguments in order; a variadic one takes what others leave.
    arguments = [p for p in params if isinstance(p, Argument)]
    leftover = positionals
    for position, param in enumerate(arguments):
        later = arguments[position + 1 :]
        reserve = sum(p.nargs for p in later if isinstance(p.nargs, int) and p.nargs > 0)
        nargs = param.nargs
        if nargs in (-1, "*", "+"):
            take = max(0, len(leftover) - reserve)
            if take:  # none given: the parameter counts as missing (required, or default)
                raw[param.name or ""] = leftover[:take]
                leftover = leftover[take:]
        elif nargs == "?":
            if len(leftover) > reserve:
                raw[param.name or ""] = leftover[0]
                leftover = leftover[1:]
        else:
            count = int(nargs)
            if len(leftover) >= count:
                raw[param.name or ""] = leftover[0] if count == 1 else tuple(leftover[:count])
                leftover = leftover[count:]
            elif leftover:
                raise BadParameter("Takes %d values but %d were given." % (count, len(leftover)), ctx, param)
    return raw, leftover


def _looks_like_negative_number(arg: str) -> bool:
    try:
        float(arg)
    except ValueError:
        return False
    return True


# -- commands ------------------------------------------------------------------------------------


def _first_paragraph(text: str | None) -> str:
    if not text:
        return ""
    paragraph = inspect.cleandoc(text).split("\n\n", 1)[0]
    line = " ".join(paragraph.split())
    if len(line) > 45:
        line = line[:42].rsplit(" ", 1)[0] + "..."
    return line


def _wrap_help_text(text: str, indent: str, width: int = 78) -> list[str]:
    import textwrap

    lines = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        if paragraph.startswith("\b"):
            lines.extend(indent + line for line in paragraph[1:].strip("\n").splitlines())
        else:
            lines.extend(
                textwrap.wrap(" ".join(paragraph.split()), width, initial_indent=indent, subsequent_indent=indent)
            )
        lines.append("")
    return lines[:-1]


def _format_definition_list(rows: list[tuple[str, str]], width: int = 78) -> list[str]:
    import textwrap

    if not rows:
        return []
    first_width = min(max(len(name) for name, _ in rows), 30)
    lines = []
    for name, text in rows:
        prefix = "  " + name
        if len(name) <= first_width:
            prefix = "  %-*s  " % (first_width, name)
            wrapped = textwrap.wrap(text, max(width - len(prefix), 20)) or [""]
            lines.append((prefix + wrapped[0]).rstrip())
            lines.extend(" " * len(prefix) + rest for rest in wrapped[1:])
        else:
            lines.append(prefix)
            indent = " " * (first_width + 4)
            lines.extend(textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent))
    return lines


class Command:
    """A command: a callback plus the options and arguments parsed for it."""

    allow_interspersed_args = True

    def __init__(
        self,
        name: str | None,
        context_settings: dict[str, t.Any] | None = None,
        callback: t.Callable | None = None,
        params: list[Parameter] | None = None,
        help: str | None = None,  # noqa: A002
        epilog: str | None = None,
        short_help: str | None = None,
        options_metavar: str = "[OPTIONS]",
        add_help_option: bool = True,
        no_args_is_help: bool = False,
        hidden: bool = False,
        deprecated: bool = False,
    ) -> None:
        self.name = name
        self.context_settings = context_settings or {}
        self.callback = callback
        self.params: list[Parameter] = params or []
        if help is None and callback is not None:
            help = callback.__doc__  # noqa: A001
        self.help = inspect.cleandoc(help) if help else help
        self.epilog = epilog
        self.short_help = short_help
        self.options_metavar = options_metavar
        self.add_help_option = add_help_option
        self.no_args_is_help = no_args_is_help
        self.hidden = hidden
        self.deprecated = deprecated

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self.name)

    def get_params(self, ctx: CliContext) -> list[Parameter]:
        params = list(self.params)
        if self.add_help_option:
            params.append(_make_help_option())
        return params

    def get_short_help_str(self, limit: int = 45) -> str:
        return self.short_help or _first_paragraph(self.help)

    # -- help ---------------------------------------------------------------------------------

    def collect_usage_pieces(self, ctx: CliContext) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        pieces.extend(p.usage_piece() for p in self.params if isinstance(p, Argument))
        return pieces

    def get_usage(self, ctx: CliContext) -> str:
        return "Usage: %s %s" % (ctx.command_path, " ".join(self.collect_usage_pieces(ctx)))

    def format_sections(self, ctx: CliContext) -> list[str]:
        rows = [
            record
            for record in (p.help_record() for p in self.get_params(ctx) if isinstance(p, Option))
            if record is not None
        ]
        lines = []
        if rows:
            lines.append("Options:")
            lines.extend(_format_definition_list(rows))
        return lines

    def get_help(self, ctx: CliContext) -> str:
        lines = [self.get_usage(ctx)]
        if self.help:
            lines.append("")
            lines.extend(_wrap_help_text(self.help, "  "))
        sections = self.format_sections(ctx)
        if sections:
            lines.append("")
            lines.extend(sections)
        if self.epilog:
            lines.append("")
            lines.extend(_wrap_help_text(self.epilog, "  "))
        return "\n".join(lines)

    # -- parsing and invoking ----------------------------------------------------------------------

    def make_context(self, info_name: str | None, args: list[str], parent: CliContext | None = None, **extra: t.Any) -> CliContext:
        settings = dict(self.context_settings)
        settings.update(extra)
        ctx = CliContext(self, parent=parent, info_name=info_name, **settings)
        with ctx:
            self.parse_args(ctx, list(args))
        return ctx

    def parse_args(self, ctx: CliContext, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help:
            echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        params = self.get_params(ctx)
        raw, leftover = _parse_command_line(ctx, params, args, self.allow_interspersed_args)
        ordered = sorted(params, key=lambda p: (not (p.is_eager and p.name in raw), not p.is_eager))
        for param in ordered:
            self._process_param(ctx, param, raw)
        if leftover and not isinstance(self, Group):
            word = "argument" if len(leftover) == 1 else "arguments"
            raise UsageError("Got unexpected extra %s (%s)" % (word, " ".join(leftover)), ctx)
        ctx.args = leftover
        return leftover

    def _process_param(self, ctx: CliContext, param: Parameter, raw: dict[str, t.Any]) -> None:
        key = param.name or ""
        if key in raw:
            value = raw[key]
            if not _is_valueless_option(param):
                value = param.convert(ctx, value)
        else:
            value = param.value_from_envvar() if param.envvar else None
            if value is not None:
                value = param.convert(ctx, value)
            elif getattr(param, "prompt", None):
                value = self._prompt_for(param)
            else:
                default = param.get_default()
                if default is _NO_DEFAULT or default is None:
                    if param.required:
                        if isinstance(param, Argument):
                            raise UsageError("Missing argument %s." % param.error_hint(), ctx)
                        raise UsageError("Missing option %s." % repr(_longest_opt(param)), ctx)
                    value = () if (param.multiple or param.nargs in (-1, "*", "+")) else None
                else:
                    value = param.convert(ctx, default) if isinstance(default, str) or param.type in (int, float) else default
                    if param.multiple and not isinstance(value, tuple):
                        value = tuple(value) if isinstance(value, list) else value
        if param.callback is not None:
            value = param.callback(ctx, param, value)
        if param.expose_value:
            ctx.params[key] = value

    @staticmethod
    def _prompt_for(param: Parameter) -> t.Any:
        text = param.prompt  # type: ignore[attr-defined]
        if not isinstance(text, str):
            text = (param.name or "").replace("_", " ").capitalize()
        default = param.get_default()
        if isinstance(param, Option) and param.is_flag:
            return confirm(text, default=bool(default) if default is not _NO_DEFAULT else False)
        return prompt(
            text,
            default=None if default is _NO_DEFAULT else default,
            type=param.type,
            hide_input=getattr(param, "hide_input", False),
            confirmation_prompt=getattr(param, "confirmation_prompt", False),
        )

    def invoke(self, ctx: CliContext) -> t.Any:
        if self.callback is None:
            return None
        with ctx:
            try:
                return self.callback(**ctx.params)
            except UsageError as e:
                if e.ctx is None:
                    e.ctx = ctx  # so the message comes with this command's usage
                raise

    def main(
        self,
        args: t.Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: t.Any,
    ) -> t.Any:
        """Parse ``args`` (default: ``sys.argv[1:]``) and run; exit like Click when standalone."""
        if args is None:
            args = sys.argv[1:]
        args = list(args)
        if prog_name is None:
            prog_name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "microflask"
            if prog_name in ("__main__.py", "-c", "-m"):
                prog_name = "microflask"
        try:
            try:
                with self.make_context(prog_name, args, **extra) as ctx:
                    rv = self.invoke(ctx)
                if not standalone_mode:
                    return rv
                sys.exit(0)
            except (EOFError, KeyboardInterrupt):
                echo(file=sys.stderr)
                raise Abort() from None
        except ClickException as e:
            if not standalone_mode:
                raise
            e.show()
            sys.exit(e.exit_code)
        except BrokenPipeError:
            sys.exit(1)
        except CliExit as e:
            if standalone_mode:
                sys.exit(e.exit_code)
            return e.exit_code
        except Abort:
            if not standalone_mode:
                raise
            echo("Aborted!", file=sys.stderr)
            sys.exit(1)

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return self.main(*args, **kwargs)


def _is_valueless_option(param: Parameter) -> bool:
    """A flag or counter: its parsed value is final, there is no text to convert."""
    return isinstance(param, Option) and (param.count or param.is_flag)


def _longest_opt(param: Parameter) -> str:
    opts = getattr(param, "opts", None) or [param.name or ""]
    return sorted(opts, key=lambda o: len(o) - len(o.lstrip("-")), reverse=True)[0]


class Group(Command):
    """A command made of subcommands: ``cli run``, ``cli routes``, ...."""

    allow_interspersed_args = False
    command_class: type | None = None
    group_class: type | None = None

    def __init__(
        self,
        name: str | None = None,
        commands: dict[str, Command] | t.Sequence[Command] | None = None,
        invoke_without_command: bool = False,
        no_args_is_help: bool | None = None,
        subcommand_metavar: str | None = None,
        chain: bool = False,
        result_callback: t.Callable | None = None,
        **attrs: t.Any,
    ) -> None:
        super().__init__(name, **attrs)
        if commands is None:
            commands = {}
        elif not isinstance(commands, dict):
            commands = {c.name: c for c in commands}  # type: ignore[misc]
        self.commands: dict[str, Command] = commands  # type: ignore[assignment]
        self.invoke_without_command = invoke_without_command
        if no_args_is_help is None:
            no_args_is_help = not invoke_without_command
        self.no_args_is_help = no_args_is_help
        self.subcommand_metavar = subcommand_metavar or "COMMAND [ARGS]..."

    def add_command(self, cmd: Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self.commands[name] = cmd

    def get_command(self, ctx: CliContext, cmd_name: str) -> Command | None:
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: CliContext) -> list[str]:
        return sorted(self.commands)

    def command(self, *args: t.Any, **kwargs: t.Any) -> t.Callable:
        """Decorator: make a command from a function and add it to this group."""
        if self.command_class is not None and "cls" not in kwargs:
            kwargs["cls"] = self.command_class
        func = None
        if args and callable(args[0]):
            func, args = args[0], args[1:]

        def decorator(f: t.Callable) -> Command:
            cmd = command(*args, **kwargs)(f)
            self.add_command(cmd)
            return cmd

        return decorator(func) if func is not None else decorator

    def group(self, *args: t.Any, **kwargs: t.Any) -> t.Callable:
        """Decorator: make a subgroup from a function and add it to this group."""
        if "cls" not in kwargs:
            # Click's convention: group_class = type means "the same class as this group".
            group_class = self.group_class
            kwargs["cls"] = type(self) if group_class is type else (group_class or Group)
        func = None
        if args and callable(args[0]):
            func, args = args[0], args[1:]

        def decorator(f: t.Callable) -> Group:
            grp = group(*args, **kwargs)(f)
            self.add_command(grp)
            return grp  # type: ignore[no-any-return]

        return decorator(func) if func is not None else decorator

    def collect_usage_pieces(self, ctx: CliContext) -> list[str]:
        return super().collect_usage_pieces(ctx) + [self.subcommand_metavar]

    def format_sections(self, ctx: CliContext) -> list[str]:
        lines = super().format_sections(ctx)
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, cmd.get_short_help_str()))
        if rows:
            if lines:
                lines.append("")
            lines.append("Commands:")
            lines.extend(_format_definition_list(rows))
        return lines

    def parse_args(self, ctx: CliContext, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help:
            echo(ctx.get_help(), color=ctx.color)
            ctx.exit(2)
        rest = super().parse_args(ctx, args)
        ctx.protected_args, ctx.args = rest[:1], rest[1:]
        return ctx.args

    def resolve_command(self, ctx: CliContext, args: list[str]) -> tuple[str, Command, list[str]]:
        cmd_name = args[0]
        cmd = self.get_command(ctx, cmd_name)
        if cmd is None:
            raise UsageError("No such command %r." % cmd_name, ctx)
        return cmd_name, cmd, args[1:]

    def invoke(self, ctx: CliContext) -> t.Any:
        if not ctx.protected_args:
            if self.invoke_without_command:
                return super().invoke(ctx)
            raise UsageError("Missing command.", ctx)
        with ctx:
            cmd_name, cmd, cmd_args = self.resolve_command(ctx, ctx.protected_args + ctx.args)
            ctx.invoked_subcommand = cmd_name
            super().invoke(ctx)
            sub_ctx = cmd.make_context(cmd_name, cmd_args, parent=ctx)
            with sub_ctx:
                return cmd.invoke(sub_ctx)


def _command_name_from_function(name: str) -> str:
    name = name.lower().replace("_", "-")
    for suffix in ("-command", "-cmd", "-group", "-grp"):
        if name.endswith(suffix) and name != suffix[1:]:
            name = name[: -len(suffix)]
            break
    return name


def command(name: t.Any = None, cls: type | None = None, **attrs: t.Any) -> t.Callable:
    """Decorator: make a :class:`Command` from a function (Click's ``command``)."""
    if callable(name):
        return command(cls=cls, **attrs)(name)
    if cls is None:
        cls = Command

    def decorator(f: t.Callable) -> Command:
        if isinstance(f, Command):
            raise TypeError("Attempted to convert a callback into a command twice.")
        params = list(reversed(getattr(f, "__click_params__", [])))
        try:
            del f.__click_params__  # type: ignore[attr-defined]
        except AttributeError:
            pass
        cmd_name = name or _command_name_from_function(f.__name__)
        cmd = cls(cmd_name, callback=f, params=params, **attrs)  # type: ignore[misc]
        cmd.__doc__ = f.__doc__
        return cmd  # type: ignore[no-any-return]

    return decorator


def group(name: t.Any = None, cls: type | None = None, **attrs: t.Any) -> t.Callable:
    """Decorator: make a :class:`Group` from a function (Click's ``group``)."""
    if cls is None:
        cls = Group
    if callable(name):
        return command(cls=cls, **attrs)(name)
    return command(name, cls=cls, **attrs)


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


def find_best_app(module: t.Any) -> t.Any:
    """The app in ``module``: ``app``/``application``, the only Flask instance, or a factory's result."""
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


def find_app_by_string(module: t.Any, app_name: str) -> t.Any:
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


def locate_app(module_name: str, app_name: str | None, raise_if_not_found: bool = True) -> t.Any:
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

    def load_app(self) -> t.Any:
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


def pass_script_info(f: t.Callable) -> t.Callable:
    """Pass the :class:`ScriptInfo` as the first argument."""

    @functools.wraps(f)
    def with_script_info(*args: t.Any, **kwargs: t.Any) -> t.Any:
        ctx = get_current_context()
        return f(ctx.ensure_object(ScriptInfo), *args, **kwargs)  # type: ignore[union-attr]

    return with_script_info


def with_appcontext(f: t.Callable) -> t.Callable:
    """Run the command inside the app's application context (loading the app if needed)."""

    @functools.wraps(f)
    def in_app_context(*args: t.Any, **kwargs: t.Any) -> t.Any:
        from microflask.ctx import has_app_context

        if has_app_context():
            return f(*args, **kwargs)
        ctx = get_current_context()
        app = ctx.ensure_object(ScriptInfo).load_app()  # type: ignore[union-attr]
        with app.app_context():
            return f(*args, **kwargs)

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


class CertParamType:
    """``--cert``: a certificate file, ``"adhoc"``, or the import name of an ``ssl.SSLContext``."""

    name = "path"

    def __init__(self) -> None:
        self.path_type = Path(exists=True, dir_okay=False, resolve_path=True)

    def metavar(self) -> str:
        return "PATH"

    def __call__(self, value: t.Any) -> t.Any:
        try:
            import ssl
        except ImportError:
            raise ValueError(
                'Using "--cert" requires Python to be compiled with SSL support.'
            ) from None
        try:
            return self.path_type(value)
        except ValueError:
            text = str(value).lower()
        if text == "adhoc":
            try:
                import cryptography  # noqa: F401
            except ImportError:
                raise ValueError(
                    "Using ad-hoc certificates requires the cryptography library."
                ) from None
            return text
        from microflask.utils import import_string

        found = import_string(str(value), silent=True)
        if isinstance(found, ssl.SSLContext):
            return found
        raise ValueError(
            "Could not load certificate %r: not a file, 'adhoc', or the import"
            " name of an SSLContext." % value
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

    def __call__(self, value: t.Any) -> t.Any:
        if isinstance(value, (list, tuple)):
            items = list(value)
        else:
            items = [item for item in str(value).split(os.pathsep) if item]
        return [Path.__call__(self, item) for item in items]


@command("run", short_help="Run a development server.")
# Click's auto_envvar_prefix gives Flask's run options FLASK_RUN_* variables; so do we.
@option("--host", "-h", default="127.0.0.1", help="The interface to bind to.", envvar="FLASK_RUN_HOST")
@option("--port", "-p", default=5000, type=int, help="The port to bind to.", envvar="FLASK_RUN_PORT")
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
    help="Extra files that trigger a reload on change. Multiple paths are separated by %r." % os.pathsep,
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


@command("serve", short_help="Serve the app in production with the built-in server.")
@option("--host", "-h", default="127.0.0.1", help="The interface to bind to.", envvar="MICROFLASK_SERVE_HOST")
@option("--port", "-p", default=8000, type=int, help="The port to bind to.", envvar="MICROFLASK_SERVE_PORT")
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


def _load_bundle_command() -> Command | None:
    """``microflask bundle``, when :mod:`microflask.bundle` exists (it may not)."""
    import importlib.util

    try:
        if importlib.util.find_spec("microflask.bundle") is None:
            return None
    except (ImportError, ValueError):
        return None
    import importlib

    module = importlib.import_module("microflask.bundle")
    found = getattr(module, "bundle_command", None)
    if isinstance(found, Command):
        return found
    entry = getattr(module, "main", None)
    if entry is None:
        return None
    return _PassthroughCommand(
        "bundle", callback=entry, short_help="Write microflask as one Python file."
    )


class _PassthroughCommand(Command):
    """A command whose callback parses its own arguments: ``callback(argv) -> exit code``."""

    def __init__(self, name: str, callback: t.Callable, **attrs: t.Any) -> None:
        super().__init__(name, callback=callback, add_help_option=False, **attrs)

    def parse_args(self, ctx: CliContext, args: list[str]) -> list[str]:
        ctx.args = list(args)
        return []

    def invoke(self, ctx: CliContext) -> t.Any:
        with ctx:
            exit_code = self.callback(ctx.args)  # type: ignore[misc]
        if exit_code:
            ctx.exit(exit_code)
        return exit_code


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


def _debug_option_callback(ctx: CliContext, param: Parameter, value: t.Any) -> t.Any:
    if value is None:
        return None
    os.environ["FLASK_DEBUG"] = "1" if value else "0"
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
        Option(
            ["--debug/--no-debug"],
            default=None,
            help="Set debug mode.",
            expose_value=False,
            callback=_debug_option_callback,
        ),
        Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=get_version,
            help="Show the Flask version.",
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

    def _load_app_commands(self, ctx: CliContext) -> dict[str, Command]:
        info = ctx.ensure_object(ScriptInfo)
        app = info.load_app()
        return dict(app.cli.commands)

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
            names.update(self._load_app_commands(ctx))
        except NoAppException as e:
            echo("Error: %s\n" % e.format_message(), err=True)
        except Exception:
            import traceback

            echo("%s\n" % traceback.format_exc(), err=True)
        return sorted(names)

    def make_context(self, info_name: str | None, args: list[str], parent: CliContext | None = None, **extra: t.Any) -> CliContext:
        # app.run() inside the app's module must not start a second server.
        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: CliContext, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help:
            # Process --env-file and --app first so the help can list the app's commands.
            for param in self.get_params(ctx):
                if param.name in ("env_file", "app"):
                    self._process_param(ctx, param, {})
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


class Result:
    """What :meth:`CliRunner.invoke` saw: output, exit code, exception."""

    def __init__(
        self,
        runner: CliRunner,
        stdout_bytes: bytes,
        stderr_bytes: bytes,
        output_bytes: bytes,
        return_value: t.Any,
        exit_code: int,
        exception: BaseException | None,
        exc_info: t.Any = None,
    ) -> None:
        self.runner = runner
        self.stdout_bytes = stdout_bytes
        self.stderr_bytes = stderr_bytes
        self.output_bytes = output_bytes
        self.return_value = return_value
        self.exit_code = exit_code
        self.exception = exception
        self.exc_info = exc_info

    @property
    def output(self) -> str:
        """stdout and stderr as the terminal would show them, interleaved."""
        return self.output_bytes.decode(self.runner.charset, "replace").replace("\r\n", "\n")

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode(self.runner.charset, "replace").replace("\r\n", "\n")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode(self.runner.charset, "replace").replace("\r\n", "\n")

    def __repr__(self) -> str:
        state = repr(self.exception) if self.exception else "okay"
        return "<%s %s>" % (type(self).__name__, state)


class _CapturedStream:
    """A text stream that records into its own buffer and the shared output buffer."""

    def __init__(self, own: t.Any, shared: t.Any, charset: str) -> None:
        import io

        self._own = own
        self._shared = shared
        self._charset = charset
        self.buffer = _CapturedBinary(own, shared)
        self.encoding = charset
        self.errors = "replace"
        self._io = io

    def write(self, text: str) -> int:
        data = text.encode(self._charset, "replace")
        self._own.write(data)
        self._shared.write(data)
        return len(text)

    def writelines(self, lines: t.Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise self._io.UnsupportedOperation("fileno")


class _CapturedBinary:
    def __init__(self, own: t.Any, shared: t.Any) -> None:
        self._own = own
        self._shared = shared

    def write(self, data: bytes) -> int:
        self._own.write(data)
        self._shared.write(data)
        return len(data)

    def flush(self) -> None:
        pass


class CliRunner:
    """Run commands in-process with captured stdin/stdout/stderr (Click's ``CliRunner``)."""

    def __init__(
        self,
        charset: str = "utf-8",
        env: t.Mapping[str, str | None] | None = None,
        echo_stdin: bool = False,
        catch_exceptions: bool = True,
        **_ignored: t.Any,
    ) -> None:
        self.charset = charset
        self.env = dict(env or {})
        self.echo_stdin = echo_stdin
        self.catch_exceptions = catch_exceptions

    def get_default_prog_name(self, cli: Command) -> str:
        return cli.name or "root"

    def invoke(
        self,
        cli: Command,
        args: str | t.Sequence[str] | None = None,
        input: str | bytes | t.IO[t.Any] | None = None,  # noqa: A002
        env: t.Mapping[str, str | None] | None = None,
        catch_exceptions: bool | None = None,
        color: bool = False,
        **extra: t.Any,
    ) -> Result:
        """Run ``cli`` with ``args`` (a list, or a string split like a shell would)."""
        import io
        import shlex

        if catch_exceptions is None:
            catch_exceptions = self.catch_exceptions
        if isinstance(args, str):
            args = shlex.split(args)
        if isinstance(input, str):
            input = input.encode(self.charset)  # noqa: A001
        if isinstance(input, bytes):
            stdin_text = input.decode(self.charset)
        elif input is None:
            stdin_text = ""
        else:
            data = input.read()
            stdin_text = data.decode(self.charset) if isinstance(data, bytes) else data
        stdout_bytes, stderr_bytes, output_bytes = io.BytesIO(), io.BytesIO(), io.BytesIO()
        saved_streams = sys.stdin, sys.stdout, sys.stderr
        env_changes = dict(self.env)
        env_changes.update(env or {})
        saved_env = {key: os.environ.get(key) for key in env_changes}
        for key, value in env_changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        sys.stdin = io.StringIO(stdin_text)
        sys.stdout = _CapturedStream(stdout_bytes, output_bytes, self.charset)  # type: ignore[assignment]
        sys.stderr = _CapturedStream(stderr_bytes, output_bytes, self.charset)  # type: ignore[assignment]
        _cli_runner_state["echo_input"] = True
        return_value = None
        exception: BaseException | None = None
        exc_info = None
        exit_code = 0
        try:
            prog_name = extra.pop("prog_name", None) or self.get_default_prog_name(cli)
            return_value = cli.main(args=args or (), prog_name=prog_name, **extra)
        except SystemExit as e:
            exc_info = sys.exc_info()
            code = e.code
            if code is None:
                code = 0
            if code != 0:
                exception = e
            if not isinstance(code, int):
                sys.stdout.write(str(code))
                sys.stdout.write("\n")
                code = 1
            exit_code = code
        except Exception as e:
            if not catch_exceptions:
                raise
            exception = e
            exit_code = 1
            exc_info = sys.exc_info()
        finally:
            _cli_runner_state["echo_input"] = False
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return Result(
            runner=self,
            stdout_bytes=stdout_bytes.getvalue(),
            stderr_bytes=stderr_bytes.getvalue(),
            output_bytes=output_bytes.getvalue(),
            return_value=return_value,
            exit_code=exit_code,
            exception=exception,
            exc_info=exc_info,
        )


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
