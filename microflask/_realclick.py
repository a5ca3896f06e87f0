"""The bridge to the real Click, for apps and Flask extensions that write their commands with it.

:mod:`microflask._clicklike` imports this module the first time it meets an
object whose class comes from ``click`` (so Click is already imported by
then); ``import microflask`` and ``import microflask.cli`` never import it.

The rule (see :mod:`microflask._clicklike`): Click runs whatever contains
something of Click's.  This module makes that possible with *twins*:

- :func:`click_command_for` gives a Click command for one of ours: the same
  name, help and callback, each parameter converted by
  :func:`click_param_for` (Click's own are kept as they are).  A group's twin
  asks the original group for its subcommands each time, so lazy groups
  (``FlaskGroup`` loading the app) stay lazy.  Subclasses that override
  ``parse_args`` or ``invoke`` are rebuilt from their declared parts only.
- :func:`click_context_for` gives a Click context for one of ours, with the
  same ``obj``, ``params`` and ``meta``, so ``click.get_current_context()``
  and ``ensure_object(ScriptInfo)`` see through to microflask's contexts.
- Exceptions cross over: ours raised under Click become Click's
  (:func:`click_exception_for`), and Click's reaching our ``main`` are shown
  and turned into exit codes as Click would (:func:`finish_with_click_exception`).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import typing as t

from microflask._clicklike import (
    BOOL,
    FLOAT,
    INT,
    STRING,
    UNPROCESSED,
    UUID,
    Abort,
    Argument,
    BadParameter,
    Choice,
    ClickException,
    DateTime,
    Exit,
    FileParamType,
    FloatRange,
    FuncParamType,
    Group,
    IntRange,
    MissingParameter,
    Option,
    ParamType,
    Path,
    TupleParamType,
    UsageError,
    _cli_context_stack,
    _DEFER_TO_REAL_CLICK,
    _hidden_prompt_input,
    _is_real_click,
    _PARAM_UNSET,
    _visible_prompt_input,
    echo,
)

__all__ = [
    "ClickTypeInToolkit",
    "click_command_for",
    "click_context_for",
    "click_exception_for",
    "click_param_for",
    "click_type_for",
    "finish_with_click_exception",
    "run_click_subcommand",
    "runner_patches",
    "toolkit_type_for",
]


def _click_module() -> t.Any:
    import click

    return click


# -- Click's types in our parameters ---------------------------------------------------------------


class ClickTypeInToolkit(ParamType):
    """A ``click.ParamType`` used by one of our options: it converts, we report its errors."""

    def __init__(self, click_type: t.Any) -> None:
        self.click_type = click_type
        self.name = getattr(click_type, "name", "value")
        self.is_composite = getattr(click_type, "is_composite", False)
        self.arity = getattr(click_type, "arity", 1)
        self.envvar_list_splitter = getattr(click_type, "envvar_list_splitter", None)

    def convert(self, value: t.Any, param: t.Any, ctx: t.Any) -> t.Any:
        click = _click_module()
        try:
            return self.click_type.convert(value, None, None)
        except click.BadParameter as e:
            self.fail(e.message, param, ctx)

    def get_metavar(self, param: t.Any, ctx: t.Any = None) -> str | None:
        try:
            return self.click_type.get_metavar(param=param, ctx=ctx)  # type: ignore[no-any-return]
        except TypeError:  # Click before 8.2: no ctx
            return self.click_type.get_metavar(param)  # type: ignore[no-any-return]

    def get_missing_message(self, param: t.Any, ctx: t.Any = None) -> str | None:
        try:
            return self.click_type.get_missing_message(param=param, ctx=ctx)  # type: ignore[no-any-return]
        except TypeError:
            return self.click_type.get_missing_message(param)  # type: ignore[no-any-return]

    def split_envvar_value(self, rv: str) -> list[str]:
        return list(self.click_type.split_envvar_value(rv))


def toolkit_type_for(click_type: t.Any) -> ParamType:
    """Our :class:`ParamType` for a Click one."""
    return ClickTypeInToolkit(click_type)


# -- our objects as Click's ------------------------------------------------------------------------

_twin_class_cache: dict[str, type] = {}


def _twin_classes() -> dict[str, type]:
    """The Click subclasses twins are made of, defined once Click is imported."""
    if _twin_class_cache:
        return _twin_class_cache
    click = _click_module()

    class ToolkitTypeInClick(click.ParamType):  # type: ignore[misc, name-defined]
        """One of our parameter types, used by a Click parameter."""

        def __init__(self, toolkit_type: ParamType) -> None:
            self.toolkit_type = toolkit_type
            self.name = toolkit_type.name
            self.is_composite = toolkit_type.is_composite
            self.arity = toolkit_type.arity
            self.envvar_list_splitter = toolkit_type.envvar_list_splitter

        def convert(self, value: t.Any, param: t.Any, ctx: t.Any) -> t.Any:
            try:
                return self.toolkit_type.convert(value, None, None)
            except UsageError as e:
                self.fail(e.message, param, ctx)

        def get_metavar(self, param: t.Any, ctx: t.Any = None) -> str | None:
            return self.toolkit_type.get_metavar(param, ctx)

        def split_envvar_value(self, rv: str) -> t.Any:
            return self.toolkit_type.split_envvar_value(rv)

    class ToolkitTwinInClick:
        """What our command and group twins in Click share: ``toolkit`` is the original."""

        def toolkit(self) -> t.Any:
            raise NotImplementedError

        def parse_args(self, ctx: t.Any, args: list[str]) -> list[str]:
            # As our contexts do (and Click's ctx.exit() since 8.2): what parsing
            # entered is closed when parsing fails or exits, as for --help.
            try:
                return super().parse_args(ctx, args)  # type: ignore[misc, no-any-return]
            except BaseException:
                ctx.close()
                raise

        def make_context(
            self, info_name: t.Any, args: t.Any, parent: t.Any = None, **extra: t.Any
        ) -> t.Any:
            for key, value in self.context_settings.items():  # type: ignore[attr-defined]
                extra.setdefault(key, value)
            self.toolkit().prepare_context_extra(extra)
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[misc]

    class ToolkitCommandInClick(ToolkitTwinInClick, click.Command):  # type: ignore[misc, name-defined]
        """One of our commands as Click's."""

        toolkit_command: t.Any = None

        def toolkit(self) -> t.Any:
            return self.toolkit_command

    class ToolkitGroupInClick(ToolkitTwinInClick, click.Group):  # type: ignore[misc, name-defined]
        """One of our groups as Click's: subcommands are asked of the original each time."""

        toolkit_group: t.Any = None

        def toolkit(self) -> t.Any:
            return self.toolkit_group

        def get_command(self, ctx: t.Any, cmd_name: str) -> t.Any:
            found = self.toolkit_group.get_command(ctx, cmd_name)
            return None if found is None else click_command_for(found)

        def list_commands(self, ctx: t.Any) -> list[str]:
            return list(self.toolkit_group.list_commands(ctx))

        def add_command(self, cmd: t.Any, name: str | None = None) -> None:
            if self.toolkit_group is None:  # during click.Group.__init__
                super().add_command(cmd, name)
            else:
                self.toolkit_group.add_command(cmd, name)

        def command(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
            return self.toolkit_group.command(*args, **kwargs)

        def group(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
            return self.toolkit_group.group(*args, **kwargs)

    _twin_class_cache.update(
        type=ToolkitTypeInClick, command=ToolkitCommandInClick, group=ToolkitGroupInClick
    )
    return _twin_class_cache


def click_type_for(value_type: t.Any) -> t.Any:
    """Click's type for one of ours (the same kind where Click has it)."""
    if _is_real_click(value_type):
        return value_type
    click = _click_module()
    singletons = {id(STRING): click.STRING, id(INT): click.INT, id(FLOAT): click.FLOAT,
                  id(BOOL): click.BOOL, id(UUID): click.UUID,
                  id(UNPROCESSED): click.UNPROCESSED}  # fmt: skip
    if id(value_type) in singletons:
        return singletons[id(value_type)]
    kind = type(value_type)
    if kind is Choice:
        return click.Choice(value_type.choices, case_sensitive=value_type.case_sensitive)
    if kind in (IntRange, FloatRange):
        click_range = click.IntRange if kind is IntRange else click.FloatRange
        return click_range(
            value_type.min,
            value_type.max,
            value_type.min_open,
            value_type.max_open,
            value_type.clamp,
        )
    if kind is Path:
        return click.Path(
            exists=value_type.exists,
            file_okay=value_type.file_okay,
            dir_okay=value_type.dir_okay,
            writable=value_type.writable,
            readable=value_type.readable,
            resolve_path=value_type.resolve_path,
            allow_dash=value_type.allow_dash,
            path_type=value_type.type,
            executable=value_type.executable,
        )
    if kind is FileParamType:
        return click.File(
            value_type.mode,
            value_type.encoding,
            value_type.errors,
            value_type.lazy,
            value_type.atomic,
        )
    if kind is DateTime:
        return click.DateTime(value_type.formats)
    if kind is TupleParamType:
        return click.Tuple([click_type_for(each) for each in value_type.types])
    if kind is FuncParamType:
        return value_type.func
    return _twin_classes()["type"](value_type)


def click_exception_for(error: BaseException) -> BaseException:
    """Click's exception for one of ours, raised while Click runs a command."""
    click = _click_module()
    ctx = click.get_current_context(silent=True)
    if isinstance(error, Exit):
        return click.exceptions.Exit(error.exit_code)
    if isinstance(error, Abort):
        return click.Abort(*error.args)
    if isinstance(error, BadParameter):
        hint = error.param_hint
        if hint is None and error.param is not None:
            hint = error.param.get_error_hint(None)
        if isinstance(error, MissingParameter):
            return click.MissingParameter(
                error.message or None, ctx=ctx, param_hint=hint, param_type=error.param_type
            )
        return click.BadParameter(error.message, ctx=ctx, param_hint=hint)
    if isinstance(error, UsageError):
        return click.UsageError(error.format_message(), ctx=ctx)
    if isinstance(error, ClickException):
        converted = click.ClickException(error.format_message())
        converted.exit_code = error.exit_code
        return converted
    return error


def _errors_as_click(func: t.Callable | None) -> t.Callable | None:
    """``func`` with our exceptions raised as Click's (for callbacks Click calls)."""
    if func is None:
        return None

    @functools.wraps(func)
    def called_by_click(*args: t.Any, **kwargs: t.Any) -> t.Any:
        try:
            return func(*args, **kwargs)
        except (ClickException, Abort, Exit) as e:
            raise click_exception_for(e) from e

    return called_by_click


def click_param_for(param: t.Any) -> t.Any:
    """Click's option or argument for one of ours (Click's own are returned as they are)."""
    if _is_real_click(param):
        return param
    click = _click_module()
    common: dict[str, t.Any] = {
        "type": click_type_for(param.type),
        "required": param.required,
        "callback": _errors_as_click(param.callback),
        "metavar": param.metavar,
        "expose_value": param.expose_value,
        "is_eager": param.is_eager,
        "envvar": param.envvar,
    }
    if param.default is not _PARAM_UNSET:
        common["default"] = param.default
    if param.nargs != 1:
        common["nargs"] = param.nargs
    if isinstance(param, Argument):
        return click.Argument(list(param.opts[:1] or [param.name]), **common)
    if not isinstance(param, Option):
        raise TypeError("Cannot give Click a parameter of type %s." % type(param).__name__)
    # " /--no-x" declares a secondary option alone (the space keeps "/" from meaning ";").
    decls = list(param.opts) + [" /" + opt for opt in param.secondary_opts]
    if param.name:
        decls.append(param.name)
    extra: dict[str, t.Any] = {}
    if param.is_flag:
        extra["flag_value"] = param.flag_value
    return click.Option(
        decls,
        show_default=param.show_default,
        prompt=param.prompt if param.prompt is not None else False,
        confirmation_prompt=param.confirmation_prompt,
        prompt_required=param.prompt_required,
        hide_input=param.hide_input,
        is_flag=param.is_flag,
        multiple=param.multiple,
        count=param.count,
        allow_from_autoenv=param.allow_from_autoenv,
        help=param.help,
        hidden=param.hidden,
        show_choices=param.show_choices,
        show_envvar=param.show_envvar,
        **extra,
        **common,
    )


def click_command_for(cmd: t.Any) -> t.Any:
    """Click's command (or group) for one of ours; Click's own are returned as they are."""
    if _is_real_click(cmd):
        return cmd
    attrs = {
        "context_settings": dict(cmd.context_settings),
        "callback": _errors_as_click(cmd.callback),
        "params": [click_param_for(p) for p in cmd.params],
        "help": cmd.help,
        "epilog": cmd.epilog,
        "short_help": cmd.short_help,
        "options_metavar": cmd.options_metavar,
        "add_help_option": cmd.add_help_option,
        "no_args_is_help": cmd.no_args_is_help,
        "hidden": cmd.hidden,
        "deprecated": cmd.deprecated,
    }
    if not isinstance(cmd, Group):
        twin = _twin_classes()["command"](cmd.name, **attrs)
        twin.toolkit_command = cmd
        return twin
    twin = _twin_classes()["group"](
        cmd.name,
        invoke_without_command=cmd.invoke_without_command,
        subcommand_metavar=cmd.subcommand_metavar,
        chain=cmd.chain,
        result_callback=_errors_as_click(cmd._result_callback),
        **attrs,
    )
    twin.toolkit_group = cmd
    return twin


def click_context_for(ctx: t.Any) -> t.Any:
    """A Click context standing for one of ours (made once, closed with it)."""
    if ctx is None or _is_real_click(ctx):
        return ctx
    twin = getattr(ctx, "_click_twin", None)
    if twin is not None:
        return twin
    click = _click_module()
    twin = click.Context(
        click_command_for(ctx.command),
        parent=click_context_for(ctx.parent),
        info_name=ctx.info_name,
        obj=ctx.obj,
        auto_envvar_prefix=ctx.auto_envvar_prefix,
        default_map=ctx.default_map,
        terminal_width=ctx.terminal_width,
        max_content_width=ctx.max_content_width,
        resilient_parsing=ctx.resilient_parsing,
        help_option_names=ctx.help_option_names,
        token_normalize_func=ctx.token_normalize_func,
        color=ctx.color,
        show_default=ctx.show_default,
    )
    twin.params.update(ctx.params)
    twin.args = list(ctx.args)
    twin.invoked_subcommand = ctx.invoked_subcommand
    if hasattr(twin, "_meta"):
        twin._meta = ctx.meta  # one ``meta`` for both sides
    ctx.call_on_close(twin.close)
    ctx._click_twin = twin
    return twin


# -- running Click below us ------------------------------------------------------------------------


def run_click_subcommand(ctx: t.Any, cmd: t.Any, cmd_name: str, args: list[str]) -> t.Any:
    """Parse and run ``cmd`` with Click, as the subcommand of our context ``ctx``."""
    click_command = click_command_for(cmd)
    parent = click_context_for(ctx)
    # While Click runs, microflask's get_current_context() answers with Click's context.
    stack = _cli_context_stack()
    stack.append(_DEFER_TO_REAL_CLICK)
    try:
        sub_ctx = click_command.make_context(cmd_name, list(args), parent=parent)
        with sub_ctx:
            return sub_ctx.command.invoke(sub_ctx)
    finally:
        stack.pop()


def finish_with_click_exception(error: BaseException, standalone_mode: bool) -> t.Any:
    """What Click's ``main`` does with its exceptions, for one that reached ours."""
    click = _click_module()
    if isinstance(error, click.exceptions.Exit):
        if standalone_mode:
            sys.exit(error.exit_code)
        return error.exit_code
    if not standalone_mode:
        raise error
    if isinstance(error, click.ClickException):
        error.show()
        sys.exit(error.exit_code)
    if isinstance(error, click.Abort):
        echo("Aborted!", file=sys.stderr)
        sys.exit(1)
    raise error


@contextlib.contextmanager
def runner_patches(color: bool) -> t.Iterator[None]:
    """While our CliRunner runs: Click's prompts echo their input and colours follow ``color``.

    The same functions Click's own ``CliRunner`` replaces.
    """
    termui = sys.modules.get("click.termui")
    utils = sys.modules.get("click.utils")
    compat = sys.modules.get("click._compat")

    def should_strip_ansi(stream: t.Any = None, color_wanted: t.Any = None) -> bool:
        return not color if color_wanted is None else not color_wanted

    replaced = []
    for module, name, value in (
        (termui, "visible_prompt_func", _visible_prompt_input),
        (termui, "hidden_prompt_func", _hidden_prompt_input),
        (utils, "should_strip_ansi", should_strip_ansi),
        (compat, "should_strip_ansi", should_strip_ansi),
    ):
        if module is not None and hasattr(module, name):
            replaced.append((module, name, getattr(module, name)))
            setattr(module, name, value)
    try:
        yield None
    finally:
        for module, name, value in reversed(replaced):
            setattr(module, name, value)
