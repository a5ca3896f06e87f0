"""Commands made with the real Click, on microflask: the way Flask extensions write them.

Skipped (the reason shows with ``-rs``) where Click is not installed; CI
installs it with the ``test`` extra.  The only test module that imports
``click``: the toolkit's own tests never do.
"""

import os
import subprocess
import sys
import textwrap

import pytest

click = pytest.importorskip(
    "click", reason="the real Click is not installed (pip install click, or '.[test]')"
)

from microflask import Blueprint, Flask, current_app  # noqa: E402
from microflask.cli import (  # noqa: E402
    AppGroup,
    BadParameter,
    CliRunner,
    FlaskGroup,
    ScriptInfo,
    get_current_context,
    pass_script_info,
    with_appcontext,
)
from microflask.cli import command as mf_command  # noqa: E402
from microflask.cli import echo as mf_echo  # noqa: E402
from microflask.cli import option as mf_option  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("FLASK_APP", "FLASK_DEBUG", "FLASK_RUN_FROM_CLI"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")


def make_app():
    """An app with the two shapes extensions use: a Click group with
    ``with_appcontext`` and an ``AppGroup`` whose command has Click options."""
    app = Flask("interop_app")

    @click.group()
    def tools():
        """Tools made with click."""

    @tools.command()
    @click.option("--times", type=int, default=1)
    @with_appcontext
    def hello(times):
        """Say hello from the app."""
        click.echo(" ".join(["hello from " + current_app.name] * times))

    app.cli.add_command(tools)
    openapi = AppGroup("openapi", help="OpenAPI documents.")

    @openapi.command("print")
    @click.option("-f", "--format", "fmt", type=click.Choice(["json", "yaml"]), default="json")
    def print_spec(fmt):
        click.echo("spec for %s as %s" % (current_app.name, fmt))

    app.cli.add_command(openapi)
    return app, tools, openapi


# -- through app.test_cli_runner() --------------------------------------------------------------


def test_click_group_with_with_appcontext():
    app, tools, _ = make_app()
    runner = app.test_cli_runner()
    result = runner.invoke(tools, ["hello", "--times", "2"])  # the Click group itself
    assert (result.exit_code, result.output) == (
        0,
        "hello from interop_app hello from interop_app\n",
    )
    result = runner.invoke(args=["tools", "hello"])  # through app.cli, ours
    assert (result.exit_code, result.output) == (0, "hello from interop_app\n")
    assert not current_app  # the app context was popped after the command


def test_app_group_command_with_click_option_and_choice():
    app, _, openapi = make_app()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["openapi", "print", "-f", "yaml"]).output == (
        "spec for interop_app as yaml\n"
    )
    assert runner.invoke(args=["openapi", "print"]).output == "spec for interop_app as json\n"
    result = runner.invoke(args=["openapi", "print", "-f", "xml"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Usage: interop_app openapi print [OPTIONS]",
        "Try 'interop_app openapi print --help' for help.",
        "",
        "Error: Invalid value for '-f' / '--format': 'xml' is not one of 'json', 'yaml'.",
    ]
    help_text = runner.invoke(args=["openapi", "print", "--help"]).output
    assert "-f, --format [json|yaml]" in help_text
    listing = runner.invoke(args=["--help"]).output
    assert "  openapi  OpenAPI documents.\n" in listing
    assert "  tools    Tools made with click.\n" in listing
    assert runner.invoke(openapi, ["print", "-f", "yaml"]).exit_code == 0


def test_exit_codes_exceptions_and_catch_exceptions():
    app = Flask("interop_errors")

    @app.cli.command()
    def boom():
        raise ValueError("from ours")

    @click.command()
    def cboom():
        raise ValueError("from click's")

    @click.command()
    def failing():
        raise click.ClickException("it failed")

    @click.command()
    @click.pass_context
    def leave(ctx):
        ctx.exit(3)

    @click.command()
    def ask():
        name = click.prompt("Name")
        if click.confirm("Sure?", abort=True):
            click.echo("ok " + name)

    for cmd in (cboom, failing, leave, ask):
        app.cli.add_command(cmd)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cboom"])
    assert (result.exit_code, type(result.exception), result.output) == (1, ValueError, "")
    with pytest.raises(ValueError, match="from click's"):
        runner.invoke(args=["cboom"], catch_exceptions=False)
    with pytest.raises(ValueError, match="from click's"):
        runner.invoke(cboom, catch_exceptions=False)
    result = runner.invoke(args=["failing"])
    assert (result.exit_code, result.output) == (1, "Error: it failed\n")
    assert runner.invoke(args=["leave"]).exit_code == 3
    result = runner.invoke(args=["ask"], input="Bo\ny\n")
    assert (result.exit_code, result.output) == (0, "Name: Bo\nSure? [y/N]: y\nok Bo\n")
    result = runner.invoke(args=["ask"], input="Bo\nn\n")
    assert (result.exit_code, result.output) == (1, "Name: Bo\nSure? [y/N]: n\nAborted!\n")
    result = runner.invoke(failing, standalone_mode=False)
    assert isinstance(result.exception, click.ClickException)


def test_blueprint_commands_script_info_and_click_group_of_app_group_class():
    app = Flask("interop_bp")
    bp = Blueprint("jobs", __name__)

    @bp.cli.command("run-job")
    @click.option("--name", default="nightly")
    @click.argument("count", type=click.IntRange(1, 3))
    def run_job(name, count):
        click.echo("%s x%d in %s" % (name, count, current_app.name))

    app.register_blueprint(bp)

    @click.group(cls=AppGroup)
    def users():
        pass

    @users.command()
    @click.option("--admin/--no-admin", default=False)
    def create(admin):
        click.echo("created admin=%s in %s" % (admin, current_app.name))

    @click.command()
    @pass_script_info
    def where(info):
        click.echo("loads " + info.load_app().name)

    app.cli.add_command(users)
    app.cli.add_command(where)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["jobs", "run-job", "2"]).output == "nightly x2 in interop_bp\n"
    result = runner.invoke(args=["jobs", "run-job", "5"])
    assert result.exit_code == 2
    assert "Error: Invalid value for 'COUNT': 5 is not in the range 1<=x<=3." in result.output
    assert runner.invoke(args=["users", "create", "--admin"]).output == (
        "created admin=True in interop_bp\n"
    )
    assert runner.invoke(args=["where"]).output == "loads interop_bp\n"


def test_microflask_commands_inside_a_click_group():
    app = Flask("interop_nested")

    @click.group()
    def outer():
        pass

    @mf_command()
    @mf_option("--n", type=int, default=2)
    def inner(n):
        # While Click runs, microflask's current context is Click's.
        mf_echo("n=%d ctx=%s" % (n, type(get_current_context()).__module__.split(".")[0]))
        if n == 0:
            raise BadParameter("must not be zero", param_hint="'--n'")

    outer.add_command(inner)

    @app.cli.command()
    @click.option("--mode", type=click.Choice(["a", "b"]))
    @mf_option("--count", type=int, default=1)
    def mixed(mode, count):
        click.echo("mixed %s %d" % (mode, count))

    app.cli.add_command(outer)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outer", "inner", "--n", "3"]).output == "n=3 ctx=click\n"
    result = runner.invoke(args=["outer", "inner", "--n", "0"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: Invalid value for '--n': must not be zero"
    assert runner.invoke(args=["mixed", "--mode", "b", "--count", "4"]).output == "mixed b 4\n"


def test_flask_group_with_click_commands_and_plain_cli_runner():
    app, _, _ = make_app()
    group = FlaskGroup(create_app=lambda: app)
    result = CliRunner().invoke(group, ["tools", "hello"])
    assert (result.exit_code, result.output) == (0, "hello from interop_app\n")
    result = CliRunner().invoke(group, ["--help"])
    assert "  tools    Tools made with click.\n" in result.output
    assert not current_app  # listing the app's commands left no context pushed
    info = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(app.cli, ["openapi", "print", "-f", "yaml"], obj=info)
    assert result.output == "spec for interop_app as yaml\n"


def test_click_group_of_flask_group_class_with_click_options():
    def create_app():
        app = Flask("interop_factory")

        @app.cli.command()
        def hello():
            click.echo("hello from " + current_app.name)

        return app

    # A management script in Flask's documented shape, with an option of Click's.
    @click.group(cls=FlaskGroup, create_app=create_app)
    @click.option("--config", default="dev")
    def manage(config):
        click.echo("config " + config)

    result = CliRunner().invoke(manage, ["--config", "prod", "hello"])
    assert (result.exit_code, result.output) == (0, "config prod\nhello from interop_factory\n")
    help_text = CliRunner().invoke(manage, ["--help"]).output
    assert (
        "  --config TEXT" in help_text and "\n  hello\n" in help_text and "  routes " in help_text
    )
    assert not current_app


# -- the microflask command, in a subprocess ----------------------------------------------------


def run_microflask(args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1", FLASK_SKIP_DOTENV="1")
    env.pop("FLASK_APP", None)
    return subprocess.run([sys.executable, "-m", "microflask"] + args, cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_microflask_command_lists_and_runs_click_commands(tmp_path):
    (tmp_path / "click_app.py").write_text(textwrap.dedent('''
        import click
        from microflask import Flask, current_app
        from microflask.cli import AppGroup, with_appcontext

        app = Flask(__name__)

        @click.group()
        def tools():
            """Tools made with click."""

        @tools.command()
        @with_appcontext
        def hello():
            click.echo("hello from %s" % current_app.name)

        app.cli.add_command(tools)
        openapi = AppGroup("openapi", help="OpenAPI documents.")

        @openapi.command("print")
        @click.option("-f", "--format", "fmt", type=click.Choice(["json", "yaml"]), default="json")
        def print_spec(fmt):
            click.echo("spec as " + fmt)

        app.cli.add_command(openapi)
    '''))
    result = run_microflask(["--app", "click_app", "tools", "hello"], tmp_path)
    assert (result.returncode, result.stdout) == (0, "hello from click_app\n"), result.stderr
    result = run_microflask(["--app", "click_app", "openapi", "print", "-f", "yaml"], tmp_path)
    assert (result.returncode, result.stdout) == (0, "spec as yaml\n"), result.stderr
    result = run_microflask(["--app", "click_app", "openapi", "print", "-f", "xml"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Usage: microflask openapi print [OPTIONS]\n")
    assert "'xml' is not one of 'json', 'yaml'." in result.stderr
    result = run_microflask(["--app", "click_app", "--help"], tmp_path)
    assert "  openapi  OpenAPI documents.\n" in result.stdout
    assert "  tools    Tools made with click.\n" in result.stdout
