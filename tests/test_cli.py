"""microflask.cli: app discovery, Click-style commands, built-in commands, .env files."""

import os
import subprocess
import sys
import textwrap
import types

import pytest

import microflask.cli as cli_module
from microflask import Blueprint, Flask, current_app
from microflask._dotenv import find_dotenv, parse_dotenv
from microflask.cli import (
    AppGroup,
    CliRunner,
    FlaskGroup,
    MicroflaskGroup,
    NoAppException,
    ScriptInfo,
    argument,
    echo,
    find_app_by_string,
    find_best_app,
    load_dotenv,
    locate_app,
    option,
    pass_script_info,
    prepare_import,
    with_appcontext,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    # setenv first, so monkeypatch records the original state and restores it even
    # when the CLI sets these variables itself (--debug, FLASK_RUN_FROM_CLI).
    for name in ("FLASK_APP", "FLASK_DEBUG", "FLASK_RUN_FROM_CLI", "FLASK_SKIP_DOTENV"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    # In-process commands must not pick up a .env file from wherever pytest runs.
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")


@pytest.fixture()
def app():
    app = Flask("cli_test_app")

    @app.route("/")
    def index():
        return "index"

    @app.route("/items/<int:item_id>", methods=["GET", "POST"])
    def item(item_id):
        return str(item_id)

    return app


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


# -- custom commands -----------------------------------------------------------------------------


def test_command_with_arguments_and_options(app, runner):
    @app.cli.command("greet")
    @option("--count", "-c", type=int, default=1, help="How many times.")
    @option("--shout/--no-shout", default=False)
    @argument("name")
    def greet(name, count, shout):
        """Greet NAME."""
        message = " ".join(["hello " + name] * count)
        echo(message.upper() if shout else message)

    assert runner.invoke(args=["greet", "bob"]).output == "hello bob\n"
    result = runner.invoke(args=["greet", "bob", "-c", "2", "--shout"])
    assert result.exit_code == 0
    assert result.output == "HELLO BOB HELLO BOB\n"
    assert (
        runner.invoke(args=["greet", "--count=3", "--no-shout", "x"]).output
        == "hello x hello x hello x\n"
    )
    assert runner.invoke(args=["greet", "-c3", "y"]).output == "hello y hello y hello y\n"


def test_command_help_lists_options(app, runner):
    @app.cli.command("greet")
    @option("--count", "-c", type=int, default=1, help="How many times.")
    @option("--shout/--no-shout", default=False)
    @argument("name")
    def greet(name, count, shout):
        """Greet NAME politely.

        A longer description.
        """

    result = runner.invoke(args=["greet", "--help"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Usage: cli_test_app greet [OPTIONS] NAME",
        "",
        "  Greet NAME politely.",
        "",
        "  A longer description.",
        "",
        "Options:",
        "  -c, --count INTEGER   How many times.",
        "  --shout / --no-shout",
        "  --help                Show this message and exit.",
    ]
    group_help = runner.invoke(args=["--help"]).output
    assert "Commands:\n  greet  Greet NAME politely.\n" in group_help


def test_usage_errors_exit_2_with_click_messages(app, runner):
    @app.cli.command("greet")
    @option("--count", "-c", type=int, default=1)
    @argument("name")
    def greet(name, count):
        echo(name)

    result = runner.invoke(args=["greet"])
    assert result.exit_code == 2
    assert result.output.endswith("\nError: Missing argument 'NAME'.\n")
    assert "Usage: cli_test_app greet [OPTIONS] NAME" in result.output
    assert "Try 'cli_test_app greet --help' for help." in result.output

    result = runner.invoke(args=["greet", "x", "-c", "many"])
    assert result.exit_code == 2
    assert (
        "Error: Invalid value for '--count' / '-c': 'many' is not a valid integer." in result.output
    )

    result = runner.invoke(args=["greet", "x", "--nope"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        2,
        "Error: No such option '--nope'.",
    )

    result = runner.invoke(args=["greet", "x", "-c"])
    assert result.output.splitlines()[-1] == "Error: Option '-c' requires an argument."

    result = runner.invoke(args=["greet", "x", "y"])
    assert result.output.splitlines()[-1] == "Error: Got unexpected extra argument (y)"

    result = runner.invoke(args=["missing"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        2,
        "Error: No such command 'missing'.",
    )
    assert result.stderr == result.output


def test_option_kinds(app, runner):
    seen = {}

    @app.cli.command()
    @option("--tag", "-t", multiple=True)
    @option("-v", "--verbose", count=True)
    @option("--mode", type=cli_module.Choice(["fast", "slow"]), default="fast")
    @option("--ratio", type=float, default=0.5)
    @option("--name-with-dashes", default="d")
    @option("--token", envvar="MF_TEST_TOKEN")
    @option("--flag", is_flag=True)
    @option("--required-thing", required=True)
    @argument("paths", nargs=-1)
    def collect(**kwargs):
        seen.update(kwargs)

    result = runner.invoke(
        args=["collect", "a", "-t", "x", "--tag=y", "-vvv", "--mode", "slow", "--ratio", "2",
              "b", "--flag", "--required-thing", "r"],
        env={"MF_TEST_TOKEN": "secret"},
    )
    assert result.exit_code == 0, result.output
    assert seen == {
        "tag": ("x", "y"), "verbose": 3, "mode": "slow", "ratio": 2.0,
        "name_with_dashes": "d", "token": "secret", "flag": True,
        "required_thing": "r", "paths": ("a", "b"),
    }
    result = runner.invoke(args=["collect"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: Missing option '--required-thing'."
    result = runner.invoke(args=["collect", "--required-thing", "r", "--mode", "medium"])
    assert (
        "Error: Invalid value for '--mode': 'medium' is not one of 'fast', 'slow'." in result.output
    )
    seen.clear()
    runner.invoke(args=["collect", "--required-thing", "r"])
    assert (
        seen["tag"] == () and seen["verbose"] == 0 and seen["paths"] == () and seen["flag"] is False
    )


def test_commands_run_in_the_app_context(app, runner):
    @app.cli.command()
    def where():
        echo(current_app.name)

    @app.cli.command(with_appcontext=False)
    def outside():
        from microflask import has_app_context

        echo(str(has_app_context()))

    assert runner.invoke(args=["where"]).output == "cli_test_app\n"
    assert runner.invoke(args=["outside"]).output == "False\n"


def test_function_names_become_command_names(app, runner):
    @app.cli.command()
    def init_db_command():
        echo("initialised")

    assert "init-db" in app.cli.commands
    assert runner.invoke(args=["init-db"]).output == "initialised\n"


def test_groups_and_blueprint_commands(app, runner):
    @app.cli.group()
    def user():
        """Manage users."""

    @user.command()
    @argument("name")
    def create(name):
        echo("created " + name + " in " + current_app.name)

    bp = Blueprint("admin", __name__)

    @bp.cli.command("purge")
    def purge():
        echo("purged")

    merged = Blueprint("merged", __name__, cli_group=None)

    @merged.cli.command("flat")
    def flat():
        echo("flat")

    custom = Blueprint("custom", __name__, cli_group="tools")

    @custom.cli.command("tool")
    def tool():
        echo("tool")

    app.register_blueprint(bp)
    app.register_blueprint(merged)
    app.register_blueprint(custom)
    assert isinstance(user, AppGroup)
    assert runner.invoke(args=["user", "create", "ann"]).output == "created ann in cli_test_app\n"
    assert runner.invoke(args=["admin", "purge"]).output == "purged\n"
    assert runner.invoke(args=["flat"]).output == "flat\n"
    assert runner.invoke(args=["tools", "tool"]).output == "tool\n"
    help_text = runner.invoke(args=["user", "--help"]).output
    assert "Commands:\n  create" in help_text


def test_input_exceptions_and_exit_codes(app, runner):
    @app.cli.command()
    def ask():
        echo("you said " + input())

    @app.cli.command()
    def boom():
        raise ValueError("bad")

    @app.cli.command()
    def quit_three():
        sys.exit(3)

    @app.cli.command()
    def errors():
        echo("to stderr", err=True)
        echo("to stdout")

    assert runner.invoke(args=["ask"], input="hi\n").output == "you said hi\n"
    result = runner.invoke(args=["boom"])
    assert result.exit_code == 1 and isinstance(result.exception, ValueError)
    with pytest.raises(ValueError):
        runner.invoke(args=["boom"], catch_exceptions=False)
    assert runner.invoke(args=["quit-three"]).exit_code == 3
    result = runner.invoke(args=["errors"])
    assert (result.stdout, result.stderr, result.output) == (
        "to stdout\n",
        "to stderr\n",
        "to stderr\nto stdout\n",
    )


def test_pass_script_info_and_custom_flask_group(app):
    @option("--who", default="world")
    @pass_script_info
    def hello(info, who):
        echo("%s says hello to %s" % (info.load_app().name, who))

    cli = FlaskGroup(create_app=lambda: app)
    assert MicroflaskGroup is FlaskGroup
    cli.command("hello", with_appcontext=False)(hello)
    result = CliRunner().invoke(cli, ["hello", "--who", "you"])
    assert result.output == "cli_test_app says hello to you\n"
    result = CliRunner().invoke(cli, ["routes"])
    assert "item" in result.output


def test_with_appcontext_decorator_on_plain_command(app):
    from microflask.cli import command

    @command()
    @with_appcontext
    def name():
        echo(current_app.name)

    result = app.test_cli_runner().invoke(name)
    assert result.output == "cli_test_app\n"


# -- built-in commands ----------------------------------------------------------------------------


def invoke_builtin(app, args):
    return CliRunner().invoke(FlaskGroup(create_app=lambda: app), args)


def test_routes_table(app):
    result = invoke_builtin(app, ["routes"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Endpoint  Methods    Rule",
        "--------  ---------  -----------------------",
        "index     GET        /",
        "item      GET, POST  /items/<int:item_id>",
        "static    GET        /static/<path:filename>",
    ]
    lines = invoke_builtin(app, ["routes", "--sort", "rule", "--all-methods"]).output.splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["index", "item", "static"]
    assert "GET, HEAD, OPTIONS, POST" in lines[3]
    lines = invoke_builtin(app, ["routes", "-s", "methods"]).output.splitlines()
    assert lines[-1].startswith("item")
    assert invoke_builtin(app, ["routes", "-s", "sideways"]).exit_code == 2


def test_routes_with_subdomains_and_no_routes():
    app = Flask("subs", static_folder=None)
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/", subdomain="api")
    def api_root():
        return ""

    output = invoke_builtin(app, ["routes"]).output.splitlines()
    assert output[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]
    assert output[2].split() == ["api_root", "GET", "api", "/"]
    empty = Flask("empty", static_folder=None)
    assert invoke_builtin(empty, ["routes"]).output == "No routes were registered.\n"


def test_run_command_passes_options_to_run_simple(app, monkeypatch, tmp_path):
    import microflask.serving

    calls = []
    monkeypatch.setattr(microflask.serving, "run_simple", lambda *a, **k: calls.append((a, k)))
    result = invoke_builtin(app, ["run", "-h", "0.0.0.0", "-p", "8123", "--without-threads",
                                  "--extra-files", os.pathsep.join(["a.txt", "b.txt"])])
    assert result.exit_code == 0, result.output
    (args, kwargs), = calls
    assert args == ("0.0.0.0", 8123, app)
    assert kwargs["threaded"] is False
    assert kwargs["use_reloader"] is False and kwargs["use_debugger"] is False
    assert kwargs["extra_files"] == ["a.txt", "b.txt"]
    assert kwargs["ssl_context"] is None
    assert os.environ["FLASK_RUN_FROM_CLI"] == "true"

    calls.clear()
    result = invoke_builtin(app, ["--debug", "run", "--no-reload"])
    assert result.exit_code == 0, result.output
    assert calls[0][1]["use_debugger"] is True and calls[0][1]["use_reloader"] is False
    assert " * Debug mode: on" in result.output
    assert app.debug is True

    cert = tmp_path / "c.pem"
    cert.write_text("x")
    result = invoke_builtin(app, ["run", "--cert", str(cert)])
    assert result.exit_code == 2 and "--key" in result.output


def test_shell_command_uses_the_shell_context(app, monkeypatch):
    import code

    captured = {}
    monkeypatch.setattr(
        code, "interact", lambda banner, local: captured.update(banner=banner, local=local)
    )
    monkeypatch.delenv("PYTHONSTARTUP", raising=False)
    monkeypatch.setattr(sys, "__interactivehook__", None, raising=False)
    app.shell_context_processor(lambda: {"answer": 42})
    result = invoke_builtin(app, ["shell"])
    assert result.exit_code == 0, result.output
    assert captured["local"]["app"] is app and captured["local"]["answer"] == 42
    assert captured["banner"].startswith("Python %s" % sys.version)
    assert "App: cli_test_app" in captured["banner"]


def test_group_help_and_version(app):
    result = invoke_builtin(app, ["--help"])
    assert result.exit_code == 0
    for name in ("routes", "run", "shell"):
        assert "\n  %s " % name in result.output
    assert "-A, --app IMPORT" in result.output
    assert "--debug / --no-debug" in result.output
    version = invoke_builtin(app, ["--version"]).output
    assert version.startswith("Python ") and "microflask " in version


def test_bundle_command_is_listed_when_the_module_exists(app):
    import importlib.util

    result = invoke_builtin(app, ["--help"])
    has_bundle = importlib.util.find_spec("microflask.bundle") is not None
    assert ("\n  bundle " in result.output) == has_bundle


def test_bundle_command_help_and_output(app, monkeypatch, tmp_path):
    import importlib.util

    if importlib.util.find_spec("microflask.bundle") is None:
        pytest.skip("microflask.bundle is not part of the single-file bundle")
    import microflask.bundle

    result = invoke_builtin(app, ["bundle", "--help"])
    assert result.exit_code == 0
    # Click's layout, like every other command (not argparse's).
    assert result.output.startswith(
        "Usage: root bundle [OPTIONS]\n\n  Write microflask as one Python file.\n"
    )
    assert result.output.endswith(
        "Options:\n"
        "  -o, --output FILE  Where to write the bundle; '-' is stdout.  [default: -]\n"
        "  --profile NAME     full: every module; core: no CLI, server or dev tools.\n"
        "                     [default: full]\n"
        "  --help             Show this message and exit.\n"
    )
    monkeypatch.setattr(microflask.bundle, "build_bundle", lambda profile: "# %s\n" % profile)
    monkeypatch.setattr(microflask.bundle, "write_bundle", lambda path, profile: 12)
    assert invoke_builtin(app, ["bundle"]).stdout == "# full\n"
    assert invoke_builtin(app, ["bundle", "--profile", "core"]).stdout == "# core\n"
    result = invoke_builtin(app, ["bundle", "-o", str(tmp_path / "m.py")])
    assert (result.exit_code, result.stderr) == (0, "wrote %s (12 lines)\n" % (tmp_path / "m.py"))

    def refuse(path, profile):
        raise microflask.bundle.BundleError("import cycle")

    monkeypatch.setattr(microflask.bundle, "write_bundle", refuse)
    result = invoke_builtin(app, ["bundle", "-o", "x.py"])
    assert (result.exit_code, result.stderr) == (1, "Error: import cycle\n")


def test_run_accepts_debug_after_the_command(app, monkeypatch):
    import microflask.serving

    calls = []
    monkeypatch.setattr(microflask.serving, "run_simple", lambda *a, **k: calls.append(k))
    # Flask 3 accepts --debug on the group and after "run".
    result = invoke_builtin(app, ["run", "--debug", "--no-reload"])
    assert result.exit_code == 0, result.output
    assert calls[-1]["use_debugger"] is True and calls[-1]["use_reloader"] is False
    assert os.environ["FLASK_DEBUG"] == "1" and app.debug is True
    assert " * Debug mode: on" in result.output
    result = invoke_builtin(app, ["--debug", "run", "--no-debug", "--no-reload"])
    assert calls[-1]["use_debugger"] is False and os.environ["FLASK_DEBUG"] == "0"
    help_text = invoke_builtin(app, ["run", "--help"]).output
    assert "\nOptions:\n  --debug / --no-debug            Set debug mode.\n" in help_text


def test_version_option_help_names_microflask(app):
    help_text = invoke_builtin(app, ["--help"]).output
    assert (
        "  --version             Show the Python and microflask versions and exit.\n" in help_text
    )
    assert "Flask version" not in help_text


def test_help_leaves_no_app_context_pushed(app):
    @app.cli.command()
    def listed():
        """Listed in the help."""

    # Listing the app's commands loads the app and pushes its context; --help
    # exits through ctx.exit(), which closes it (Click 8.2).
    assert "  listed  Listed in the help." in invoke_builtin(app, ["--help"]).output
    assert not current_app


def test_registered_builtin_commands_are_found_lazily(app, monkeypatch):
    from microflask.cli import command, register_builtin_command

    @command("extra")
    def extra():
        echo("extra ran")

    monkeypatch.setitem(cli_module._builtin_command_loaders, "extra", lambda: extra)
    register_builtin_command("extra", lambda: extra)
    assert invoke_builtin(app, ["extra"]).output == "extra ran\n"


# -- finding the app -------------------------------------------------------------------------------


def make_module(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def test_find_best_app():
    app = Flask("a")
    assert find_best_app(make_module("m", app=app)) is app
    assert find_best_app(make_module("m", application=app)) is app
    assert find_best_app(make_module("m", myapp=app)) is app
    assert find_best_app(make_module("m", create_app=lambda: app)) is app
    assert find_best_app(make_module("m", make_app=lambda: app)) is app

    def create_app(config):
        return app

    with pytest.raises(NoAppException, match="could not call it without arguments"):
        find_best_app(make_module("m", create_app=create_app))
    with pytest.raises(NoAppException, match="Detected multiple Flask applications"):
        find_best_app(make_module("m", one=Flask("1"), two=Flask("2")))
    with pytest.raises(NoAppException, match="Failed to find Flask application or factory"):
        find_best_app(make_module("m"))

    def broken_factory():
        raise TypeError("inside the factory")

    with pytest.raises(TypeError, match="inside the factory"):
        find_best_app(make_module("m", create_app=broken_factory))


def test_find_app_by_string():
    app = Flask("a")

    def factory(name="x", debug=False):
        return app if name == "ok" and debug else None

    module = make_module("mod", app=app, factory=factory, other=object())
    assert find_app_by_string(module, "app") is app
    assert find_app_by_string(module, "factory('ok', debug=True)") is app
    with pytest.raises(NoAppException, match="Failed to parse"):
        find_app_by_string(module, "app!")
    with pytest.raises(NoAppException, match="Failed to find attribute 'missing' in 'mod'"):
        find_app_by_string(module, "missing")
    with pytest.raises(NoAppException, match="literal values"):
        find_app_by_string(module, "factory(os.name)")
    with pytest.raises(NoAppException, match="could not be called with the specified arguments"):
        find_app_by_string(module, "factory(1, 2, 3)")
    with pytest.raises(NoAppException, match="A valid Flask application was not obtained"):
        find_app_by_string(module, "other")
    with pytest.raises(NoAppException, match="simple name"):
        find_app_by_string(module, "a.b()")


def test_prepare_import_and_locate_app(tmp_path, monkeypatch):
    package = tmp_path / "mf_cli_pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "web.py").write_text("from microflask import Flask\napp = Flask('web')\n")
    (tmp_path / "mf_broken_app.py").write_text("import mf_module_that_does_not_exist\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    try:
        assert prepare_import(str(package / "sub" / "web.py")) == "mf_cli_pkg.sub.web"
        assert sys.path[0] == str(tmp_path)
        assert prepare_import(str(package / "sub")) == "mf_cli_pkg.sub"
        assert locate_app("mf_cli_pkg.sub.web", None).name == "web"
        assert locate_app("mf_cli_pkg.sub.web", "app").name == "web"
        assert locate_app("mf_no_such_module", None, raise_if_not_found=False) is None
        with pytest.raises(NoAppException, match="Could not import 'mf_no_such_module'"):
            locate_app("mf_no_such_module", None)
        with pytest.raises(NoAppException, match="While importing 'mf_broken_app'") as info:
            locate_app("mf_broken_app", None)
        assert "mf_module_that_does_not_exist" in str(info.value)
    finally:
        for name in [n for n in sys.modules if n.startswith(("mf_cli_pkg", "mf_broken_app"))]:
            del sys.modules[name]


def test_script_info_loads_once_and_sets_debug(monkeypatch):
    made = []

    def create():
        made.append(Flask("made"))
        return made[-1]

    monkeypatch.setenv("FLASK_DEBUG", "1")
    info = ScriptInfo(create_app=create)
    assert info.load_app() is info.load_app() is made[0]
    assert made[0].debug is True
    monkeypatch.setenv("FLASK_DEBUG", "0")
    assert ScriptInfo(create_app=create, set_debug_flag=True).load_app().debug is False


def test_script_info_without_an_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NoAppException, match="Could not locate a Flask application"):
        ScriptInfo().load_app()


# -- .env files ------------------------------------------------------------------------------------


def test_parse_dotenv():
    text = textwrap.dedent('''\
        # a comment
        PLAIN=value
        export EXPORTED = spaced words # trailing comment
        SINGLE='literal ${PLAIN} # not a comment'
        DOUBLE="line\\nbreak ${PLAIN} \\"quoted\\""
        MULTI="first
        second"
        EMPTY=
        BARE
        HASH=a#b
        DEFAULTED=${MF_UNSET_VARIABLE:-fallback}
        not a valid line
    ''')
    assert parse_dotenv(text) == {
        "PLAIN": "value",
        "EXPORTED": "spaced words",
        "SINGLE": "literal ${PLAIN} # not a comment",
        "DOUBLE": 'line\nbreak value "quoted"',
        "MULTI": "first\nsecond",
        "EMPTY": "",
        "BARE": None,
        "HASH": "a#b",
        "DEFAULTED": "fallback",
    }


def test_load_dotenv_precedence_and_no_override(tmp_path, monkeypatch):
    (tmp_path / ".flaskenv").write_text("MF_A=flaskenv\nMF_B=flaskenv\nMF_C=flaskenv\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / ".env").write_text("MF_B=env\nMF_C=env\n")
    (tmp_path / "custom.env").write_text("MF_C=custom\n")
    monkeypatch.chdir(tmp_path / "sub")  # found from a parent directory
    monkeypatch.setenv("MF_PRESET", "kept")
    (tmp_path / ".env").write_text("MF_B=env\nMF_C=env\nMF_PRESET=lost\n")
    for name in ("MF_A", "MF_B", "MF_C"):
        monkeypatch.setenv(name, "")  # recorded, so the values load_dotenv sets are undone
        monkeypatch.delenv(name)
    assert find_dotenv(".env") == str(tmp_path / ".env")
    assert load_dotenv(str(tmp_path / "custom.env")) is True
    assert (os.environ["MF_A"], os.environ["MF_B"], os.environ["MF_C"]) == (
        "flaskenv",
        "env",
        "custom",
    )
    assert os.environ["MF_PRESET"] == "kept"


def test_env_file_option_and_flask_app_from_dotenv(tmp_path, monkeypatch, app):
    (tmp_path / "vars.env").write_text("MF_FROM_FILE=yes\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MF_FROM_FILE", "")
    monkeypatch.delenv("MF_FROM_FILE")
    cli = FlaskGroup(create_app=lambda: app)

    @cli.command(with_appcontext=False)
    def show():
        echo(os.environ.get("MF_FROM_FILE", "unset"))

    assert CliRunner().invoke(cli, ["-e", "vars.env", "show"]).output == "yes\n"
    result = CliRunner().invoke(cli, ["-e", "missing.env", "show"])
    assert result.exit_code == 2 and "does not exist" in result.output


# -- the real command, in a subprocess ------------------------------------------------------------


def run_cli(args, cwd, **env_updates):
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for name in ("FLASK_APP", "FLASK_DEBUG", "FLASK_RUN_FROM_CLI", "FLASK_SKIP_DOTENV"):
        env.pop(name, None)
    env.update(env_updates)
    return subprocess.run([sys.executable, "-m", "microflask"] + args, cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=30)


def test_python_m_microflask(tmp_path):
    (tmp_path / "hello_cli.py").write_text(textwrap.dedent('''
        from microflask import Flask
        from microflask.cli import echo

        app = Flask(__name__)

        @app.route("/")
        def index():
            return "hi"

        @app.cli.command()
        def greet():
            echo("greetings from " + app.name)
    '''))
    (tmp_path / "broken_cli.py").write_text("import mf_definitely_missing_module\n")
    (tmp_path / ".flaskenv").write_text("FLASK_APP=hello_cli\n")

    result = run_cli(["--app", "hello_cli.py", "routes"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "index     GET      /" in result.stdout

    result = run_cli(["greet"], tmp_path)  # FLASK_APP from .flaskenv
    assert (result.returncode, result.stdout) == (0, "greetings from hello_cli\n")

    result = run_cli(["greet"], tmp_path, FLASK_SKIP_DOTENV="1", FLASK_APP="hello_cli:app")
    assert result.stdout == "greetings from hello_cli\n"

    result = run_cli(["--app", "broken_cli", "routes"], tmp_path)
    assert result.returncode == 2
    assert "Error: While importing 'broken_cli', an ImportError was raised" in result.stderr
    assert "No module named 'mf_definitely_missing_module'" in result.stderr

    result = run_cli(["--app", "hello_cli", "nope"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "Error: No such command 'nope'."

    result = run_cli(["--bogus"], tmp_path)
    assert result.returncode == 2 and "Error: No such option '--bogus'." in result.stderr


def test_prompts_and_confirmation(app, runner):
    from microflask.cli import confirm

    @app.cli.command()
    @option("--name", prompt=True)
    @option("--age", type=int, prompt="Your age")
    def ask(name, age):
        echo("%s is %d" % (name, age))
        if confirm("Sure?", abort=True):
            echo("confirmed")

    result = runner.invoke(args=["ask"], input="Bo\nx\n7\ny\n")
    assert result.exit_code == 0
    assert result.output == ("Name: Bo\nYour age: x\nError: 'x' is not a valid integer.\n"
                             "Your age: 7\nBo is 7\nSure? [y/N]: y\nconfirmed\n")
    result = runner.invoke(args=["ask", "--name", "A", "--age", "3"], input="n\n")
    assert (result.exit_code, result.output) == (1, "A is 3\nSure? [y/N]: n\nAborted!\n")


def test_run_options_from_environment(app, monkeypatch):
    import microflask.serving

    calls = []
    monkeypatch.setattr(microflask.serving, "run_simple", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setenv("FLASK_RUN_PORT", "8765")
    monkeypatch.setenv("FLASK_RUN_HOST", "127.0.0.9")
    monkeypatch.setenv("FLASK_RUN_WITH_THREADS", "0")
    assert invoke_builtin(app, ["run"]).exit_code == 0
    (args, kwargs), = calls
    assert args[:2] == ("127.0.0.9", 8765) and kwargs["threaded"] is False


def test_ranges_confirmation_and_version_options():
    from microflask.cli import (
        FloatRange,
        IntRange,
        command,
        confirmation_option,
        version_option,
    )

    @command()
    @option("--n", type=IntRange(1, 5))
    @option("--f", type=FloatRange(0, 1, clamp=True), default=0.5)
    @confirmation_option(prompt="Drop it?")
    @version_option("1.2")
    def drop(n, f):
        echo("dropped %s %s" % (n, f))

    runner = CliRunner()
    # Click clamps to the bound as declared (1, not 1.0).
    assert runner.invoke(drop, ["--n", "3", "--f", "7", "--yes"]).output == "dropped 3 1\n"
    result = runner.invoke(drop, ["--n", "9", "--yes"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--n': 9 is not in the range 1<=x<=5.")
    result = runner.invoke(drop, ["--n", "2"], input="y\n")
    assert result.output == "Drop it? [y/N]: y\ndropped 2 0.5\n"
    result = runner.invoke(drop, ["--n", "2"], input="n\n")
    assert (result.exit_code, result.output) == (1, "Drop it? [y/N]: n\nAborted!\n")
    assert runner.invoke(drop, ["--version"]).output == "drop, version 1.2\n"


def test_run_cert_and_key_validation(monkeypatch):
    import ssl

    from microflask.cli import BadParameter, run_command

    here = os.path.abspath(__file__)
    with pytest.raises(BadParameter):
        run_command.make_context("run", ["--cert", here])  # a cert file needs --key
    with pytest.raises(BadParameter):
        run_command.make_context("run", ["--key", here])  # --key needs --cert
    for args in (["--cert", here, "--key", here], ["--key", here, "--cert", here]):
        assert run_command.make_context("run", args).params["cert"] == (here, here)
    assert "key" not in run_command.make_context("run", ["--cert", here, "--key", here]).params

    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(BadParameter):
        run_command.make_context("run", ["--cert", "adhoc"])
    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))
    assert run_command.make_context("run", ["--cert", "adhoc"]).params["cert"] == "adhoc"
    with pytest.raises(BadParameter):
        run_command.make_context("run", ["--cert", "adhoc", "--key", here])

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    monkeypatch.setitem(sys.modules, "cli_test_ssl_context", context)
    params = run_command.make_context("run", ["--cert", "cli_test_ssl_context"]).params
    assert params["cert"] is context
    with pytest.raises(BadParameter):
        run_command.make_context("run", ["--cert", "cli_test_ssl_context", "--key", here])
    with pytest.raises(BadParameter):
        run_command.make_context("run", ["--cert", "microflask"])  # importable, not a context


def test_run_path_lists_are_split(tmp_path):
    from microflask.cli import run_command

    first, second = str(tmp_path / "a.py"), str(tmp_path / "b.py")
    joined = os.pathsep.join([first, second])
    params = run_command.make_context(
        "run", ["--exclude-patterns", joined, "--extra-files", first]
    ).params
    assert params["exclude_patterns"] == [first, second]
    assert params["extra_files"] == [first]


def test_version_callback_calls_exit_without_a_code(capsys):
    from microflask.cli import get_version

    class RecordingContext:
        resilient_parsing = False
        color = None
        exited = False

        def exit(self):
            self.exited = True

    ctx = RecordingContext()
    get_version(ctx, None, True)
    assert ctx.exited and capsys.readouterr().out.startswith("Python ")


def test_app_context_is_active_for_parameter_callbacks_and_popped_after(app):
    def callback(ctx, param, value):
        return current_app.name

    @app.cli.command()
    @argument("value", callback=callback)
    def check(value):
        return value, current_app._get_current_object() is app

    group = FlaskGroup(create_app=lambda: app)
    result = CliRunner().invoke(group, ["check", "x"], standalone_mode=False)
    assert result.return_value == ("cli_test_app", True)
    assert not current_app  # nothing left pushed after the command
