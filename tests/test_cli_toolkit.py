"""The Click-compatible toolkit (``microflask.cli``, from ``microflask._clicklike``), without Click.

Each test pins behaviour documented by Click (https://click.palletsprojects.com/):
the parameter types and their error messages, options and their features,
contexts, prompts, output, exceptions and exit codes, groups.  The expected
texts are Click 8.2+'s, checked by hand against the real Click; this module
never imports it.
"""

import datetime
import os
import pathlib
import subprocess
import sys
import textwrap
import uuid

import pytest

import microflask.cli as cli
from microflask.cli import CliRunner, argument, command, echo, group, option

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, args=(), **kwargs):
    kwargs.setdefault("prog_name", "cmd")
    return CliRunner().invoke(cmd, list(args), **kwargs)


def converter(value_type, **option_attrs):
    """A command printing repr() of ``--v`` converted with ``value_type``."""

    @command()
    @option("--v", type=value_type, **option_attrs)
    def show(v):
        echo(repr(v))

    return show


def last_line(result):
    return result.output.splitlines()[-1]


# -- parameter types ---------------------------------------------------------------------------


def test_string_int_float_types():
    assert run(converter(cli.STRING), ["--v", "x"]).output == "'x'\n"
    assert run(converter(str), ["--v", "7"]).output == "'7'\n"
    assert cli.STRING.convert(b"caf\xc3\xa9", None, None) == "café"
    assert run(converter(cli.INT), ["--v", "-3"]).output == "-3\n"
    result = run(converter(int), ["--v", "x"])
    assert result.exit_code == 2
    assert last_line(result) == "Error: Invalid value for '--v': 'x' is not a valid integer."
    assert run(converter(cli.FLOAT), ["--v", "2"]).output == "2.0\n"
    assert last_line(run(converter(float), ["--v", "x"])) == (
        "Error: Invalid value for '--v': 'x' is not a valid float."
    )
    # The type is guessed from the default, as in Click.
    assert run(converter(None, default=1), ["--v", "5"]).output == "5\n"


def test_bool_type():
    for text, expected in (("yes", True), ("Y", True), ("1", True), ("on", True), ("t", True),
                           ("no", False), ("off", False), ("0", False), ("FALSE", False)):
        assert run(converter(cli.BOOL), ["--v", text]).output == "%r\n" % expected
    assert last_line(run(converter(bool), ["--v", "maybe"])) == (
        "Error: Invalid value for '--v': 'maybe' is not a valid boolean. Recognized values:"
        " , 0, 1, f, false, n, no, off, on, t, true, y, yes"
    )


def test_uuid_type():
    value = "12345678-1234-5678-1234-567812345678"
    assert run(converter(cli.UUID), ["--v", " %s " % value]).output == "%r\n" % uuid.UUID(value)
    assert last_line(run(converter(cli.UUID), ["--v", "nope"])) == (
        "Error: Invalid value for '--v': 'nope' is not a valid UUID."
    )


def test_choice_type():
    cmd = converter(cli.Choice(["Red", "green"], case_sensitive=False))
    assert run(cmd, ["--v", "RED"]).output == "'Red'\n"  # the choice as declared
    assert last_line(run(cmd, ["--v", "blue"])) == (
        "Error: Invalid value for '--v': 'blue' is not one of 'red', 'green'."
    )
    assert "  --v [red|green]" in run(cmd, ["--help"]).output

    @command()
    @argument("mode", type=cli.Choice(["fast", "slow"]))
    def pick(mode):
        echo(mode)

    result = run(pick)
    assert result.output.splitlines()[0] == "Usage: cmd [OPTIONS] {fast|slow}"
    assert result.output.endswith(
        "Error: Missing argument '{fast|slow}'. Choose from:\n\tfast,\n\tslow\n"
    )


def test_int_and_float_ranges():
    cmd = converter(cli.IntRange(0, 10, min_open=True, clamp=True))
    assert run(cmd, ["--v", "0"]).output == "1\n"  # clamped inside the open bound
    assert run(cmd, ["--v", "50"]).output == "10\n"
    cmd = converter(cli.IntRange(1, 5))
    assert last_line(run(cmd, ["--v", "9"])) == (
        "Error: Invalid value for '--v': 9 is not in the range 1<=x<=5."
    )
    assert "  --v INTEGER RANGE  [1<=x<=5]" in run(cmd, ["--help"]).output
    cmd = converter(cli.FloatRange(max=2.5, max_open=True))
    assert last_line(run(cmd, ["--v", "3"])) == (
        "Error: Invalid value for '--v': 3.0 is not in the range x<2.5."
    )
    assert run(converter(cli.FloatRange(0, 1, clamp=True)), ["--v", "-4"]).output == "0\n"
    with pytest.raises(TypeError):
        cli.FloatRange(0, 1, min_open=True, clamp=True)


def test_datetime_type():
    cmd = converter(cli.DateTime())
    assert run(cmd, ["--v", "2020-01-02"]).output == "%r\n" % datetime.datetime(2020, 1, 2)
    assert run(cmd, ["--v", "2020-01-02 03:04:05"]).output == "%r\n" % datetime.datetime(
        2020, 1, 2, 3, 4, 5
    )
    assert last_line(run(cmd, ["--v", "2020/01/02"])) == (
        "Error: Invalid value for '--v': '2020/01/02' does not match the formats"
        " '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S'."
    )
    cmd = converter(cli.DateTime(["%d.%m.%Y"]))
    assert run(cmd, ["--v", "01.02.2020"]).output == "%r\n" % datetime.datetime(2020, 2, 1)
    assert "  --v [%d.%m.%Y]" in run(cmd, ["--help"]).output
    assert "does not match the format '%d.%m.%Y'." in run(cmd, ["--v", "x"]).output


def test_tuple_type_and_nargs():
    cmd = converter((str, int))
    assert run(cmd, ["--v", "a", "7"]).output == "('a', 7)\n"
    assert last_line(run(cmd, ["--v", "a", "b"])) == (
        "Error: Invalid value for '--v': 'b' is not a valid integer."
    )
    assert last_line(run(cmd, ["--v", "a"])) == "Error: Option '--v' requires 2 arguments."
    assert "  --v <TEXT INTEGER>..." in run(cmd, ["--help"]).output
    assert cli.Tuple([str, int]).name == "<text integer>"
    assert last_line(run(converter(cli.Tuple([int, int])), ["--v", "1", "2"])) == "(1, 2)"


def test_path_type(tmp_path):
    existing = tmp_path / "here.txt"
    existing.write_text("x")
    cmd = converter(cli.Path(exists=True, dir_okay=False, path_type=pathlib.Path))
    assert run(cmd, ["--v", str(existing)]).output == "%r\n" % existing
    missing = str(tmp_path / "missing")
    assert last_line(run(cmd, ["--v", missing])) == (
        "Error: Invalid value for '--v': File %r does not exist." % missing
    )
    assert last_line(run(cmd, ["--v", str(tmp_path)])) == (
        "Error: Invalid value for '--v': File %r is a directory." % str(tmp_path)
    )
    cmd = converter(cli.Path(file_okay=False))
    assert last_line(run(cmd, ["--v", str(existing)])) == (
        "Error: Invalid value for '--v': Directory %r is a file." % str(existing)
    )
    assert run(cmd, ["--v", missing]).output == "%r\n" % missing  # need not exist
    assert "  --v DIRECTORY" in run(cmd, ["--help"]).output
    cmd = converter(cli.Path(resolve_path=True, allow_dash=True))
    assert run(cmd, ["--v", "-"]).output == "'-'\n"
    assert run(cmd, ["--v", str(tmp_path / "a" / ".." / "here.txt")]).output == (
        "%r\n" % os.path.realpath(str(existing))
    )


def test_file_type(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("from a file\n")
    target = tmp_path / "out.txt"
    opened = []

    @command()
    @option("--src", type=cli.File("r"))
    @option("--dst", type=cli.File("w"))
    def copy(src, dst):
        opened.extend([src, dst])
        dst.write(src.read().upper())

    assert run(copy, ["--src", str(source), "--dst", str(target)]).exit_code == 0
    assert target.read_text() == "FROM A FILE\n"
    assert opened[0].closed  # closed when the command's context closed
    assert run(copy, ["--src", "-", "--dst", "-"], input="from stdin\n").output == "FROM STDIN\n"
    missing = str(tmp_path / "missing.txt")
    result = run(copy, ["--src", missing, "--dst", str(target)])
    assert last_line(result) == (
        "Error: Invalid value for '--src': '%s': No such file or directory" % missing
    )
    # A file to write is opened lazily: not created when nothing is written.
    lazy_target = tmp_path / "never.txt"

    @command()
    @option("--dst", type=cli.File("w"))
    def nothing(dst):
        echo(type(dst).__name__)

    assert run(nothing, ["--dst", str(lazy_target)]).output == "LazyFile\n"
    assert not lazy_target.exists()
    atomic_target = tmp_path / "atomic.txt"
    atomic_target.write_text("old")

    @command()
    @option("--dst", type=cli.File("w", atomic=True))
    def atomic(dst):
        dst.write("new")
        echo(atomic_target.read_text())  # the old content until the file closes

    assert run(atomic, ["--dst", str(atomic_target)]).output == "old\n"
    assert atomic_target.read_text() == "new"


def test_custom_param_type_and_plain_function_type():
    class Hex(cli.ParamType):
        name = "hex"

        def convert(self, value, param, ctx):
            try:
                return int(value, 16)
            except ValueError:
                self.fail("%r is not hex" % value, param, ctx)

    assert run(converter(Hex()), ["--v", "ff"]).output == "255\n"
    assert last_line(run(converter(Hex()), ["--v", "zz"])) == (
        "Error: Invalid value for '--v': 'zz' is not hex"
    )
    assert "  --v HEX" in run(converter(Hex()), ["--help"]).output

    def even(value):
        number = int(value)
        if number % 2:
            raise ValueError("%d is odd" % number)
        return number

    assert run(converter(even), ["--v", "4"]).output == "4\n"
    assert (
        last_line(run(converter(even), ["--v", "3"])) == "Error: Invalid value for '--v': 3 is odd"
    )
    assert cli.convert_type(None, [1, 2]) is cli.INT
    assert repr(cli.convert_type(None, (1.5, "x"))) == "FLOAT"


# -- options ---------------------------------------------------------------------------------


def test_option_envvar_multiple_count_and_nargs():
    seen = {}

    @command()
    @option("--tag", "-t", multiple=True, envvar="MF_TK_TAGS")
    @option("-v", "--verbose", count=True)
    @option("--point", nargs=2, type=int)
    @option("--token", envvar=["MF_TK_FIRST", "MF_TK_TOKEN"])
    @option("--pair", nargs=2, multiple=True)
    def collect(**kwargs):
        seen.clear()
        seen.update(kwargs)

    run(
        collect,
        ["-t", "a", "--tag=b", "-vvv", "--point", "1", "2", "--pair", "x", "y", "--pair", "z", "w"],
    )
    assert seen == {"tag": ("a", "b"), "verbose": 3, "point": (1, 2), "token": None,
                    "pair": (("x", "y"), ("z", "w"))}
    run(collect, env={"MF_TK_TAGS": "one two", "MF_TK_TOKEN": "secret"})
    assert seen["tag"] == ("one", "two") and seen["token"] == "secret"
    assert seen["verbose"] == 0 and seen["point"] is None and seen["pair"] == ()
    run(collect, ["-t", "cli"], env={"MF_TK_TAGS": "ignored"})
    assert seen["tag"] == ("cli",)  # the command line wins over the environment


def test_option_callback_is_eager_and_expose_value():
    calls = []

    def shout(ctx, param, value):
        calls.append(param.name)
        return value.upper() if value else value

    def show_version(ctx, param, value):
        calls.append(param.name)
        if value:
            echo("version 9")
            ctx.exit()

    @command()
    @option("--name", callback=shout, default="ann")
    @option("--secret", expose_value=False, default="hidden")
    @option("--version", is_flag=True, is_eager=True, expose_value=False, callback=show_version)
    @argument("required")
    def greet(name, required):
        echo("hello %s %s" % (name, required))

    assert run(greet, ["r"]).output == "hello ANN r\n"  # no 'secret' argument
    assert calls == ["version", "name"]  # eager parameters first
    # --version runs before the missing argument is noticed.
    result = run(greet, ["--version"])
    assert (result.exit_code, result.output) == (0, "version 9\n")


def test_flags_flag_values_hidden_and_show_default():
    @command()
    @option("--shout/--no-shout", default=True, show_default=True, help="Shout.")
    @option("--quiet", is_flag=True, help="Be quiet.")
    @option("--upper", "case", flag_value="upper")
    @option("--lower", "case", flag_value="lower", default=True)
    @option("--internal", hidden=True)
    @option("--level", default=3, show_default=True, help="How much.")
    @option("--when", default="now", show_default="the current time")
    @option("--name", required=True, envvar="MF_TK_NAME", show_envvar=True)
    def flags(shout, quiet, case, internal, level, when, name):
        echo("%s %s %s %s" % (shout, quiet, case, internal))

    assert run(flags, ["--name", "x"]).output == "True False lower None\n"
    assert run(
        flags, ["--name", "x", "--no-shout", "--quiet", "--upper", "--internal", "i"]
    ).output == ("False True upper i\n")
    help_text = run(flags, ["--help"]).output
    assert help_text == (
        "Usage: cmd [OPTIONS]\n"
        "\n"
        "Options:\n"
        "  --shout / --no-shout  Shout.  [default: shout]\n"
        "  --quiet               Be quiet.\n"
        "  --upper\n"
        "  --lower\n"
        "  --level INTEGER       How much.  [default: 3]\n"
        "  --when TEXT           [default: (the current time)]\n"
        "  --name TEXT           [env var: MF_TK_NAME; required]\n"
        "  --help                Show this message and exit.\n"
    )
    result = run(flags)
    assert last_line(result) == "Error: Missing option '--name' (env var: 'MF_TK_NAME')."
    assert last_line(run(flags, ["--quiet=1"])) == "Error: Option '--quiet' does not take a value."


def test_option_prompts():
    @command()
    @option("--name", prompt=True, default="anon")
    @option("--age", type=int, prompt="Your age")
    @option("--pw", prompt=True, hide_input=True, confirmation_prompt=True)
    @option("--sure", is_flag=True, prompt="Really")
    def ask(name, age, pw, sure):
        echo("%s %s %s %s" % (name, age, pw, sure))

    result = run(ask, input="\nx\n3\nsecret\nother\nsecret\nsecret\ny\n")
    assert result.exit_code == 0
    assert result.output == (
        "Name [anon]: \n"
        "Your age: x\n"
        "Error: 'x' is not a valid integer.\n"
        "Your age: 3\n"
        "Pw: \nRepeat for confirmation: \n"
        "Error: The two entered values do not match.\n"
        "Pw: \nRepeat for confirmation: \n"
        "Really [y/N]: y\n"
        "anon 3 secret True\n"
    )
    # Values given on the command line are not asked for.
    assert run(ask, ["--name", "n", "--age", "1", "--pw", "p", "--sure"]).output == "n 1 p True\n"


def test_help_option_names_and_help_option():
    @command(context_settings={"help_option_names": ["-h", "--help"]})
    def short():
        """Help with -h."""

    assert run(short, ["-h"]).output == (
        "Usage: cmd [OPTIONS]\n\n  Help with -h.\n\nOptions:\n"
        "  -h, --help  Show this message and exit.\n"
    )

    @command(add_help_option=False)
    @cli.help_option("--info")
    def custom():
        """Custom help."""

    assert run(custom, ["--info"]).output.startswith("Usage: cmd [OPTIONS]\n\n  Custom help.\n")
    assert run(custom, ["--help"]).exit_code == 2


def test_version_option():
    @command()
    @cli.version_option("1.2.3")
    def tool():
        pass

    assert run(tool, ["--version"], prog_name="tool").output == "tool, version 1.2.3\n"

    @command()
    @cli.version_option("2.0", prog_name="Thing", message="%(prog)s v%(version)s")
    def other():
        pass

    assert run(other, ["--version"]).output == "Thing v2.0\n"

    @command()
    @cli.version_option(package_name="pytest")
    def installed():
        pass

    assert run(installed, ["--version"]).output == "cmd, version %s\n" % pytest.__version__
    assert "  --version  Show the version and exit.\n" in run(tool, ["--help"]).output


def test_arguments():
    @command()
    @argument("src", nargs=-1)
    @argument("dst")
    @argument("count", type=int, default=1)
    def copy(src, dst, count):
        echo("%r %r %r" % (src, dst, count))

    # With nargs=-1 first, the later arguments take from the end.
    assert run(copy, ["a", "b", "c", "3"]).output == "('a', 'b') 'c' 3\n"
    assert last_line(run(copy, ["a", "b", "c", "d"])) == (
        "Error: Invalid value for '[COUNT]': 'd' is not a valid integer."
    )
    assert last_line(run(copy, ["d"])) == "Error: Missing argument 'DST'."
    assert run(copy, ["--help"]).output.startswith("Usage: cmd [OPTIONS] [SRC]... DST [COUNT]\n")

    @command()
    @argument("files", nargs=-1, required=True)
    def need(files):
        pass

    assert last_line(run(need)) == "Error: Missing argument 'FILES...'."
    assert run(copy, ["--", "-x", "2"]).output == "() '-x' 2\n"  # after --, not an option


# -- contexts ----------------------------------------------------------------------------------


def test_pass_context_obj_and_ensure_object():
    @group()
    @option("--debug/--no-debug", default=False)
    @cli.pass_context
    def tool(ctx, debug):
        ctx.ensure_object(dict)
        ctx.obj["debug"] = debug

    @tool.command()
    @cli.pass_obj
    def sync(obj):
        echo("debug is %s" % obj["debug"])

    @tool.command()
    @cli.pass_context
    def where(ctx):
        echo(
            "%s < %s, obj shared: %s"
            % (ctx.info_name, ctx.parent.info_name, ctx.obj is ctx.parent.obj)
        )
        echo(ctx.command_path)
        echo(cli.get_current_context() is ctx)

    assert run(tool, ["--debug", "sync"]).output == "debug is True\n"
    assert run(tool, ["where"]).output == "where < cmd, obj shared: True\ncmd where\nTrue\n"
    assert cli.get_current_context(silent=True) is None
    with pytest.raises(RuntimeError, match="There is no active click context."):
        cli.get_current_context()
    # obj given to main() is the root context's: ensure_object keeps it.
    shared = {"seen": True}
    assert run(tool, ["sync"], obj=shared).output == "debug is False\n"
    assert shared == {"seen": True, "debug": False}


def test_make_pass_decorator():
    class Repo:
        def __init__(self, home="default"):
            self.home = home

    pass_repo = cli.make_pass_decorator(Repo)
    ensure_repo = cli.make_pass_decorator(Repo, ensure=True)

    @group()
    @option("--home")
    @cli.pass_context
    def repo(ctx, home):
        if home:
            ctx.obj = Repo(home)

    @repo.command()
    @pass_repo
    def show(r):
        echo(r.home)

    @repo.command()
    @ensure_repo
    def made(r):
        echo(r.home)

    assert run(repo, ["--home", "/srv", "show"]).output == "/srv\n"
    assert run(repo, ["made"]).output == "default\n"
    result = run(repo, ["show"])
    assert isinstance(result.exception, RuntimeError)
    assert "without a context object of type 'Repo'" in str(result.exception)


def test_context_invoke_and_forward():
    @command()
    @option("--count", default=1)
    @option("--name", default="x")
    def target(count, name):
        echo("target %s %s" % (count, name))
        return count

    @command()
    @option("--count", default=5)
    @cli.pass_context
    def caller(ctx, count):
        ctx.invoke(target)  # defaults filled in
        ctx.invoke(target, count=42)
        ctx.forward(target)  # this command's params
        ctx.forward(target, name="y")
        echo("plain %s" % ctx.invoke(lambda a: a * 2, 21))

    assert run(caller).output == (
        "target 1 x\ntarget 42 x\ntarget 5 x\ntarget 5 y\nplain 42\n"
    )


def test_default_map_auto_envvar_prefix_and_parameter_source():
    @group(context_settings={"auto_envvar_prefix": "MFTK"})
    def app():
        pass

    @app.command()
    @option("--port", type=int, default=80)
    @option("--host", default="localhost")
    @cli.pass_context
    def serve(ctx, port, host):
        echo("%s:%s %s %s" % (host, port, ctx.get_parameter_source("port").name,
                               ctx.get_parameter_source("host").name))

    assert run(app, ["serve"]).output == "localhost:80 DEFAULT DEFAULT\n"
    assert run(app, ["serve", "--port", "1"]).output == "localhost:1 COMMANDLINE DEFAULT\n"
    assert run(app, ["serve"], env={"MFTK_SERVE_PORT": "8080"}).output == (
        "localhost:8080 ENVIRONMENT DEFAULT\n"
    )
    assert run(app, ["serve"], default_map={"serve": {"host": "example"}}).output == (
        "example:80 DEFAULT DEFAULT_MAP\n"
    )


# -- output and input ----------------------------------------------------------------------------


def test_style_unstyle_and_colours():
    assert cli.style("hi", fg="red") == "\x1b[31mhi\x1b[0m"
    assert cli.style("hi", fg="bright_green", bg="blue", bold=True, underline=True) == (
        "\x1b[92m\x1b[44m\x1b[1m\x1b[4mhi\x1b[0m"
    )
    assert cli.style("hi", fg=(1, 2, 3), bg=200, reset=False) == "\x1b[38;2;1;2;3m\x1b[48;5;200mhi"
    assert cli.style(5, bold=False, italic=True) == "\x1b[22m\x1b[3m5\x1b[0m"
    assert cli.style("x") == "x\x1b[0m"
    with pytest.raises(TypeError, match="Unknown color 'mauve'"):
        cli.style("x", fg="mauve")
    assert cli.unstyle(cli.style("plain", fg="red", bold=True)) == "plain"

    @command()
    def coloured():
        cli.secho("ok", fg="green")
        echo(cli.style("err", fg="red"), err=True)

    assert run(coloured).output == "ok\nerr\n"  # not a terminal: styles removed
    assert run(coloured, color=True).output == "\x1b[32mok\x1b[0m\n\x1b[31merr\x1b[0m\n"


def test_echo_kinds_and_streams():
    @command()
    def talk():
        echo("text")
        echo(b"bytes")
        echo(42)
        echo()
        echo("no newline", nl=False)
        echo(" then", err=True)
        cli.secho(b"raw bytes", fg="red")

    result = run(talk)
    assert result.output == "text\nbytes\n42\n\nno newline then\nraw bytes\n"
    assert result.stdout == "text\nbytes\n42\n\nno newlineraw bytes\n"
    assert result.stderr == " then\n"


def test_prompt_and_confirm_functions():
    @command()
    def ask():
        number = cli.prompt("Number", type=int, default=4)
        colour = cli.prompt("Colour", type=cli.Choice(["red", "blue"]))
        again = cli.confirm("Again", default=None)
        sure = cli.confirm("Sure", default=True)
        echo(repr((number, colour, again, sure)))

    result = run(ask, input="x\n\ngreen\nblue\nmaybe\nn\n\n")
    assert result.output == (
        "Number [4]: x\n"
        "Error: 'x' is not a valid integer.\n"
        "Number [4]: \n"
        "Colour (red, blue): green\n"
        "Error: 'green' is not one of 'red', 'blue'.\n"
        "Colour (red, blue): blue\n"
        "Again [y/n]: maybe\n"
        "Error: invalid input\n"
        "Again [y/n]: n\n"
        "Sure [Y/n]: \n"
        "(4, 'blue', False, True)\n"
    )
    # End of input is Ctrl-D: Aborted!, exit code 1.  (Click's own CliRunner
    # shows "Aborted!" before the prompt, an effect of its buffering; this is
    # the order a terminal shows.)
    result = run(ask, input="")
    assert (result.exit_code, result.output) == (1, "Number [4]: Aborted!\n")


# -- exceptions ------------------------------------------------------------------------------------


def test_exceptions_exit_codes_and_messages():
    @command()
    @argument("kind")
    @cli.pass_context
    def fail(ctx, kind):
        if kind == "exception":
            raise cli.ClickException("it broke")
        if kind == "usage":
            raise cli.UsageError("wrong use")
        if kind == "parameter":
            raise cli.BadParameter("nope", param_hint=["--a", "--b"])
        if kind == "abort":
            raise cli.Abort()
        if kind == "exit":
            raise cli.Exit(4)
        if kind == "ctx-exit":
            ctx.exit(5)
        if kind == "ctx-fail":
            ctx.fail("failed here")
        if kind == "missing":
            raise cli.MissingParameter(param_hint="'--zz'", param_type="option")

    assert (run(fail, ["exception"]).exit_code, run(fail, ["exception"]).output) == (
        1, "Error: it broke\n"
    )
    usage = "Usage: cmd [OPTIONS] KIND\nTry 'cmd --help' for help.\n\n"
    assert (run(fail, ["usage"]).exit_code, run(fail, ["usage"]).output) == (
        2,
        usage + "Error: wrong use\n",
    )
    assert (
        run(fail, ["parameter"]).output == usage + "Error: Invalid value for '--a' / '--b': nope\n"
    )
    assert (run(fail, ["abort"]).exit_code, run(fail, ["abort"]).output) == (1, "Aborted!\n")
    assert (run(fail, ["exit"]).exit_code, run(fail, ["exit"]).output) == (4, "")
    assert run(fail, ["ctx-exit"]).exit_code == 5
    assert run(fail, ["ctx-fail"]).output == usage + "Error: failed here\n"
    assert run(fail, ["missing"]).output == usage + "Error: Missing option '--zz'.\n"
    # Outside standalone mode the exceptions reach the caller.
    with pytest.raises(cli.UsageError):
        fail.main(["usage"], standalone_mode=False)
    with pytest.raises(cli.Abort):
        fail.main(["abort"], standalone_mode=False)
    assert fail.main(["exit"], standalone_mode=False) == 4
    error = cli.BadParameter("bad", param_hint="'--x'")
    assert (error.exit_code, str(error), error.format_message()) == (
        2, "bad", "Invalid value for '--x': bad"
    )
    assert issubclass(cli.Abort, RuntimeError) and issubclass(cli.Exit, RuntimeError)


def test_unknown_options_and_commands_suggest_close_matches():
    @group()
    @option("--verbose", is_flag=True)
    def tool(verbose):
        pass

    @tool.command()
    def status():
        pass

    @tool.command()
    def start():
        pass

    assert last_line(run(tool, ["--verbos"])) == (
        "Error: No such option '--verbos'. Did you mean '--verbose'?"
    )
    assert last_line(run(tool, ["stat"])) == (
        "Error: No such command 'stat'. (Did you mean one of: 'start', 'status'?)"
    )


# -- groups ----------------------------------------------------------------------------------------


def test_group_no_args_invoke_without_command_chain_and_result_callback():
    @group()
    def plain():
        """A group."""

    @plain.command()
    def sub():
        pass

    result = run(plain)
    # No command: the help on stderr and exit code 2 (Click 8.2's NoArgsIsHelpError).
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Usage: cmd [OPTIONS] COMMAND [ARGS]...\n\n  A group.\n")

    @group(invoke_without_command=True, chain=True)
    @cli.pass_context
    def pipeline(ctx):
        echo("pipeline, subcommand: %s" % ctx.invoked_subcommand)

    @pipeline.command()
    @argument("value", type=int)
    def add(value):
        return value

    @pipeline.command()
    def double():
        return "double"

    @pipeline.result_callback()
    def report(results):
        echo("results: %r" % (results,))

    assert run(pipeline).output == "pipeline, subcommand: None\nresults: []\n"
    assert run(pipeline, ["add", "1", "double", "add", "2"]).output == (
        "pipeline, subcommand: *\nresults: [1, 'double', 2]\n"
    )
    assert (
        "Usage: cmd [OPTIONS] COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]..."
        in run(pipeline, ["--help"]).output
    )


def test_group_help_lists_short_help_hidden_and_deprecated():
    @group()
    def top():
        """The top group."""

    @top.command()
    def wordy():
        # The help line's length is what this command is for: it stays one long line.
        """A command whose help line is long enough that the short help must be truncated somewhere sensible"""  # noqa: E501

    @top.command(short_help="Given short help.")
    def given():
        """Ignored here."""

    @top.command(hidden=True)
    def secret():
        pass

    @top.command(deprecated=True)
    def old():
        """Old command."""
        echo("old ran")

    help_text = run(top, ["--help"]).output
    assert help_text.endswith(
        "Commands:\n"
        "  given  Given short help.\n"
        "  old    Old command. (DEPRECATED)\n"
        "  wordy  A command whose help line is long enough that the short help must...\n"
    )
    assert "secret" not in help_text
    result = run(top, ["old"])
    assert result.stdout == "old ran\n"
    assert result.stderr == "DeprecationWarning: The command 'old' is deprecated.\n"


# -- import cost -----------------------------------------------------------------------------------


def test_importing_microflask_cli_never_imports_click():
    code = textwrap.dedent('''
        import sys
        sys.path.insert(0, %r)
        import microflask, microflask.cli
        from microflask import Flask
        app = Flask("no_click")

        @app.cli.command()
        @microflask.cli.option("--n", type=microflask.cli.IntRange(1, 3), default=1)
        def hello(n):
            microflask.cli.echo("hi" * n)

        result = app.test_cli_runner().invoke(args=["hello", "--n", "2"])
        help_text = microflask.cli.CliRunner().invoke(
            microflask.cli.FlaskGroup(create_app=lambda: app), ["--help"]).output
        print(result.output.strip(), "hello" in help_text, "click" in sys.modules)
    ''' % ROOT)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["hihi", "True", "False"]


def test_every_toolkit_name_is_reexported_by_microflask_cli():
    from microflask import _clicklike

    missing = [
        name
        for name in _clicklike.__all__
        if getattr(cli, name, None) is not getattr(_clicklike, name)
    ]
    assert missing == []
    assert set(_clicklike.__all__) <= set(cli.__all__)
