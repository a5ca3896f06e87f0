"""A Click-compatible command-line toolkit, on the standard library (``click``'s role).

Flask builds its CLI on Click; microflask carries the part of Click that app
commands and Flask extensions use, with Click's names, behaviour, help layout
and error messages: commands and groups, options and arguments, the
parameter types, contexts, ``echo``/``style``/``prompt``/``confirm``, the
exception classes and ``CliRunner``.  Its public home is
:mod:`microflask.cli`, which re-exports every name here (``click.X`` becomes
``microflask.cli.X``); Flask's own part (``FlaskGroup``, app discovery, the
``run``/``routes``/``shell`` commands) lives there.

Where the real Click is installed, its objects work here too, and this
module never imports it first: a Click object is recognised by the module
its class comes from, and only then is :mod:`microflask._realclick` (which
imports ``click``) asked to help.  The rule is that *Click runs whatever
contains something of Click's*: a command with a ``click.Option`` among
its parameters, or one whose parent context is Click's, is parsed and run
by Click as a Click twin of itself; a group whose subcommand is a Click
command hands that subcommand to Click with a Click twin of its own context
as the parent; ``CliRunner`` runs Click commands through their ``main``.
Everything made only of this module's objects runs here, without Click.

Left out: shell completion, ``progressbar``/``edit``/``launch``/``getchar``,
``CommandCollection``, and the ``prompt_required=False`` flag form.
"""

from __future__ import annotations

import enum
import functools
import inspect
import os
import re
import sys
import threading
import typing as t

__all__ = [
    "BOOL",
    "FLOAT",
    "INT",
    "STRING",
    "UNPROCESSED",
    "UUID",
    "Abort",
    "Argument",
    "BadArgumentUsage",
    "BadOptionUsage",
    "BadParameter",
    "BoolParamType",
    "Choice",
    "CliContext",
    "CliRunner",
    "ClickException",
    "Command",
    "Context",
    "DateTime",
    "Exit",
    "File",
    "FileError",
    "FileParamType",
    "FloatParamType",
    "FloatRange",
    "FuncParamType",
    "Group",
    "IntParamType",
    "IntRange",
    "LazyFile",
    "MissingParameter",
    "NoSuchCommand",
    "NoSuchOption",
    "Option",
    "Parameter",
    "ParameterSource",
    "ParamType",
    "Path",
    "Result",
    "StringParamType",
    "Tuple",
    "TupleParamType",
    "UUIDParameterType",
    "UnprocessedParamType",
    "UsageError",
    "argument",
    "command",
    "confirm",
    "confirmation_option",
    "convert_type",
    "echo",
    "get_current_context",
    "group",
    "help_option",
    "make_pass_decorator",
    "option",
    "pass_cli_context",
    "pass_context",
    "pass_obj",
    "password_option",
    "prompt",
    "secho",
    "style",
    "unstyle",
    "version_option",
]


# -- Click's own objects, recognised without importing Click ----------------------------------


def _is_real_click(obj: t.Any) -> bool:
    """Whether ``obj`` (an instance or a class) comes from the real ``click`` package."""
    cls = obj if isinstance(obj, type) else type(obj)
    for base in cls.__mro__:
        module = base.__module__ or ""
        if module == "click" or module.startswith("click."):
            return True
    return False


def _real_click_bridge() -> t.Any:
    """:mod:`microflask._realclick`, imported the first time a Click object needs it."""
    from microflask import _realclick

    return _realclick


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
        self.cmd = ctx.command if ctx is not None else None

    def show(self, file: t.Any = None) -> None:
        ctx = self.ctx
        color = None
        if ctx is not None:
            color = ctx.color
            hint = ""
            help_names = ctx.command.get_help_option_names(ctx)
            if ctx.command.add_help_option and help_names:
                hint = "Try '%s %s' for help.\n" % (ctx.command_path, max(help_names, key=len))
            echo("%s\n%s" % (ctx.get_usage(), hint), file=file, err=file is None, color=color)
        echo("Error: %s" % self.format_message(), file=file, err=file is None, color=color)


def _join_param_hints(param_hint: t.Any) -> t.Any:
    if param_hint is not None and not isinstance(param_hint, str):
        return " / ".join(repr(x) for x in param_hint)
    return param_hint


class BadParameter(UsageError):
    """A parameter's value could not be used: ``Invalid value for '--x': message``."""

    def __init__(
        self,
        message: str,
        ctx: CliContext | None = None,
        param: Parameter | None = None,
        param_hint: str | t.Sequence[str] | None = None,
    ) -> None:
        super().__init__(message, ctx)
        self.param = param
        self.param_hint = param_hint

    def format_message(self) -> str:
        if self.param_hint is not None:
            hint = self.param_hint
        elif self.param is not None:
            hint = self.param.get_error_hint(self.ctx)
        else:
            return "Invalid value: %s" % self.message
        return "Invalid value for %s: %s" % (_join_param_hints(hint), self.message)


class MissingParameter(BadParameter):
    """A required option or argument was not given: ``Missing option '--x'.``."""

    def __init__(
        self,
        message: str | None = None,
        ctx: CliContext | None = None,
        param: Parameter | None = None,
        param_hint: str | t.Sequence[str] | None = None,
        param_type: str | None = None,
    ) -> None:
        super().__init__(message or "", ctx, param, param_hint)
        self.param_type = param_type

    def format_message(self) -> str:
        if self.param_hint is not None:
            hint = self.param_hint
        elif self.param is not None:
            hint = self.param.get_error_hint(self.ctx)
        else:
            hint = None
        hint = _join_param_hints(hint)
        hint = " %s" % hint if hint else ""
        param_type = self.param_type
        if param_type is None and self.param is not None:
            param_type = self.param.param_type_name
        message = self.message
        if self.param is not None:
            extra = self.param.type.get_missing_message(self.param, self.ctx)
            if extra:
                message = "%s. %s" % (message, extra) if message else extra
        message = " %s" % message if message else ""
        return "Missing %s%s.%s" % (param_type, hint, message)

    def __str__(self) -> str:
        if not self.message:
            return "Missing parameter: %s" % (self.param.name if self.param else None)
        return self.message


def _with_possibilities(message: str, possibilities: list[str] | None) -> str:
    if not possibilities:
        return message
    shown = ", ".join(repr(p) for p in sorted(possibilities))
    if len(possibilities) == 1:
        return "%s Did you mean %s?" % (message, shown)
    return "%s (Did you mean one of: %s?)" % (message, shown)


class _NoSuchNameError(UsageError):
    """A name nobody declared (``No such option '--x'.``), with the close
    matches among the names that were, as Click suggests them."""

    #: "option" or "command": what the name was meant to be.
    kind = ""

    def __init__(
        self,
        name: str,
        message: str | None = None,
        possibilities: t.Iterable[str] | None = None,
        ctx: CliContext | None = None,
    ) -> None:
        if message is None:
            message = "No such %s %r." % (self.kind, name)
        super().__init__(message, ctx)
        self.possibilities = None
        if possibilities:
            from difflib import get_close_matches

            self.possibilities = get_close_matches(name, list(possibilities))

    def format_message(self) -> str:
        return _with_possibilities(self.message, self.possibilities)


class NoSuchOption(_NoSuchNameError):
    """An option nobody declared: ``No such option '--x'.`` (with close matches)."""

    kind = "option"

    def __init__(
        self,
        option_name: str,
        message: str | None = None,
        possibilities: t.Iterable[str] | None = None,
        ctx: CliContext | None = None,
    ) -> None:
        super().__init__(option_name, message, possibilities, ctx)
        self.option_name = option_name


class NoSuchCommand(_NoSuchNameError):
    """A subcommand nobody added: ``No such command 'x'.`` (with close matches)."""

    kind = "command"

    def __init__(
        self,
        command_name: str,
        message: str | None = None,
        possibilities: t.Iterable[str] | None = None,
        ctx: CliContext | None = None,
    ) -> None:
        super().__init__(command_name, message, possibilities, ctx)
        self.command_name = command_name


class BadOptionUsage(UsageError):
    """An option used the wrong way (a flag given a value, a value missing)."""

    def __init__(self, option_name: str, message: str, ctx: CliContext | None = None) -> None:
        super().__init__(message, ctx)
        self.option_name = option_name


class BadArgumentUsage(UsageError):
    """An argument used the wrong way (too few values for its ``nargs``)."""


class _NoArgsIsHelp(UsageError):
    """``no_args_is_help``: the help, on stderr, exit code 2 (as Click 8.2 does)."""

    def __init__(self, ctx: CliContext) -> None:
        super().__init__(ctx.get_help(), ctx)

    def show(self, file: t.Any = None) -> None:
        echo(self.format_message(), file=file, err=True, color=self.ctx.color if self.ctx else None)


class FileError(ClickException):
    """A file could not be opened: ``Could not open file 'x': reason``."""

    def __init__(self, filename: str, hint: str | None = None) -> None:
        super().__init__(hint or "unknown error")
        self.ui_filename = os.fsdecode(filename)
        self.filename = filename

    def format_message(self) -> str:
        return "Could not open file %r: %s" % (self.ui_filename, self.message)


class Abort(RuntimeError):
    """Stop the command: ``Aborted!`` on stderr and exit code 1."""


class Exit(RuntimeError):
    """``ctx.exit(code)``: leave the command with ``code`` and no message."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.exit_code = code


# -- output ------------------------------------------------------------------------------------

_ANSI_COLOURS = {
    "black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35,
    "cyan": 36, "white": 37, "reset": 39, "bright_black": 90, "bright_red": 91,
    "bright_green": 92, "bright_yellow": 93, "bright_blue": 94, "bright_magenta": 95,
    "bright_cyan": 96, "bright_white": 97,
}  # fmt: skip
# (style keyword, code when True, code when False)
_ANSI_TEXT_STYLES = (
    ("bold", 1, 22), ("dim", 2, 22), ("underline", 4, 24), ("overline", 53, 55),
    ("italic", 3, 23), ("blink", 5, 25), ("reverse", 7, 27), ("strikethrough", 9, 29),
)  # fmt: skip
_ANSI_RE = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")

# While a CliRunner runs: prompts echo the answer they read, as a terminal would,
# and ``color`` says whether ANSI styles reach the captured output.
_cli_runner_state: dict[str, t.Any] = {"echo_input": False, "color": False}


def _ansi_colour_code(colour: t.Any, offset: int) -> str:
    if isinstance(colour, int):
        return "%d;5;%d" % (38 + offset, colour)
    if isinstance(colour, (tuple, list)):
        red, green, blue = colour
        return "%d;2;%d;%d;%d" % (38 + offset, red, green, blue)
    return str(_ANSI_COLOURS[colour] + offset)


def style(
    text: t.Any,
    fg: t.Any = None,
    bg: t.Any = None,
    bold: bool | None = None,
    dim: bool | None = None,
    underline: bool | None = None,
    overline: bool | None = None,
    italic: bool | None = None,
    blink: bool | None = None,
    reverse: bool | None = None,
    strikethrough: bool | None = None,
    reset: bool = True,
) -> str:
    """``text`` with ANSI styles: colour names, ``bright_*``, 0-255 or (r, g, b)
    (Click's ``style``)."""
    if not isinstance(text, str):
        text = str(text)
    codes = []
    for colour, offset in ((fg, 0), (bg, 10)):
        if colour:
            try:
                codes.append("\033[%sm" % _ansi_colour_code(colour, offset))
            except KeyError:
                raise TypeError("Unknown color %r" % colour) from None
    switches = {"bold": bold, "dim": dim, "underline": underline, "overline": overline,
                "italic": italic, "blink": blink, "reverse": reverse,
                "strikethrough": strikethrough}  # fmt: skip
    for name, on_code, off_code in _ANSI_TEXT_STYLES:
        if switches[name] is not None:
            codes.append("\033[%dm" % (on_code if switches[name] else off_code))
    return "".join(codes) + text + ("\033[0m" if reset else "")


def unstyle(text: str) -> str:
    """``text`` without its ANSI styles."""
    return _ANSI_RE.sub("", text)


def _should_strip_ansi(stream: t.Any, color: bool | None) -> bool:
    if color is None:
        ctx = get_current_context(silent=True)
        color = getattr(ctx, "color", None) if ctx is not None else None
    if color is not None:
        return not color
    if _cli_runner_state["echo_input"]:  # inside CliRunner.invoke
        return not _cli_runner_state["color"]
    if os.environ.get("NO_COLOR"):
        return True
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return True


def echo(
    message: t.Any = None,
    file: t.Any = None,
    nl: bool = True,
    err: bool = False,
    color: bool | None = None,
) -> None:
    """Print ``message`` (str, bytes or anything) and a newline to stdout, or stderr with ``err``.

    ANSI styles are removed when the stream is not a terminal, unless ``color`` is True.
    """
    if file is None:
        file = sys.stderr if err else sys.stdout
        if file is None:  # pythonw: no console
            return
    if message is not None and not isinstance(message, (str, bytes, bytearray)):
        message = str(message)
    out: t.Any = message
    if nl:
        out = out or ""
        out = out + (b"\n" if isinstance(out, (bytes, bytearray)) else "\n")
    if not out:
        file.flush()
        return
    if isinstance(out, (bytes, bytearray)):
        buffer = getattr(file, "buffer", None)
        file.flush()
        if buffer is not None:
            buffer.write(bytes(out))
            buffer.flush()
        else:
            file.write(bytes(out).decode("utf-8", "replace"))
        return
    if _should_strip_ansi(file, color):
        out = unstyle(out)
    file.write(out)
    file.flush()


def secho(
    message: t.Any = None,
    file: t.Any = None,
    nl: bool = True,
    err: bool = False,
    color: bool | None = None,
    **styles: t.Any,
) -> None:
    """:func:`echo` a :func:`style`-d message (bytes are written as they are)."""
    if message is not None and not isinstance(message, (bytes, bytearray)):
        message = style(message, **styles)
    echo(message, file=file, nl=nl, err=err, color=color)


# -- input -------------------------------------------------------------------------------------


def _visible_prompt_input(prompt_text: str) -> str:
    if not _cli_runner_state["echo_input"]:
        return input(prompt_text)
    sys.stdout.write(prompt_text)
    line = sys.stdin.readline()
    if not line:
        raise EOFError()
    value = line.rstrip("\r\n")
    sys.stdout.write(value + "\n")
    sys.stdout.flush()
    return value


def _hidden_prompt_input(prompt_text: str) -> str:
    if not _cli_runner_state["echo_input"]:
        import getpass

        return getpass.getpass(prompt_text)
    sys.stdout.write(prompt_text + "\n")
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError()
    return line.rstrip("\r\n")


def _build_prompt(
    text: str,
    suffix: str,
    show_default: t.Any = False,
    default: t.Any = None,
    show_choices: bool = True,
    value_type: t.Any = None,
) -> str:
    shown = text
    if value_type is not None and show_choices and isinstance(value_type, Choice):
        shown += " (%s)" % ", ".join(map(str, value_type.choices))
    if default is not None and show_default:
        shown = "%s [%s]" % (
            shown,
            getattr(default, "name", default) if hasattr(default, "read") else default,
        )
    return shown + suffix


def _ask(shown: str, hide_input: bool, err: bool) -> str:
    read = _hidden_prompt_input if hide_input else _visible_prompt_input
    try:
        # The prompt's last space is written by the reading function, as in Click.
        echo(shown.rstrip(" "), nl=False, err=err)
        return read(" ")
    except (KeyboardInterrupt, EOFError):
        if hide_input:
            echo(None, err=err)
        raise Abort() from None


def prompt(
    text: str,
    default: t.Any = None,
    hide_input: bool = False,
    confirmation_prompt: bool | str = False,
    type: t.Any = None,  # noqa: A002
    value_proc: t.Callable[[str], t.Any] | None = None,
    prompt_suffix: str = ": ",
    show_default: bool = True,
    err: bool = False,
    show_choices: bool = True,
) -> t.Any:
    """Ask for a value until one converts to ``type``; Ctrl-C or end of input is :class:`Abort`."""
    if value_proc is None:
        value_proc = convert_type(type, default)
    shown = _build_prompt(text, prompt_suffix, show_default, default, show_choices, type)
    if confirmation_prompt:
        if confirmation_prompt is True:
            confirmation_prompt = "Repeat for confirmation"
        confirmation_prompt = _build_prompt(confirmation_prompt, prompt_suffix)
    while True:
        while True:
            value = _ask(shown, hide_input, err)
            if value:
                break
            if default is not None:
                value = default
                break
        try:
            result = value_proc(value)
        except UsageError as e:
            if hide_input:
                echo("Error: The value you entered was invalid.", err=err)
            else:
                echo("Error: %s" % e.message, err=err)
            continue
        if not confirmation_prompt:
            return result
        while True:
            again = _ask(t.cast(str, confirmation_prompt), hide_input, err)
            if again or (not value and not again):
                break
        if value == again:
            return result
        echo("Error: The two entered values do not match.", err=err)


def confirm(
    text: str,
    default: bool | None = False,
    abort: bool = False,
    prompt_suffix: str = ": ",
    show_default: bool = True,
    err: bool = False,
) -> bool:
    """Ask a yes/no question; ``abort=True`` raises :class:`Abort` on no."""
    choices = "y/n" if default is None else ("Y/n" if default else "y/N")
    shown = _build_prompt(text, prompt_suffix, show_default, choices)
    while True:
        answer = _ask(shown, False, err).lower().strip()
        if answer in ("y", "yes"):
            result = True
        elif answer in ("n", "no"):
            result = False
        elif default is not None and answer == "":
            result = default
        else:
            echo("Error: invalid input", err=err)
            continue
        break
    if abort and not result:
        raise Abort()
    return result


# -- parameter types ---------------------------------------------------------------------------


class ParamType:
    """Converts a parameter's text to a value; subclasses set ``name`` and write ``convert``."""

    name: str = "text"
    is_composite = False
    arity = 1
    # What splits a list of values taken from one environment variable (None: whitespace).
    envvar_list_splitter: str | None = None

    def __call__(
        self, value: t.Any, param: Parameter | None = None, ctx: CliContext | None = None
    ) -> t.Any:
        if value is not None:
            return self.convert(value, param, ctx)
        return None

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        return value

    def get_metavar(self, param: Parameter, ctx: CliContext | None = None) -> str | None:
        return None

    def get_missing_message(self, param: Parameter, ctx: CliContext | None = None) -> str | None:
        return None

    def split_envvar_value(self, rv: str) -> list[str]:
        return (rv or "").split(self.envvar_list_splitter)

    def fail(
        self, message: str, param: Parameter | None = None, ctx: CliContext | None = None
    ) -> t.NoReturn:
        raise BadParameter(message, ctx=ctx, param=param)

    def to_info_dict(self) -> dict[str, t.Any]:
        kind = type(self).__name__.partition("ParamType")[0].partition("ParameterType")[0]
        return {"param_type": kind, "name": getattr(self, "name", kind)}


class FuncParamType(ParamType):
    """A plain function as a type: its ValueError becomes the error message."""

    def __init__(self, func: t.Callable[[t.Any], t.Any]) -> None:
        self.name = getattr(func, "__name__", "value")
        self.func = func

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        try:
            return self.func(value)
        except ValueError as e:
            self.fail(str(e) or str(value), param, ctx)


class UnprocessedParamType(ParamType):
    """The value as the parser saw it."""

    name = "text"

    def __repr__(self) -> str:
        return "UNPROCESSED"


class StringParamType(ParamType):
    """Text; bytes are decoded as the file system would."""

    name = "text"

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        if isinstance(value, bytes):
            try:
                return value.decode(sys.getfilesystemencoding())
            except UnicodeError:
                return value.decode("utf-8", "replace")
        return str(value)

    def __repr__(self) -> str:
        return "STRING"


class IntParamType(ParamType):
    name = "integer"
    number_class: t.Callable[[t.Any], t.Any] = int

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        try:
            return self.number_class(value)
        except ValueError:
            self.fail("%r is not a valid %s." % (value, self.name), param, ctx)

    def __repr__(self) -> str:
        return "INT"


class FloatParamType(IntParamType):
    name = "float"
    number_class = float

    def __repr__(self) -> str:
        return "FLOAT"


class BoolParamType(ParamType):
    """``1/0, true/false, t/f, yes/no, y/n, on/off`` in any case (and the empty string: false)."""

    name = "boolean"
    bool_states = {
        "1": True, "0": False, "yes": True, "no": False, "true": True, "false": False,
        "on": True, "off": False, "t": True, "f": False, "y": True, "n": False, "": False,
    }  # fmt: skip

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        if isinstance(value, bool):
            return value
        found = self.bool_states.get(str(value).strip().lower())
        if found is None:
            self.fail(
                "%r is not a valid boolean. Recognized values: %s"
                % (value, ", ".join(sorted(self.bool_states))),
                param,
                ctx,
            )
        return found

    def __repr__(self) -> str:
        return "BOOL"


class UUIDParameterType(ParamType):
    name = "uuid"

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        import uuid

        if isinstance(value, uuid.UUID):
            return value
        value = value.strip()
        try:
            return uuid.UUID(value)
        except ValueError:
            self.fail("%r is not a valid UUID." % value, param, ctx)

    def __repr__(self) -> str:
        return "UUID"


class Choice(ParamType):
    """One of ``choices`` (compared as text, case-folded unless ``case_sensitive``)."""

    name = "choice"

    def __init__(self, choices: t.Iterable[t.Any], case_sensitive: bool = True) -> None:
        self.choices = tuple(choices)
        self.case_sensitive = case_sensitive

    def normalize_choice(self, choice: t.Any, ctx: CliContext | None) -> str:
        normed = choice.name if isinstance(choice, enum.Enum) else str(choice)
        if ctx is not None and ctx.token_normalize_func is not None:
            normed = ctx.token_normalize_func(normed)
        if not self.case_sensitive:
            normed = normed.casefold()
        return normed

    def _normalized(self, ctx: CliContext | None) -> dict[t.Any, str]:
        return {choice: self.normalize_choice(choice, ctx) for choice in self.choices}

    def get_metavar(self, param: Parameter, ctx: CliContext | None = None) -> str | None:
        shown = "|".join(self._normalized(ctx).values())
        if param.required and param.param_type_name == "argument":
            return "{%s}" % shown
        return "[%s]" % shown

    def get_missing_message(self, param: Parameter, ctx: CliContext | None = None) -> str | None:
        return "Choose from:\n\t%s" % ",\n\t".join(self._normalized(ctx).values())

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        wanted = self.normalize_choice(value, ctx)
        for original, normalized in self._normalized(ctx).items():
            if normalized == wanted:
                return original
        shown = ", ".join(map(repr, self._normalized(ctx).values()))
        if len(self.choices) == 1:
            self.fail("%r is not %s." % (value, shown), param, ctx)
        self.fail("%r is not one of %s." % (value, shown), param, ctx)

    def __repr__(self) -> str:
        return "Choice(%r)" % list(self.choices)


class DateTime(ParamType):
    """A ``datetime`` parsed with the first of ``formats`` that fits (ISO dates by default)."""

    name = "datetime"

    def __init__(self, formats: t.Sequence[str] | None = None) -> None:
        self.formats = formats or ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]

    def get_metavar(self, param: Parameter, ctx: CliContext | None = None) -> str | None:
        return "[%s]" % "|".join(self.formats)

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        from datetime import datetime

        if isinstance(value, datetime):
            return value
        for fmt in self.formats:
            try:
                return datetime.strptime(value, fmt)
            except ValueError:
                continue
        shown = ", ".join(map(repr, self.formats))
        word = "format" if len(self.formats) == 1 else "formats"
        self.fail("%r does not match the %s %s." % (value, word, shown), param, ctx)

    def __repr__(self) -> str:
        return "DateTime"


class _NumberRangeMixin:
    """What IntRange and FloatRange share: the bounds, the check and the clamp."""

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

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        number = super().convert(value, param, ctx)  # type: ignore[misc]
        low, high = self.min, self.max
        below = low is not None and (number <= low if self.min_open else number < low)
        above = high is not None and (number >= high if self.max_open else number > high)
        if self.clamp:
            if below:
                return self._clamp(low, 1, self.min_open)
            if above:
                return self._clamp(high, -1, self.max_open)
        if below or above:
            self.fail(  # type: ignore[attr-defined]
                "%s is not in the range %s." % (number, self._describe_range()), param, ctx
            )
        return number

    def _clamp(self, bound: t.Any, direction: int, is_open: bool) -> t.Any:
        raise NotImplementedError

    def _describe_range(self) -> str:
        if self.min is None:
            return "x%s%s" % ("<" if self.max_open else "<=", self.max)
        if self.max is None:
            return "x%s%s" % (">" if self.min_open else ">=", self.min)
        return "%s%sx%s%s" % (
            self.min, "<" if self.min_open else "<=", "<" if self.max_open else "<=", self.max
        )

    def __repr__(self) -> str:
        return "<%s %s%s>" % (
            type(self).__name__,
            self._describe_range(),
            " clamped" if self.clamp else "",
        )


class IntRange(_NumberRangeMixin, IntParamType):
    """An integer within ``min``..``max`` (either may be None); ``clamp`` pulls it inside."""

    name = "integer range"

    def _clamp(self, bound: t.Any, direction: int, is_open: bool) -> t.Any:
        return bound + direction if is_open else bound


class FloatRange(_NumberRangeMixin, FloatParamType):
    """A float within ``min``..``max``; ``clamp`` is refused with open bounds."""

    name = "float range"

    def __init__(
        self,
        min: float | None = None,  # noqa: A002
        max: float | None = None,  # noqa: A002
        min_open: bool = False,
        max_open: bool = False,
        clamp: bool = False,
    ) -> None:
        super().__init__(min=min, max=max, min_open=min_open, max_open=max_open, clamp=clamp)
        if (min_open or max_open) and clamp:
            raise TypeError("Clamping is not supported for open bounds.")

    def _clamp(self, bound: t.Any, direction: int, is_open: bool) -> t.Any:
        if not is_open:
            return bound
        raise RuntimeError("Clamping is not supported for open bounds.")


class Path(ParamType):
    """A file system path, checked as asked (exists, file or directory, permissions)."""

    envvar_list_splitter = os.path.pathsep

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
        self.writable = writable
        self.readable = readable
        self.executable = executable
        self.resolve_path = resolve_path
        self.allow_dash = allow_dash
        self.type = path_type
        if file_okay and not dir_okay:
            self.name = "file"
        elif dir_okay and not file_okay:
            self.name = "directory"
        else:
            self.name = "path"

    def coerce_path_result(self, value: t.Any) -> t.Any:
        if self.type is not None and not isinstance(value, self.type):
            if self.type is str:
                return os.fsdecode(value)
            if self.type is bytes:
                return os.fsencode(value)
            return self.type(value)
        return value

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        import stat

        path = value
        if self.file_okay and self.allow_dash and path in (b"-", "-"):
            return self.coerce_path_result(path)
        if self.resolve_path:
            path = os.path.realpath(path)
        label = self.name.title()
        shown = os.fsdecode(value)
        try:
            status = os.stat(path)
        except OSError:
            if not self.exists:
                return self.coerce_path_result(path)
            self.fail("%s %r does not exist." % (label, shown), param, ctx)
        checks = (
            (not self.file_okay and stat.S_ISREG(status.st_mode), "is a file"),
            (not self.dir_okay and stat.S_ISDIR(status.st_mode), "is a directory"),
            (self.readable and not os.access(path, os.R_OK), "is not readable"),
            (self.writable and not os.access(path, os.W_OK), "is not writable"),
            (self.executable and not os.access(value, os.X_OK), "is not executable"),
        )
        for failed, what in checks:
            if failed:
                self.fail("%s %r %s." % (label, shown, what), param, ctx)
        return self.coerce_path_result(path)


def _standard_stream(mode: str, encoding: str | None, errors: str | None) -> t.Any:
    """``-`` as a file: stdin, or stdout when writing; text or binary by ``mode``."""
    writing = any(m in mode for m in "wax")
    stream = sys.stdout if writing else sys.stdin
    if "b" in mode:
        return getattr(stream, "buffer", stream)
    return stream


class _AtomicWriteFile:
    """Writes go to a temporary file beside the target, moved over it on close."""

    def __init__(self, handle: t.Any, temporary: str, target: str) -> None:
        self._handle = handle
        self._temporary = temporary
        self.name = target
        self.closed = False

    def close(self, delete: bool = False) -> None:
        if self.closed:
            return
        self._handle.close()
        os.replace(self._temporary, self.name)
        self.closed = True

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _AtomicWriteFile:
        return self

    def __exit__(self, exc_type: t.Any, *rest: t.Any) -> None:
        self.close(delete=exc_type is not None)


def _open_file_stream(
    filename: t.Any, mode: str, encoding: str | None, errors: str | None, atomic: bool
) -> tuple[t.Any, bool]:
    """(file object, whether closing it is ours to do)."""
    filename = os.fspath(filename)
    if os.fsdecode(filename) == "-":
        return _standard_stream(mode, encoding, errors), False
    if not atomic:
        if "b" in mode:
            return open(filename, mode), True
        return open(filename, mode, encoding=encoding, errors=errors), True
    if "w" not in mode:
        raise ValueError("Atomic writes only make sense with `w`-mode.")
    import tempfile

    fd, temporary = tempfile.mkstemp(
        dir=os.path.dirname(os.path.abspath(filename)), prefix=".__atomic-write"
    )
    if "b" in mode:
        handle = os.fdopen(fd, mode)
    else:
        handle = os.fdopen(fd, mode, encoding=encoding, errors=errors)
    return _AtomicWriteFile(handle, temporary, filename), True


class LazyFile:
    """A file opened on first use (a file to write is not created until written)."""

    def __init__(
        self,
        filename: t.Any,
        mode: str = "r",
        encoding: str | None = None,
        errors: str | None = "strict",
        atomic: bool = False,
    ) -> None:
        self.name = os.fspath(filename)
        self.mode = mode
        self.encoding = encoding
        self.errors = errors
        self.atomic = atomic
        self._f: t.Any = None
        if self.name == "-":
            self._f, self.should_close = _open_file_stream(filename, mode, encoding, errors, False)
        else:
            if "r" in mode:
                open(filename, mode).close()  # fail early if it cannot be read
            self.should_close = True

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self.open(), name)

    def __repr__(self) -> str:
        if self._f is not None:
            return repr(self._f)
        return "<unopened file %r %s>" % (self.name, self.mode)

    def open(self) -> t.Any:
        if self._f is None:
            try:
                self._f, self.should_close = _open_file_stream(
                    self.name, self.mode, self.encoding, self.errors, self.atomic
                )
            except OSError as e:
                raise FileError(self.name, hint=e.strerror) from e
        return self._f

    def close(self) -> None:
        if self._f is not None:
            self._f.close()

    def close_intelligently(self) -> None:
        """Close the file unless it is stdin or stdout."""
        if self.should_close:
            self.close()

    def __enter__(self) -> LazyFile:
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self.close_intelligently()

    def __iter__(self) -> t.Iterator[t.Any]:
        self.open()
        return iter(self._f)


class FileParamType(ParamType):
    """An open file (``-`` is stdin or stdout), closed when the command's context ends.

    Files to write are opened lazily by default; ``atomic=True`` writes a
    temporary file and moves it into place on close.
    """

    name = "filename"
    envvar_list_splitter = os.path.pathsep

    def __init__(
        self,
        mode: str = "r",
        encoding: str | None = None,
        errors: str | None = "strict",
        lazy: bool | None = None,
        atomic: bool = False,
    ) -> None:
        self.mode = mode
        self.encoding = encoding
        self.errors = errors
        self.lazy = lazy
        self.atomic = atomic

    def resolve_lazy_flag(self, value: t.Any) -> bool:
        if self.lazy is not None:
            return self.lazy
        if os.fspath(value) == "-":
            return False
        return "w" in self.mode

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        if hasattr(value, "read") or hasattr(value, "write"):
            return value
        try:
            if self.resolve_lazy_flag(value):
                lazy_file = LazyFile(
                    value, self.mode, self.encoding, self.errors, atomic=self.atomic
                )
                if ctx is not None:
                    ctx.call_on_close(lazy_file.close_intelligently)
                return lazy_file
            handle, should_close = _open_file_stream(
                value, self.mode, self.encoding, self.errors, self.atomic
            )
            if ctx is not None:
                ctx.call_on_close(handle.close if should_close else handle.flush)
            return handle
        except OSError as e:
            self.fail("'%s': %s" % (os.fsdecode(value), e.strerror), param, ctx)


class TupleParamType(ParamType):
    """A fixed number of values, each with its own type (``type=(str, int)``)."""

    is_composite = True

    def __init__(self, types: t.Sequence[t.Any]) -> None:
        self.types = [convert_type(each) for each in types]

    @property
    def name(self) -> str:  # type: ignore[override]
        return "<%s>" % " ".join(each.name for each in self.types)

    @property
    def arity(self) -> int:  # type: ignore[override]
        return len(self.types)

    def convert(self, value: t.Any, param: Parameter | None, ctx: CliContext | None) -> t.Any:
        if len(value) != len(self.types):
            verb = "was" if len(value) == 1 else "were"
            self.fail(
                "%d values are required, but %d %s given." % (len(self.types), len(value), verb),
                param,
                ctx,
            )
        return tuple(each(item, param, ctx) for each, item in zip(self.types, value))


File = FileParamType
Tuple = TupleParamType

STRING = StringParamType()
INT = IntParamType()
FLOAT = FloatParamType()
BOOL = BoolParamType()
UUID = UUIDParameterType()
UNPROCESSED = UnprocessedParamType()


def convert_type(ty: t.Any = None, default: t.Any = None) -> ParamType:
    """The :class:`ParamType` for ``ty`` (a Python type, a tuple, a type object),
    else guessed from ``default``."""
    guessed = False
    if ty is None and default is not None:
        if isinstance(default, (tuple, list)):
            if default:
                first = default[0]
                ty = tuple(map(type, first)) if isinstance(first, (tuple, list)) else type(first)
        else:
            ty = type(default)
        guessed = True
    if isinstance(ty, tuple):
        return TupleParamType(ty)
    if isinstance(ty, ParamType):
        return ty
    if ty is str or ty is None:
        return STRING
    if ty is int:
        return INT
    if ty is float:
        return FLOAT
    if ty is bool:
        return BOOL
    if guessed:
        return STRING
    if _is_real_click(ty):
        return _real_click_bridge().toolkit_type_for(ty)
    if isinstance(ty, type) and issubclass(ty, ParamType):
        raise AssertionError("Attempted to use an uninstantiated parameter type (%s)." % ty)
    return FuncParamType(ty)


# -- the current context -----------------------------------------------------------------------

# Each thread has its own stack of current contexts, as in Click.
_cli_context_local = threading.local()
# On the stack while a Click command runs below one of ours: "ask Click".
_DEFER_TO_REAL_CLICK = object()


def _cli_context_stack() -> list[t.Any]:
    try:
        return _cli_context_local.stack  # type: ignore[no-any-return]
    except AttributeError:
        _cli_context_local.stack = []
        return _cli_context_local.stack  # type: ignore[no-any-return]


def get_current_context(silent: bool = False) -> t.Any:
    """The context of the command being run (Click's, while a Click command runs)."""
    stack = _cli_context_stack()
    if stack and stack[-1] is not _DEFER_TO_REAL_CLICK:
        return stack[-1]
    click = sys.modules.get("click")
    if click is not None:
        found = click.get_current_context(silent=True)
        if found is not None:
            return found
    if silent:
        return None
    raise RuntimeError("There is no active click context.")


class ParameterSource(enum.Enum):
    """Where a parameter's value came from (``ctx.get_parameter_source(name)``)."""

    COMMANDLINE = enum.auto()
    ENVIRONMENT = enum.auto()
    DEFAULT = enum.auto()
    DEFAULT_MAP = enum.auto()
    PROMPT = enum.auto()


class CliContext:
    """One command's invocation: its parent, the parsed ``params`` and the shared ``obj``.

    Settings not given are inherited from the parent, as in Click.
    """

    def __init__(
        self,
        command: Command,
        parent: CliContext | None = None,
        info_name: str | None = None,
        obj: t.Any = None,
        auto_envvar_prefix: str | None = None,
        default_map: t.MutableMapping[str, t.Any] | None = None,
        terminal_width: int | None = None,
        max_content_width: int | None = None,
        resilient_parsing: bool = False,
        allow_extra_args: bool | None = None,
        allow_interspersed_args: bool | None = None,
        ignore_unknown_options: bool | None = None,
        help_option_names: list[str] | None = None,
        token_normalize_func: t.Callable[[str], str] | None = None,
        color: bool | None = None,
        show_default: bool | None = None,
    ) -> None:
        self.parent = parent
        self.command = command
        self.info_name = info_name
        self.params: dict[str, t.Any] = {}
        self.args: list[str] = []
        self.protected_args: list[str] = []
        self.invoked_subcommand: str | None = None
        if obj is None and parent is not None:
            obj = parent.obj
        self.obj = obj
        self.meta: dict[str, t.Any] = getattr(parent, "meta", {})
        if (
            default_map is None
            and info_name is not None
            and parent is not None
            and parent.default_map is not None
        ):
            default_map = parent.default_map.get(info_name)
        self.default_map = default_map
        self.terminal_width = (
            terminal_width
            if terminal_width is not None
            else getattr(parent, "terminal_width", None)
        )
        self.max_content_width = (
            max_content_width
            if max_content_width is not None
            else getattr(parent, "max_content_width", None)
        )
        self.resilient_parsing = resilient_parsing
        self.allow_extra_args = (
            command.allow_extra_args if allow_extra_args is None else allow_extra_args
        )
        self.allow_interspersed_args = (
            command.allow_interspersed_args
            if allow_interspersed_args is None
            else allow_interspersed_args
        )
        self.ignore_unknown_options = (
            command.ignore_unknown_options
            if ignore_unknown_options is None
            else ignore_unknown_options
        )
        if help_option_names is None:
            help_option_names = parent.help_option_names if parent is not None else ["--help"]
        self.help_option_names = help_option_names
        if token_normalize_func is None and parent is not None:
            token_normalize_func = parent.token_normalize_func
        self.token_normalize_func = token_normalize_func
        if auto_envvar_prefix is None:
            if (
                parent is not None
                and parent.auto_envvar_prefix is not None
                and info_name is not None
            ):
                auto_envvar_prefix = "%s_%s" % (parent.auto_envvar_prefix, info_name.upper())
        else:
            auto_envvar_prefix = auto_envvar_prefix.upper()
        if auto_envvar_prefix is not None:
            auto_envvar_prefix = auto_envvar_prefix.replace("-", "_")
        self.auto_envvar_prefix = auto_envvar_prefix
        self.color = color if color is not None else getattr(parent, "color", None)
        self.show_default = (
            show_default if show_default is not None else getattr(parent, "show_default", None)
        )
        self._close_callbacks: list[t.Callable[[], t.Any]] = []
        self._depth = 0
        self._parameter_source: dict[str, ParameterSource] = {}

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self.command_path)

    @property
    def command_path(self) -> str:
        """``prog group command``, as the usage line shows it."""
        name = self.info_name or ""
        if self.parent is not None:
            pieces = [self.parent.command_path]
            parent_command = self.parent.command
            if isinstance(parent_command, Command):
                for param in parent_command.get_params(self):
                    pieces.extend(param.get_usage_pieces(self))
            name = "%s %s" % (" ".join(pieces), name)
        return name.lstrip()

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
        """The nearest ``obj`` of ``object_type``, made (and stored here) when there is none."""
        found = self.find_object(object_type)
        if found is None:
            self.obj = found = object_type()
        return found

    def lookup_default(self, name: str, call: bool = True) -> t.Any:
        if self.default_map is not None:
            value = self.default_map.get(name)
            if call and callable(value):
                return value()
            return value
        return None

    def get_parameter_source(self, name: str) -> ParameterSource | None:
        return self._parameter_source.get(name)

    def set_parameter_source(self, name: str, source: ParameterSource) -> None:
        self._parameter_source[name] = source

    # -- resources --------------------------------------------------------------------------

    def call_on_close(self, f: t.Callable[[], t.Any]) -> t.Callable[[], t.Any]:
        self._close_callbacks.append(f)
        return f

    def with_resource(self, context_manager: t.Any) -> t.Any:
        """Enter ``context_manager`` now; it exits when this context closes."""
        value = context_manager.__enter__()
        self._close_callbacks.append(lambda: context_manager.__exit__(None, None, None))
        return value

    def close(self) -> None:
        while self._close_callbacks:
            self._close_callbacks.pop()()

    def __enter__(self) -> CliContext:
        # Entered by ``main`` and again around callbacks: resources are released
        # when the outermost ``with`` ends, as in Click.
        self._depth += 1
        _cli_context_stack().append(self)
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                self.close()
        finally:
            _cli_context_stack().pop()

    def scope(self, cleanup: bool = True) -> t.Any:
        """``with ctx.scope():`` makes this the current context; ``cleanup=False``
        keeps its resources."""
        import contextlib

        @contextlib.contextmanager
        def entered() -> t.Iterator[CliContext]:
            if not cleanup:
                self._depth += 1
            try:
                with self as rv:
                    yield rv
            finally:
                if not cleanup:
                    self._depth -= 1

        return entered()

    # -- help, failing and leaving ----------------------------------------------------------

    def get_usage(self) -> str:
        return self.command.get_usage(self)

    def get_help(self) -> str:
        return self.command.get_help(self)

    def fail(self, message: str) -> t.NoReturn:
        raise UsageError(message, self)

    def abort(self) -> t.NoReturn:
        raise Abort()

    def exit(self, code: int = 0) -> t.NoReturn:
        """Leave with ``code``; what :meth:`with_resource` entered is closed first (Click 8.2)."""
        self.close()
        raise Exit(code)

    # -- calling other commands ---------------------------------------------------------------

    def _make_sub_context(self, command: Command) -> CliContext:
        return type(self)(command, info_name=command.name, parent=self)

    def invoke(self, callback: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Call a function, or another command's callback with its defaults filled in."""
        if _is_real_click(callback):
            twin = _real_click_bridge().click_context_for(self)
            return twin.invoke(callback, *args, **kwargs)
        if isinstance(callback, Command):
            other = callback
            if other.callback is None:
                raise TypeError("The given command does not have a callback that can be invoked.")
            ctx = self._make_sub_context(other)
            for param in other.params:
                if param.name not in kwargs and param.expose_value:
                    kwargs[param.name] = param.type_cast_value(ctx, param.get_default(ctx))
            ctx.params.update(kwargs)
            callback = other.callback
        else:
            ctx = self
        with _UsageErrorsNamed(self):
            with ctx:
                return callback(*args, **kwargs)

    def forward(self, command: Command, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """:meth:`invoke` ``command`` with this context's parameters (``kwargs`` win)."""
        if not isinstance(command, Command) and not _is_real_click(command):
            raise TypeError("Callback is not a command.")
        for name, value in self.params.items():
            kwargs.setdefault(name, value)
        return self.invoke(command, *args, **kwargs)


Context = CliContext


class _UsageErrorsNamed:
    """``with _UsageErrorsNamed(ctx):`` fills in the context (and parameter) of a
    usage error raised inside."""

    def __init__(self, ctx: CliContext, param: Parameter | None = None) -> None:
        self.ctx = ctx
        self.param = param

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: t.Any, exc: t.Any, tb: t.Any) -> None:
        if isinstance(exc, BadParameter):
            if exc.ctx is None:
                exc.ctx = self.ctx
            if exc.param is None:
                exc.param = self.param
        elif isinstance(exc, UsageError) and exc.ctx is None:
            exc.ctx = self.ctx


def pass_cli_context(f: t.Callable) -> t.Callable:
    """Pass the current context as the first argument (Click's ``pass_context``)."""

    @functools.wraps(f)
    def with_context(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return f(get_current_context(), *args, **kwargs)

    return with_context


pass_context = pass_cli_context


def pass_obj(f: t.Callable) -> t.Callable:
    """Pass the context's ``obj`` as the first argument."""

    @functools.wraps(f)
    def with_obj(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return f(get_current_context().obj, *args, **kwargs)

    return with_obj


def make_pass_decorator(
    object_type: type, ensure: bool = False
) -> t.Callable[[t.Callable], t.Callable]:
    """A decorator passing the nearest ``obj`` of ``object_type`` (made if ``ensure``)."""

    def decorator(f: t.Callable) -> t.Callable:
        @functools.wraps(f)
        def with_object(*args: t.Any, **kwargs: t.Any) -> t.Any:
            ctx = get_current_context()
            found = ctx.ensure_object(object_type) if ensure else ctx.find_object(object_type)
            if found is None:
                raise RuntimeError(
                    "Managed to invoke callback without a context object of type %r existing."
                    % object_type.__name__
                )
            return ctx.invoke(f, found, *args, **kwargs)

        return with_object

    return decorator


# -- parameters ----------------------------------------------------------------------------------


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


# "No default was given" (distinct from a default of None).
_PARAM_UNSET: t.Any = _Unset()


def _split_opt(opt: str) -> tuple[str, str]:
    """("--", "name") for "--name", ("-", "n") for "-n", ("", "x") for "x"."""
    first = opt[:1]
    if first.isalnum():
        return "", opt
    if opt[1:2] == first:
        return opt[:2], opt[2:]
    return first, opt[1:]


class Parameter:
    """What options and arguments share: a name, a type, a default, a callback."""

    param_type_name = "parameter"

    def __init__(
        self,
        param_decls: t.Sequence[str] | None = None,
        type: t.Any = None,  # noqa: A002
        required: bool = False,
        default: t.Any = _PARAM_UNSET,
        callback: t.Callable[[t.Any, t.Any, t.Any], t.Any] | None = None,
        nargs: int | None = None,
        multiple: bool = False,
        metavar: str | None = None,
        expose_value: bool = True,
        is_eager: bool = False,
        envvar: str | t.Sequence[str] | None = None,
        shell_complete: t.Any = None,
        deprecated: bool | str = False,
    ) -> None:
        self.name, self.opts, self.secondary_opts = self._parse_decls(
            param_decls or (), expose_value
        )
        self.type = convert_type(type, None if default is _PARAM_UNSET else default)
        if nargs is None:
            nargs = self.type.arity if self.type.is_composite else 1
        self.required = required
        self.callback = callback
        self.nargs = nargs
        self.multiple = multiple
        self.expose_value = expose_value
        self.default = default
        self.is_eager = is_eager
        self.metavar = metavar
        self.envvar = envvar
        self.deprecated = deprecated
        self.show_choices = True

    def _parse_decls(
        self, decls: t.Sequence[str], expose_value: bool
    ) -> tuple[t.Any, list[str], list[str]]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self.name)

    @property
    def human_readable_name(self) -> str:
        return self.name or ""

    def make_metavar(self, ctx: CliContext | None = None) -> str:
        if self.metavar is not None:
            return self.metavar
        metavar = self.type.get_metavar(self, ctx)
        if metavar is None:
            metavar = self.type.name.upper()
        if self.nargs != 1:
            metavar += "..."
        return metavar

    def get_default(self, ctx: CliContext, call: bool = True) -> t.Any:
        value = ctx.lookup_default(self.name, call=False) if self.name else None
        if value is None:
            value = None if self.default is _PARAM_UNSET else self.default
        if call and callable(value):
            value = value()
        return value

    def resolve_envvar_value(self, ctx: CliContext) -> str | None:
        names = [self.envvar] if isinstance(self.envvar, str) else list(self.envvar or ())
        for name in names:
            value = os.environ.get(name)
            if value:
                return value
        return None

    def value_from_envvar(self, ctx: CliContext) -> t.Any:
        value = self.resolve_envvar_value(ctx)
        if value is not None and self.nargs != 1:
            return self.type.split_envvar_value(value)
        return value

    def consume_value(
        self, ctx: CliContext, opts: dict[str, t.Any]
    ) -> tuple[t.Any, ParameterSource]:
        """The raw value and where it came from: command line, environment, default map, default."""
        value = opts.get(self.name) if self.name else None
        source = ParameterSource.COMMANDLINE
        if value is None or value is _PARAM_UNSET:
            value = self.value_from_envvar(ctx)
            source = ParameterSource.ENVIRONMENT
        if value is None:
            value = ctx.lookup_default(self.name) if self.name else None
            source = ParameterSource.DEFAULT_MAP
        if value is None:
            value = self.get_default(ctx)
            source = ParameterSource.DEFAULT
        return value, source

    def type_cast_value(self, ctx: CliContext, value: t.Any) -> t.Any:
        """Convert with the type, honouring ``nargs`` and ``multiple``."""
        if value is None or value is _PARAM_UNSET:
            return () if self.multiple or self.nargs == -1 else None

        def check_iter(values: t.Any) -> t.Any:
            if isinstance(values, str):
                raise BadParameter("Value must be an iterable.", ctx=ctx, param=self)
            try:
                return iter(values)
            except TypeError:
                raise BadParameter("Value must be an iterable.", ctx=ctx, param=self) from None

        def convert(item: t.Any) -> t.Any:
            if self.nargs == 1 or self.type.is_composite:
                return self.type(item, self, ctx)
            if self.nargs == -1:
                return tuple(self.type(x, self, ctx) for x in check_iter(item))
            items = tuple(check_iter(item))
            if len(items) != self.nargs:
                raise BadParameter(
                    "Takes %d values but %d %s given."
                    % (self.nargs, len(items), "was" if len(items) == 1 else "were"),
                    ctx=ctx,
                    param=self,
                )
            return tuple(self.type(x, self, ctx) for x in items)

        if self.multiple:
            return tuple(convert(x) for x in check_iter(value))
        return convert(value)

    def value_is_missing(self, value: t.Any) -> bool:
        if value is None:
            return True
        return (self.nargs != 1 or self.multiple) and value == ()

    def process_value(self, ctx: CliContext, value: t.Any) -> t.Any:
        value = self.type_cast_value(ctx, value)
        if self.required and self.value_is_missing(value):
            raise MissingParameter(ctx=ctx, param=self)
        if self.callback is not None:
            value = self.callback(ctx, self, value)
        return value

    def handle_parse_result(
        self, ctx: CliContext, opts: dict[str, t.Any], args: list[str]
    ) -> tuple[t.Any, list[str]]:
        with _UsageErrorsNamed(ctx, param=self):
            value, source = self.consume_value(ctx, opts)
            if self.name:
                ctx.set_parameter_source(self.name, source)
            try:
                value = self.process_value(ctx, value)
            except Exception:
                if not ctx.resilient_parsing:
                    raise
                value = None
        if self.expose_value and self.name:
            ctx.params[self.name] = value
        return value, args

    def get_help_record(self, ctx: CliContext) -> tuple[str, str] | None:
        return None

    def get_usage_pieces(self, ctx: CliContext) -> list[str]:
        return []

    def get_error_hint(self, ctx: CliContext | None) -> str:
        return " / ".join("'%s'" % x for x in (self.opts or [self.human_readable_name]))

    def add_to_parser(self, parser: _CommandLineParser, ctx: CliContext) -> None:
        raise NotImplementedError


class Option(Parameter):
    """An ``--option``: with a value, a flag, a ``--yes/--no`` pair, repeated or counted."""

    param_type_name = "option"

    def __init__(
        self,
        param_decls: t.Sequence[str] | None = None,
        show_default: bool | str | None = None,
        prompt: bool | str = False,
        confirmation_prompt: bool | str = False,
        prompt_required: bool = True,
        hide_input: bool = False,
        is_flag: bool | None = None,
        flag_value: t.Any = None,
        multiple: bool = False,
        count: bool = False,
        allow_from_autoenv: bool = True,
        type: t.Any = None,  # noqa: A002
        help: str | None = None,  # noqa: A002
        hidden: bool = False,
        show_choices: bool = True,
        show_envvar: bool = False,
        **attrs: t.Any,
    ) -> None:
        if help:
            help = inspect.cleandoc(help)  # noqa: A001
        default_is_missing = attrs.get("default", _PARAM_UNSET) is _PARAM_UNSET
        super().__init__(param_decls, type=type, multiple=multiple, **attrs)
        if prompt is True:
            if self.name is None:
                raise TypeError("'name' is required with 'prompt=True'.")
            prompt_text: str | None = self.name.replace("_", " ").capitalize()
        elif prompt is False:
            prompt_text = None
        else:
            prompt_text = prompt
        self.prompt = prompt_text
        self.confirmation_prompt = confirmation_prompt
        self.prompt_required = prompt_required
        self.hide_input = hide_input
        self.hidden = hidden
        if is_flag is None:
            is_flag = flag_value is not None or bool(self.secondary_opts)
        if is_flag and default_is_missing and not self.required:
            self.default = () if multiple else False
        if flag_value is None:
            flag_value = not self.default if not multiple else True
        if is_flag and type is None:
            self.type = convert_type(None, flag_value)
        self.is_flag = bool(is_flag)
        self.is_bool_flag = self.is_flag and isinstance(self.type, BoolParamType)
        self.flag_value = flag_value
        self.count = count
        if count:
            if type is None:
                self.type = IntRange(min=0)
            if default_is_missing:
                self.default = 0
        self.allow_from_autoenv = allow_from_autoenv
        self.help = help
        self.show_default = show_default
        self.show_choices = show_choices
        self.show_envvar = show_envvar
        if self.is_flag and self.nargs != 1:
            raise TypeError("'nargs' cannot be used with flag options.")
        if count and (multiple or self.is_flag):
            raise TypeError("'count' is not valid with 'multiple' or 'is_flag'.")

    def _parse_decls(
        self, decls: t.Sequence[str], expose_value: bool
    ) -> tuple[t.Any, list[str], list[str]]:
        opts: list[str] = []
        secondary_opts: list[str] = []
        name = None
        possible_names = []
        for decl in decls:
            if decl.isidentifier():
                if name is not None:
                    raise TypeError("Name '%s' defined twice" % decl)
                name = decl
                continue
            split_char = ";" if decl[:1] == "/" else "/"
            if split_char in decl:
                first, second = decl.split(split_char, 1)
                first = first.rstrip()
                if first:
                    possible_names.append(_split_opt(first))
                    opts.append(first)
                second = second.lstrip()
                if second:
                    secondary_opts.append(second)
                if first == second:
                    raise ValueError(
                        "Boolean option %r cannot use the same flag for true/false." % decl
                    )
            else:
                possible_names.append(_split_opt(decl))
                opts.append(decl)
        if name is None and possible_names:
            # The longest prefix wins ("--count" over "-c"), as in Click.
            possible_names.sort(key=lambda x: -len(x[0]))
            name = possible_names[0][1].replace("-", "_").lower()
            if not name.isidentifier():
                name = None
        if name is None:
            if not expose_value:
                return None, opts, secondary_opts
            raise TypeError(
                "Could not determine name for option with declarations %r" % list(decls)
            )
        if not opts and not secondary_opts:
            raise TypeError(
                "No options defined but a name was passed (%s). Did you mean to declare an"
                " argument instead? Did you mean to pass '--%s'?" % (name, name)
            )
        return name, opts, secondary_opts

    def get_error_hint(self, ctx: CliContext | None) -> str:
        hint = super().get_error_hint(ctx)
        if self.show_envvar and self.envvar is not None:
            hint += " (env var: '%s')" % self.envvar
        return hint

    def add_to_parser(self, parser: _CommandLineParser, ctx: CliContext) -> None:
        if self.multiple:
            action = "append"
        elif self.count:
            action = "count"
        else:
            action = "store"
        if self.is_flag:
            action += "_const"
            if self.is_bool_flag and self.secondary_opts:
                parser.add_option(self, self.opts, action, const=True)
                parser.add_option(self, self.secondary_opts, action, const=False)
            else:
                parser.add_option(self, self.opts, action, const=self.flag_value)
        else:
            parser.add_option(self, self.opts, action, nargs=self.nargs)

    def get_default(self, ctx: CliContext, call: bool = True) -> t.Any:
        # A flag with a non-boolean flag_value shares its name with others;
        # the one whose default is true gives the value.
        if self.is_flag and not self.is_bool_flag:
            for param in ctx.command.params:
                if param.name == self.name and param.default not in (None, _PARAM_UNSET, False):
                    return param.flag_value  # type: ignore[attr-defined]
            return None
        return super().get_default(ctx, call=call)

    def resolve_envvar_value(self, ctx: CliContext) -> str | None:
        value = super().resolve_envvar_value(ctx)
        if value is not None:
            return value
        if self.allow_from_autoenv and ctx.auto_envvar_prefix is not None and self.name is not None:
            value = os.environ.get("%s_%s" % (ctx.auto_envvar_prefix, self.name.upper()))
            if value:
                return value
        return None

    def value_from_envvar(self, ctx: CliContext) -> t.Any:
        value = self.resolve_envvar_value(ctx)
        if value is None:
            return None
        depth = (self.nargs != 1) + bool(self.multiple)
        if depth > 0:
            values: t.Any = self.type.split_envvar_value(value)
            if self.multiple and self.nargs != 1:
                values = [
                    tuple(values[i : i + self.nargs]) for i in range(0, len(values), self.nargs)
                ]
            return values
        return value

    def consume_value(
        self, ctx: CliContext, opts: dict[str, t.Any]
    ) -> tuple[t.Any, ParameterSource]:
        value, source = super().consume_value(ctx, opts)
        if (
            source in (None, ParameterSource.DEFAULT)
            and self.prompt is not None
            and (self.required or self.prompt_required)
            and not ctx.resilient_parsing
        ):
            value = self.prompt_for_value(ctx)
            source = ParameterSource.PROMPT
        return value, source

    def prompt_for_value(self, ctx: CliContext) -> t.Any:
        default = self.get_default(ctx)
        if self.is_bool_flag:
            return confirm(self.prompt or "", default)
        return prompt(
            self.prompt or "",
            default=default,
            type=self.type,
            hide_input=self.hide_input,
            show_choices=self.show_choices,
            confirmation_prompt=self.confirmation_prompt,
            value_proc=lambda x: self.process_value(ctx, x),
        )

    def get_help_record(self, ctx: CliContext) -> tuple[str, str] | None:
        if self.hidden:
            return None
        any_slash = False

        def joined(options: list[str]) -> str:
            nonlocal any_slash
            ranked = sorted(options, key=lambda o: len(_split_opt(o)[0]))
            any_slash = any_slash or any(_split_opt(o)[0] == "/" for o in options)
            text = ", ".join(ranked)
            if not self.is_flag and not self.count:
                text += " " + self.make_metavar(ctx)
            return text

        names = [joined(self.opts)]
        if self.secondary_opts:
            names.append(joined(self.secondary_opts))
        extra = self._help_extra(ctx)
        text = self.help or ""
        if extra:
            text = "%s  [%s]" % (text, "; ".join(extra)) if text else "[%s]" % "; ".join(extra)
        return ("; " if any_slash else " / ").join(names), text

    def _help_extra(self, ctx: CliContext) -> list[str]:
        extra = []
        if self.show_envvar:
            envvar = self.envvar
            if envvar is None and self.allow_from_autoenv and ctx.auto_envvar_prefix and self.name:
                envvar = "%s_%s" % (ctx.auto_envvar_prefix, self.name.upper())
            if envvar is not None:
                extra.append(
                    "env var: %s" % (envvar if isinstance(envvar, str) else ", ".join(envvar))
                )
        resilient, ctx.resilient_parsing = ctx.resilient_parsing, True
        try:
            default = self.get_default(ctx, call=False)
        finally:
            ctx.resilient_parsing = resilient
        show_default = self.show_default if self.show_default is not None else ctx.show_default
        if isinstance(show_default, str) or (show_default and default is not None):
            if isinstance(show_default, str):
                shown = "(%s)" % show_default
            elif isinstance(default, (list, tuple)):
                shown = ", ".join(str(d) for d in default)
            elif isinstance(default, enum.Enum):
                shown = default.name
            elif inspect.isfunction(default):
                shown = "(dynamic)"
            elif self.is_bool_flag and self.secondary_opts:
                shown = _split_opt((self.opts if default else self.secondary_opts)[0])[1]
            elif self.is_bool_flag and not default:
                shown = ""
            elif default == "":
                shown = '""'
            else:
                shown = str(default)
            if shown:
                extra.append("default: %s" % shown)
        if isinstance(self.type, _NumberRangeMixin) and not (
            self.count and self.type.min == 0 and self.type.max is None
        ):
            extra.append(self.type._describe_range())
        if self.required:
            extra.append("required")
        return extra


class Argument(Parameter):
    """A positional argument; ``nargs=-1`` takes all the remaining ones."""

    param_type_name = "argument"

    def __init__(
        self, param_decls: t.Sequence[str], required: bool | None = None, **attrs: t.Any
    ) -> None:
        if required is None:
            if attrs.get("default", _PARAM_UNSET) is _PARAM_UNSET:
                required = attrs.get("nargs", 1) > 0
            else:
                required = False
        if "multiple" in attrs:
            raise TypeError("__init__() got an unexpected keyword argument 'multiple'.")
        super().__init__(param_decls, required=required, **attrs)

    def _parse_decls(
        self, decls: t.Sequence[str], expose_value: bool
    ) -> tuple[t.Any, list[str], list[str]]:
        if not decls:
            if not expose_value:
                return "", [], []
            raise TypeError("Argument is marked as exposed, but does not have a name.")
        if len(decls) != 1:
            raise TypeError(
                "Arguments take exactly one parameter declaration, got %d: %s."
                % (len(decls), list(decls))
            )
        return decls[0].replace("-", "_").lower(), [decls[0]], []

    @property
    def human_readable_name(self) -> str:
        return self.metavar if self.metavar is not None else (self.name or "").upper()

    def make_metavar(self, ctx: CliContext | None = None) -> str:
        if self.metavar is not None:
            return self.metavar
        shown = self.type.get_metavar(self, ctx) or (self.name or "").upper()
        if not self.required:
            shown = "[%s]" % shown
        if self.nargs != 1:
            shown += "..."
        return shown

    def get_usage_pieces(self, ctx: CliContext) -> list[str]:
        return [self.make_metavar(ctx)]

    def get_error_hint(self, ctx: CliContext | None) -> str:
        if ctx is not None:
            return "'%s'" % self.make_metavar(ctx)
        return "'%s'" % self.human_readable_name

    def add_to_parser(self, parser: _CommandLineParser, ctx: CliContext) -> None:
        parser.add_argument(self, self.nargs)


# -- decorators for parameters ---------------------------------------------------------------------


def _attach_param(f: t.Any, param: t.Any) -> None:
    if isinstance(f, Command):
        f.params.append(param)
    elif _is_real_click(f):  # a click.Command: it needs a Click parameter
        f.params.append(_real_click_bridge().click_param_for(param))
    else:
        if not hasattr(f, "__click_params__"):
            f.__click_params__ = []
        f.__click_params__.append(param)


def option(*param_decls: str, cls: type | None = None, **attrs: t.Any) -> t.Callable:
    """Declare an option on a command function (``@option("--count", "-c", type=int)``)."""
    option_class = Option if cls is None else cls

    def decorator(f: t.Any) -> t.Any:
        _attach_param(f, option_class(param_decls, **attrs))
        return f

    return decorator


def argument(*param_decls: str, cls: type | None = None, **attrs: t.Any) -> t.Callable:
    """Declare a positional argument on a command function (``@argument("name")``)."""
    argument_class = Argument if cls is None else cls

    def decorator(f: t.Any) -> t.Any:
        _attach_param(f, argument_class(param_decls, **attrs))
        return f

    return decorator


def confirmation_option(*param_decls: str, **kwargs: t.Any) -> t.Callable:
    """``--yes``: skip the "Do you want to continue?" question, else ask it (abort on no)."""

    def abort_on_no(ctx: CliContext, param: Parameter, value: t.Any) -> None:
        if not value:
            ctx.abort()

    kwargs.setdefault("is_flag", True)
    kwargs.setdefault("callback", abort_on_no)
    kwargs.setdefault("expose_value", False)
    kwargs.setdefault("prompt", "Do you want to continue?")
    kwargs.setdefault("help", "Confirm the action without prompting.")
    return option(*(param_decls or ("--yes",)), **kwargs)


def password_option(*param_decls: str, **kwargs: t.Any) -> t.Callable:
    """``--password``, asked for twice with hidden input when not given."""
    kwargs.setdefault("prompt", True)
    kwargs.setdefault("confirmation_prompt", True)
    kwargs.setdefault("hide_input", True)
    return option(*(param_decls or ("--password",)), **kwargs)


def version_option(
    version: str | None = None,
    *param_decls: str,
    package_name: str | None = None,
    prog_name: str | None = None,
    message: str | None = None,
    **kwargs: t.Any,
) -> t.Callable:
    """``--version``: print ``prog, version X`` and exit.

    Without ``version``, the installed version of ``package_name`` is shown
    (looked up with :mod:`importlib.metadata` when the option is used).
    """
    if message is None:
        message = "%(prog)s, version %(version)s"

    def show(ctx: CliContext, param: Parameter, value: t.Any) -> None:
        if not value or ctx.resilient_parsing:
            return
        shown = version
        if shown is None and package_name is not None:
            from importlib import metadata

            try:
                shown = metadata.version(package_name)
            except metadata.PackageNotFoundError:
                raise RuntimeError(
                    "%r is not installed. Try passing 'package_name' instead." % package_name
                ) from None
        if shown is None:
            raise RuntimeError(
                "Could not determine the version for %r automatically." % package_name
            )
        name = prog_name if prog_name is not None else ctx.find_root().info_name
        echo(
            t.cast(str, message) % {"prog": name, "package": package_name, "version": shown},
            color=ctx.color,
        )
        ctx.exit()

    kwargs.setdefault("is_flag", True)
    kwargs.setdefault("expose_value", False)
    kwargs.setdefault("is_eager", True)
    kwargs.setdefault("help", "Show the version and exit.")
    kwargs["callback"] = show
    return option(*(param_decls or ("--version",)), **kwargs)


def _show_help_callback(ctx: CliContext, param: Parameter, value: t.Any) -> None:
    if not value or ctx.resilient_parsing:
        return
    echo(ctx.get_help(), color=ctx.color)
    ctx.exit()


def help_option(*param_decls: str, **kwargs: t.Any) -> t.Callable:
    """``--help``: print the command's help and exit (every command has one already)."""
    kwargs.setdefault("is_flag", True)
    kwargs.setdefault("expose_value", False)
    kwargs.setdefault("is_eager", True)
    kwargs.setdefault("help", "Show this message and exit.")
    kwargs.setdefault("callback", _show_help_callback)
    return option(*(param_decls or ("--help",)), **kwargs)


# -- the command-line parser ---------------------------------------------------------------------


class _ParsedCommandLine:
    def __init__(self, rargs: list[str]) -> None:
        self.opts: dict[str, t.Any] = {}
        self.largs: list[str] = []
        self.rargs = rargs
        self.order: list[Parameter] = []


class _ParserOption:
    def __init__(self, param: Parameter, action: str, nargs: int, const: t.Any) -> None:
        self.param = param
        self.action = action
        self.nargs = nargs
        self.const = const

    @property
    def takes_value(self) -> bool:
        return self.action in ("store", "append")

    def process(self, value: t.Any, state: _ParsedCommandLine) -> None:
        dest = self.param.name
        if self.action == "store":
            state.opts[dest] = value
        elif self.action == "store_const":
            state.opts[dest] = self.const
        elif self.action == "append":
            state.opts.setdefault(dest, []).append(value)
        elif self.action == "append_const":
            state.opts.setdefault(dest, []).append(self.const)
        elif self.action == "count":
            state.opts[dest] = state.opts.get(dest, 0) + 1
        state.order.append(self.param)


def _unpack_positionals(args: list[str], nargs_spec: list[int]) -> tuple[list[t.Any], list[str]]:
    """Hand ``args`` to arguments by their ``nargs``; a ``-1`` takes what the others leave."""
    from collections import deque

    pending = deque(args)
    specs = deque(nargs_spec)
    values: list[t.Any] = []
    star: int | None = None

    def fetch() -> t.Any:
        try:
            return pending.popleft() if star is None else pending.pop()
        except IndexError:
            return _PARAM_UNSET

    while specs:
        nargs = specs.popleft() if star is None else specs.pop()
        if nargs == 1:
            values.append(fetch())
        elif nargs > 1:
            taken = [fetch() for _ in range(nargs)]
            if star is not None:
                taken.reverse()
            values.append(tuple(taken))
        elif nargs < 0:
            if star is not None:
                raise TypeError("Cannot have two nargs < 0")
            star = len(values)
            values.append(_PARAM_UNSET)
    if star is not None:
        values[star] = tuple(pending)
        pending.clear()
        values[star + 1 :] = reversed(values[star + 1 :])
    return values, list(pending)


class _CommandLineParser:
    """Click's parser: options anywhere (or up to the first positional for groups),
    then arguments."""

    def __init__(self, ctx: CliContext) -> None:
        self.ctx = ctx
        self.allow_interspersed_args = ctx.allow_interspersed_args
        self.ignore_unknown_options = ctx.ignore_unknown_options
        self._short_opts: dict[str, _ParserOption] = {}
        self._long_opts: dict[str, _ParserOption] = {}
        self._opt_prefixes = {"-", "--"}
        self._arguments: list[tuple[Parameter, int]] = []

    def add_option(
        self, param: Parameter, opts: list[str], action: str, nargs: int = 1, const: t.Any = None
    ) -> None:
        entry = _ParserOption(param, action, nargs, const)
        for opt in opts:
            prefix, value = _split_opt(opt)
            if not prefix:
                raise ValueError("Invalid start character for option (%s)" % opt)
            self._opt_prefixes.add(prefix[0])
            if len(prefix) == 1 and len(value) == 1:
                self._short_opts[self._normalize(opt)] = entry
            else:
                self._opt_prefixes.add(prefix)
                self._long_opts[self._normalize(opt)] = entry

    def add_argument(self, param: Parameter, nargs: int) -> None:
        self._arguments.append((param, nargs))

    def _normalize(self, opt: str) -> str:
        func = self.ctx.token_normalize_func
        if func is None:
            return opt
        prefix, name = _split_opt(opt)
        return prefix + func(name)

    def parse_args(self, args: list[str]) -> tuple[dict[str, t.Any], list[str], list[Parameter]]:
        state = _ParsedCommandLine(list(args))
        try:
            self._options_pass(state)
            self._arguments_pass(state)
        except UsageError:
            if not self.ctx.resilient_parsing:
                raise
        return state.opts, state.largs, state.order

    def _arguments_pass(self, state: _ParsedCommandLine) -> None:
        values, rest = _unpack_positionals(
            state.largs + state.rargs, [n for _, n in self._arguments]
        )
        for (param, nargs), value in zip(self._arguments, values):
            if nargs > 1 and value is not _PARAM_UNSET:
                holes = sum(item is _PARAM_UNSET for item in value)
                if holes == len(value):
                    value = _PARAM_UNSET
                elif holes:
                    raise BadArgumentUsage("Argument %r takes %d values." % (param.name, nargs))
            if value == ():
                value = _PARAM_UNSET
            state.opts[param.name] = value
            state.order.append(param)
        state.largs = rest
        state.rargs = []

    def _options_pass(self, state: _ParsedCommandLine) -> None:
        while state.rargs:
            arg = state.rargs.pop(0)
            if arg == "--":
                return
            if arg[:1] in self._opt_prefixes and len(arg) > 1:
                self._process_opts(arg, state)
            elif self.allow_interspersed_args:
                state.largs.append(arg)
            else:
                state.rargs.insert(0, arg)
                return

    def _process_opts(self, arg: str, state: _ParsedCommandLine) -> None:
        explicit_value = None
        if "=" in arg:
            long_opt, explicit_value = arg.split("=", 1)
        else:
            long_opt = arg
        try:
            self._match_long_opt(self._normalize(long_opt), explicit_value, state)
        except NoSuchOption:
            # "-abc" is no long option: try it as packed short ones, as Click does.
            if arg[:2] not in self._opt_prefixes:
                self._match_short_opt(arg, state)
                return
            if not self.ignore_unknown_options:
                raise
            state.largs.append(arg)

    def _match_long_opt(
        self, opt: str, explicit_value: str | None, state: _ParsedCommandLine
    ) -> None:
        if opt not in self._long_opts:
            raise NoSuchOption(opt, possibilities=list(self._long_opts), ctx=self.ctx)
        entry = self._long_opts[opt]
        if entry.takes_value:
            if explicit_value is not None:
                state.rargs.insert(0, explicit_value)
            value = self._value_from_state(opt, entry, state)
        elif explicit_value is not None:
            raise BadOptionUsage(opt, "Option %r does not take a value." % opt)
        else:
            value = None
        entry.process(value, state)

    def _match_short_opt(self, arg: str, state: _ParsedCommandLine) -> None:
        prefix = arg[0]
        unknown = []
        for position, char in enumerate(arg[1:], 2):
            opt = self._normalize(prefix + char)
            entry = self._short_opts.get(opt)
            if entry is None:
                if self.ignore_unknown_options:
                    unknown.append(char)
                    continue
                raise NoSuchOption(opt, ctx=self.ctx)
            if entry.takes_value:
                if position < len(arg):  # the rest of "-p5000" is the value
                    state.rargs.insert(0, arg[position:])
                entry.process(self._value_from_state(opt, entry, state), state)
                break
            entry.process(None, state)
        if self.ignore_unknown_options and unknown:
            state.largs.append(prefix + "".join(unknown))

    def _value_from_state(self, opt: str, entry: _ParserOption, state: _ParsedCommandLine) -> t.Any:
        nargs = entry.nargs
        if len(state.rargs) < nargs:
            # Click reports these without the usage (no context).
            if nargs == 1:
                raise BadOptionUsage(opt, "Option %r requires an argument." % opt)
            raise BadOptionUsage(opt, "Option %r requires %d arguments." % (opt, nargs))
        if nargs == 1:
            return state.rargs.pop(0)
        value = tuple(state.rargs[:nargs])
        del state.rargs[:nargs]
        return value


# -- help text -----------------------------------------------------------------------------------



def _help_width(ctx: CliContext | None = None) -> int:
    """Click's help width: the terminal's, at most 80, less 2 (80 inside CliRunner, as Click's)."""
    if ctx is not None and ctx.terminal_width is not None:
        return ctx.terminal_width
    if _cli_runner_state["echo_input"]:
        return 80
    import shutil

    max_width = ctx.max_content_width if ctx is not None and ctx.max_content_width else 80
    return max(min(shutil.get_terminal_size().columns, max_width) - 2, 50)


def _deprecated_label(deprecated: bool | str) -> str:
    return "(DEPRECATED: %s)" % deprecated if isinstance(deprecated, str) else "(DEPRECATED)"


def _make_short_help(help_text: str, max_length: int = 45) -> str:
    """The first sentence of the first paragraph, cut with "..." to ``max_length``
    (Click's rule)."""
    paragraph_end = help_text.find("\n\n")
    if paragraph_end != -1:
        help_text = help_text[:paragraph_end]
    words = help_text.split()
    if not words:
        return ""
    if words[0] == "\b":
        words = words[1:]
    total = 0
    last = len(words) - 1
    index = 0
    for index, word in enumerate(words):
        total += len(word) + (index > 0)
        if total > max_length:
            break
        if word[-1] == ".":
            return " ".join(words[: index + 1])
        if total == max_length and index != last:
            break
    else:
        return " ".join(words)
    total += len("...")
    while index > 0:
        total -= len(words[index]) + (index > 0)
        if total <= max_length:
            break
        index -= 1
    return " ".join(words[:index]) + "..."


def _wrap_help_text(text: str, indent: str, width: int = 78) -> list[str]:
    import textwrap

    lines = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        if paragraph.startswith("\b"):
            lines.extend(indent + line for line in paragraph[1:].strip("\n").splitlines())
        else:
            lines.extend(
                textwrap.wrap(
                    " ".join(paragraph.split()),
                    width,
                    initial_indent=indent,
                    subsequent_indent=indent,
                )
            )
        lines.append("")
    return lines[:-1]


def _format_definition_list(rows: list[tuple[str, str]], width: int = 78) -> list[str]:
    """Click's two-column list: names up to 30 wide, text wrapped beside them."""
    import textwrap

    if not rows:
        return []
    first_width = min(max(len(name) for name, _ in rows), 30)
    lines = []
    for name, text in rows:
        if not text:
            lines.append("  " + name)
            continue
        if len(name) <= first_width:
            prefix = "  %-*s  " % (first_width, name)
            wrapped = textwrap.wrap(text, max(width - len(prefix), 10)) or [""]
            lines.append((prefix + wrapped[0]).rstrip())
            lines.extend(" " * len(prefix) + rest for rest in wrapped[1:])
        else:
            lines.append("  " + name)
            indent = " " * (first_width + 4)
            lines.extend(
                textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent)
            )
    return lines


def _usage_line(prog: str, args: str, width: int = 78) -> str:
    import textwrap

    prefix = "Usage: %s " % prog
    if len(prefix) + len(args) <= width or width - len(prefix) < 20:
        return (prefix + args).rstrip()
    return "\n".join(
        textwrap.wrap(args, width, initial_indent=prefix, subsequent_indent=" " * len(prefix))
    )


# -- commands ------------------------------------------------------------------------------------


class Command:
    """A command: a callback plus the options and arguments parsed for it."""

    context_class: type = CliContext
    allow_extra_args = False
    allow_interspersed_args = True
    ignore_unknown_options = False

    def __init__(
        self,
        name: str | None,
        context_settings: t.MutableMapping[str, t.Any] | None = None,
        callback: t.Callable | None = None,
        params: list[t.Any] | None = None,
        help: str | None = None,  # noqa: A002
        epilog: str | None = None,
        short_help: str | None = None,
        options_metavar: str | None = "[OPTIONS]",
        add_help_option: bool = True,
        no_args_is_help: bool = False,
        hidden: bool = False,
        deprecated: bool | str = False,
    ) -> None:
        self.name = name
        self.context_settings = dict(context_settings or {})
        self.callback = callback
        self.params: list[t.Any] = params or []
        self.help = help
        self.epilog = epilog
        self.options_metavar = options_metavar
        self.short_help = short_help
        self.add_help_option = add_help_option
        self._help_option: Option | None = None
        self.no_args_is_help = no_args_is_help
        self.hidden = hidden
        self.deprecated = deprecated

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self.name)

    def _uses_real_click(self, parent: t.Any = None) -> bool:
        """Whether Click must run this: a parameter of Click's, or a parent context of Click's."""
        return (parent is not None and _is_real_click(parent)) or any(
            _is_real_click(p) for p in self.params
        )

    # -- parameters and help ------------------------------------------------------------------

    def get_help_option_names(self, ctx: CliContext) -> list[str]:
        names = [name for name in ctx.help_option_names]
        taken = set()
        for param in self.params:
            taken.update(getattr(param, "opts", ()))
            taken.update(getattr(param, "secondary_opts", ()))
        return [name for name in names if name not in taken]

    def get_help_option(self, ctx: CliContext) -> Option | None:
        names = self.get_help_option_names(ctx)
        if not names or not self.add_help_option:
            return None
        if self._help_option is None or self._help_option.opts != names:
            self._help_option = Option(
                names,
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_show_help_callback,
                help="Show this message and exit.",
            )
        return self._help_option

    def get_params(self, ctx: CliContext) -> list[Parameter]:
        params = list(self.params)
        help_option = self.get_help_option(ctx)
        if help_option is not None:
            params.append(help_option)
        return params

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            text = inspect.cleandoc(self.short_help)
        elif self.help:
            text = _make_short_help(self.help, limit)
        else:
            text = ""
        if self.deprecated:
            text = "%s %s" % (text, _deprecated_label(self.deprecated))
        return text.strip()

    def collect_usage_pieces(self, ctx: CliContext) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def get_usage(self, ctx: CliContext) -> str:
        return _usage_line(
            ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), _help_width(ctx)
        )

    def format_sections(self, ctx: CliContext) -> list[str]:
        """The help's sections after the text (``Options:``; groups add ``Commands:``)."""
        rows = [
            record for record in (p.get_help_record(ctx) for p in self.get_params(ctx)) if record
        ]
        if not rows:
            return []
        return ["Options:"] + _format_definition_list(rows, _help_width(ctx))

    def get_help(self, ctx: CliContext) -> str:
        width = _help_width(ctx)
        lines = [self.get_usage(ctx)]
        text = inspect.cleandoc(self.help).partition("\f")[0] if self.help else ""
        if self.deprecated:
            text = ("%s %s" % (text, _deprecated_label(self.deprecated))).strip()
        if text:
            lines.append("")
            lines.extend(_wrap_help_text(text, "  ", width))
        sections = self.format_sections(ctx)
        if sections:
            lines.append("")
            lines.extend(sections)
        if self.epilog:
            lines.append("")
            lines.extend(_wrap_help_text(self.epilog, "  ", width))
        return "\n".join(lines)

    # -- parsing and invoking ------------------------------------------------------------------

    def make_context(
        self, info_name: str | None, args: list[str], parent: t.Any = None, **extra: t.Any
    ) -> t.Any:
        """A context with ``args`` parsed into ``ctx.params`` (a Click context when
        Click runs this)."""
        if self._uses_real_click(parent):
            bridge = _real_click_bridge()
            twin_parent = bridge.click_context_for(parent) if parent is not None else None
            return bridge.click_command_for(self).make_context(
                info_name, args, parent=twin_parent, **extra
            )
        for key, value in self.context_settings.items():
            extra.setdefault(key, value)
        self.prepare_context_extra(extra)
        ctx = self.context_class(self, info_name=info_name, parent=parent, **extra)
        with ctx.scope(cleanup=False):
            try:
                self.parse_args(ctx, list(args))
            except BaseException:
                ctx.close()  # what parsing entered (an app context, a file) is not left open
                raise
        return ctx

    def prepare_context_extra(self, extra: dict[str, t.Any]) -> None:
        """Fill in ``extra`` (the context's settings) before a context is made.

        A hook for subclasses (``FlaskGroup`` adds its ``ScriptInfo`` as
        ``obj``) that Click twins of the command call too.
        """

    def make_parser(self, ctx: CliContext) -> _CommandLineParser:
        parser = _CommandLineParser(ctx)
        for param in self.get_params(ctx):
            param.add_to_parser(parser, ctx)
        return parser

    def parse_args(self, ctx: CliContext, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            raise _NoArgsIsHelp(ctx)
        opts, rest, order = self.make_parser(ctx).parse_args(args)

        def processing_order(param: Parameter) -> tuple[bool, float]:
            try:
                position: float = order.index(param)
            except ValueError:
                position = float("inf")
            return not param.is_eager, position

        for param in sorted(self.get_params(ctx), key=processing_order):
            _, rest = param.handle_parse_result(ctx, opts, rest)
        if rest and not ctx.allow_extra_args and not ctx.resilient_parsing:
            word = "argument" if len(rest) == 1 else "arguments"
            ctx.fail("Got unexpected extra %s (%s)" % (word, " ".join(map(str, rest))))
        ctx.args = rest
        return rest

    def invoke(self, ctx: CliContext) -> t.Any:
        if self.deprecated:
            reason = " %s" % self.deprecated if isinstance(self.deprecated, str) else ""
            message = "DeprecationWarning: The command %r is deprecated.%s" % (self.name, reason)
            echo(style(message, fg="red"), err=True)
        if self.callback is not None:
            return ctx.invoke(self.callback, **ctx.params)
        return None

    def main(
        self,
        args: t.Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: t.Any,
    ) -> t.Any:
        """Parse ``args`` (default: ``sys.argv[1:]``) and run; exit like Click when standalone."""
        if self._uses_real_click():
            return _real_click_bridge().click_command_for(self).main(
                args, prog_name, complete_var, standalone_mode, **extra
            )
        args = sys.argv[1:] if args is None else list(args)
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
                    ctx.exit()
            except (EOFError, KeyboardInterrupt) as e:
                echo(file=sys.stderr)
                raise Abort() from e
            except ClickException as e:
                if not standalone_mode:
                    raise
                e.show()
                sys.exit(e.exit_code)
            except BrokenPipeError:
                sys.exit(1)
        except Exit as e:
            if standalone_mode:
                sys.exit(e.exit_code)
            return e.exit_code
        except Abort:
            if not standalone_mode:
                raise
            echo("Aborted!", file=sys.stderr)
            sys.exit(1)
        except Exception as e:
            # A Click command below one of ours raised one of Click's own exceptions.
            if not _is_real_click(e):
                raise
            return _real_click_bridge().finish_with_click_exception(e, standalone_mode)

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return self.main(*args, **kwargs)


class Group(Command):
    """A command made of subcommands: ``cli run``, ``cli routes``, ...."""

    allow_extra_args = True
    allow_interspersed_args = False
    # The class ``@group.command()`` makes; for ``group_class``, ``type`` means "my own class".
    command_class: type | None = None
    group_class: type | None = None

    def __init__(
        self,
        name: str | None = None,
        commands: t.MutableMapping[str, t.Any] | t.Sequence[t.Any] | None = None,
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
            commands = {c.name: c for c in commands}
        self.commands: dict[str, t.Any] = commands  # type: ignore[assignment]
        if no_args_is_help is None:
            no_args_is_help = not invoke_without_command
        self.no_args_is_help = no_args_is_help
        self.invoke_without_command = invoke_without_command
        if subcommand_metavar is None:
            subcommand_metavar = (
                "COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]..." if chain else "COMMAND [ARGS]..."
            )
        self.subcommand_metavar = subcommand_metavar
        self.chain = chain
        self._result_callback = result_callback

    def add_command(self, cmd: t.Any, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self.commands[name] = cmd

    def get_command(self, ctx: CliContext, cmd_name: str) -> t.Any:
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: CliContext) -> list[str]:
        return sorted(self.commands)

    def command(self, *args: t.Any, **kwargs: t.Any) -> t.Callable:
        """Decorator: make a command from a function and add it to this group."""
        func = None
        if args and callable(args[0]):
            func, args = args[0], args[1:]
        if self.command_class is not None and kwargs.get("cls") is None:
            kwargs["cls"] = self.command_class

        def decorator(f: t.Callable) -> t.Any:
            cmd = command(*args, **kwargs)(f)
            self.add_command(cmd)
            return cmd

        return decorator(func) if func is not None else decorator

    def group(self, *args: t.Any, **kwargs: t.Any) -> t.Callable:
        """Decorator: make a subgroup from a function and add it to this group."""
        func = None
        if args and callable(args[0]):
            func, args = args[0], args[1:]
        if self.group_class is not None and kwargs.get("cls") is None:
            kwargs["cls"] = type(self) if self.group_class is type else self.group_class

        def decorator(f: t.Callable) -> t.Any:
            grp = group(*args, **kwargs)(f)
            self.add_command(grp)
            return grp

        return decorator(func) if func is not None else decorator

    def result_callback(self, replace: bool = False) -> t.Callable:
        """Decorator: a function called with the subcommand's return value (a list when chained)."""

        def decorator(f: t.Callable) -> t.Callable:
            old = self._result_callback
            if old is None or replace:
                self._result_callback = f
                return f

            def both(value: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
                inner = old(value, *args, **kwargs)
                return f(inner, *args, **kwargs)

            self._result_callback = functools.update_wrapper(both, f)
            return both

        return decorator

    def collect_usage_pieces(self, ctx: CliContext) -> list[str]:
        return super().collect_usage_pieces(ctx) + [self.subcommand_metavar]

    def format_sections(self, ctx: CliContext) -> list[str]:
        lines = super().format_sections(ctx)
        commands = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            commands.append((name, cmd))
        if commands:
            width = _help_width(ctx)
            limit = width - 6 - max(len(name) for name, _ in commands)
            rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in commands]
            if lines:
                lines.append("")
            lines.append("Commands:")
            lines.extend(_format_definition_list(rows, width))
        return lines

    def parse_args(self, ctx: CliContext, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            raise _NoArgsIsHelp(ctx)
        rest = super().parse_args(ctx, args)
        if self.chain:
            ctx.protected_args, ctx.args = rest, []
        elif rest:
            ctx.protected_args, ctx.args = rest[:1], rest[1:]
        return ctx.args

    def resolve_command(
        self, ctx: CliContext, args: list[str]
    ) -> tuple[str | None, t.Any, list[str]]:
        cmd_name = args[0]
        cmd = self.get_command(ctx, cmd_name)
        if cmd is None and ctx.token_normalize_func is not None:
            cmd_name = ctx.token_normalize_func(cmd_name)
            cmd = self.get_command(ctx, cmd_name)
        if cmd is None and not ctx.resilient_parsing:
            if _split_opt(cmd_name)[0]:
                self.parse_args(ctx, args)  # an unknown option: say so
            raise NoSuchCommand(cmd_name, possibilities=self.commands, ctx=ctx)
        return (cmd_name if cmd is not None else None), cmd, args[1:]

    def _run_subcommand(self, ctx: CliContext, cmd: t.Any, cmd_name: str, args: list[str]) -> t.Any:
        if _is_real_click(cmd) or cmd._uses_real_click():
            # Click parses and runs it, below a Click twin of this context.
            return _real_click_bridge().run_click_subcommand(ctx, cmd, cmd_name, args)
        sub_ctx = cmd.make_context(cmd_name, args, parent=ctx)
        with sub_ctx:
            return sub_ctx.command.invoke(sub_ctx)

    def invoke(self, ctx: CliContext) -> t.Any:
        def processed(value: t.Any) -> t.Any:
            if self._result_callback is not None:
                value = ctx.invoke(self._result_callback, value, **ctx.params)
            return value

        if not ctx.protected_args:
            if self.invoke_without_command:
                with ctx:
                    rv = super().invoke(ctx)
                    return processed([] if self.chain else rv)
            ctx.fail("Missing command.")
        args = ctx.protected_args + ctx.args
        ctx.args, ctx.protected_args = [], []
        if not self.chain:
            with ctx:
                cmd_name, cmd, args = self.resolve_command(ctx, args)
                ctx.invoked_subcommand = cmd_name
                super().invoke(ctx)
                return processed(self._run_subcommand(ctx, cmd, t.cast(str, cmd_name), args))
        with ctx:
            ctx.invoked_subcommand = "*" if args else None
            super().invoke(ctx)
            contexts = []
            while args:
                cmd_name, cmd, args = self.resolve_command(ctx, args)
                sub_ctx = cmd.make_context(
                    cmd_name, args, parent=ctx, allow_extra_args=True, allow_interspersed_args=False
                )
                contexts.append(sub_ctx)
                args, sub_ctx.args = sub_ctx.args, []
            results = []
            for sub_ctx in contexts:
                with sub_ctx:
                    results.append(sub_ctx.command.invoke(sub_ctx))
            return processed(results)


def _command_name_from_function(name: str) -> str:
    name = name.lower().replace("_", "-")
    left, sep, suffix = name.rpartition("-")
    if sep and suffix in ("command", "cmd", "group", "grp"):
        return left
    return name


def command(name: t.Any = None, cls: type | None = None, **attrs: t.Any) -> t.Callable:
    """Decorator: make a :class:`Command` from a function (Click's ``command``)."""
    if callable(name):
        return command(cls=cls, **attrs)(name)
    command_class: t.Any = Command if cls is None else cls

    def decorator(f: t.Callable) -> t.Any:
        if isinstance(f, Command) or _is_real_click(f):
            raise TypeError("Attempted to convert a callback into a command twice.")
        params = list(attrs.pop("params", None) or ())
        params.extend(reversed(getattr(f, "__click_params__", [])))
        try:
            del f.__click_params__  # type: ignore[attr-defined]
        except AttributeError:
            pass
        if _is_real_click(command_class):  # cls=click.Command: Click's parameters only
            bridge = _real_click_bridge()
            params = [bridge.click_param_for(p) for p in params]
        if attrs.get("help") is None:
            attrs["help"] = f.__doc__
        cmd = command_class(
            name=name or _command_name_from_function(f.__name__), callback=f, params=params, **attrs
        )
        cmd.__doc__ = f.__doc__
        return cmd

    return decorator


def group(name: t.Any = None, cls: type | None = None, **attrs: t.Any) -> t.Callable:
    """Decorator: make a :class:`Group` from a function (Click's ``group``)."""
    group_class = Group if cls is None else cls
    if callable(name):
        return command(cls=group_class, **attrs)(name)
    return command(name, cls=group_class, **attrs)


# -- running commands in tests ---------------------------------------------------------------------


class Result:
    """What :meth:`CliRunner.invoke` saw: output, exit code, exception, return value."""

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
        self._own = own
        self._shared = shared
        self._charset = charset
        self.buffer = _CapturedBinary(own, shared)
        self.encoding = charset
        self.errors = "replace"

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

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def fileno(self) -> int:
        import io

        raise io.UnsupportedOperation("fileno")


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

    def writable(self) -> bool:
        return True


class CliRunner:
    """Run commands in-process with captured stdin, stdout and stderr (Click's ``CliRunner``).

    Click's own commands run here too, through their ``main``.
    """

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

    def get_default_prog_name(self, cli: t.Any) -> str:
        return cli.name or "root"

    def isolated_filesystem(self, temp_dir: str | None = None) -> t.Any:
        """``with runner.isolated_filesystem():``: a fresh temporary working directory."""
        import contextlib
        import shutil
        import tempfile

        @contextlib.contextmanager
        def isolated() -> t.Iterator[str]:
            cwd = os.getcwd()
            directory = tempfile.mkdtemp(dir=temp_dir)
            os.chdir(directory)
            try:
                yield directory
            finally:
                os.chdir(cwd)
                if temp_dir is None:
                    shutil.rmtree(directory, ignore_errors=True)

        return isolated()

    def invoke(
        self,
        cli: t.Any,
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
        saved_state = dict(_cli_runner_state)
        _cli_runner_state.update(echo_input=True, color=color)
        # Click's prompts and colours follow the runner too, once Click is loaded.
        click_patches = (
            _real_click_bridge().runner_patches(color) if "click" in sys.modules else None
        )
        return_value = None
        exception: BaseException | None = None
        exc_info = None
        exit_code = 0
        try:
            if click_patches is not None:
                click_patches.__enter__()
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
            if click_patches is not None:
                click_patches.__exit__(None, None, None)
            _cli_runner_state.update(saved_state)
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
