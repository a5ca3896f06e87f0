"""The app factory example: layered config, blueprints, templates, a command."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "examples"))

from factory import create_app  # noqa: E402

SETTINGS = ("FLASK_GREETING", "FLASK_SITE_NAME", "FLASK_PAGE_SIZE", "FLASK_SECRET_KEY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def instance(tmp_path):
    folder = tmp_path / "instance"
    folder.mkdir()
    return folder


@pytest.fixture
def app(instance):
    return create_app({"TESTING": True}, instance_path=str(instance))


@pytest.fixture
def client(app):
    return app.test_client()


def test_each_call_builds_a_new_app(instance):
    first = create_app(instance_path=str(instance))
    second = create_app(instance_path=str(instance))
    assert first is not second
    assert first.instance_path == str(instance)
    assert not first.testing
    assert create_app({"TESTING": True}, instance_path=str(instance)).testing


def test_defaults(app):
    assert app.config["GREETING"] == "Hello"
    assert app.config["SITE_NAME"] == "Factory example"
    assert app.config["PAGE_SIZE"] == 10
    assert app.config["SECRET_KEY"] == "dev"


def test_config_precedence(instance, monkeypatch):
    # defaults < instance/config.py < FLASK_* environment < test_config
    (instance / "config.py").write_text(
        "GREETING = 'Hello from the file'\n"
        "SITE_NAME = 'Filed'\n"
        "PAGE_SIZE = 20\n"
        "lowercase_is_ignored = True\n"
    )
    monkeypatch.setenv("FLASK_GREETING", "Hi from the environment")
    monkeypatch.setenv("FLASK_PAGE_SIZE", "30")
    app = create_app({"PAGE_SIZE": 40}, instance_path=str(instance))
    assert app.config["SECRET_KEY"] == "dev"
    assert app.config["SITE_NAME"] == "Filed"
    assert app.config["GREETING"] == "Hi from the environment"
    assert app.config["PAGE_SIZE"] == 40
    assert "lowercase_is_ignored" not in app.config

    # Without test_config the environment wins, typed through JSON.
    app = create_app(instance_path=str(instance))
    assert app.config["PAGE_SIZE"] == 30
    monkeypatch.delenv("FLASK_PAGE_SIZE")
    assert create_app(instance_path=str(instance)).config["PAGE_SIZE"] == 20


def test_missing_config_file_is_fine(tmp_path):
    app = create_app(instance_path=str(tmp_path / "does-not-exist"))
    assert app.config["GREETING"] == "Hello"


def test_blueprints_are_registered(app):
    assert set(app.blueprints) == {"main", "api"}
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["main.index"] == "/"
    assert rules["main.hello"] == "/hello/<name>"
    assert rules["api.greeting"] == "/api/greeting"
    assert rules["api.settings"] == "/api/settings"


def test_pages_use_template_inheritance(client):
    page = client.get("/").get_data(as_text=True)
    assert "<title>Home - Factory example</title>" in page
    assert "<h1>Hello!</h1>" in page
    # The name comes from the URL: autoescaping keeps it text, not markup.
    page = client.get("/hello/%3Cb%3EAda%20&").get_data(as_text=True)
    assert "<title>Hello &lt;b&gt;Ada &amp; - Factory example</title>" in page
    assert "<h1>Hello, &lt;b&gt;Ada &amp;!</h1>" in page
    assert client.get("/nope").status_code == 404


def test_url_for_across_blueprints(app, client):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/hello/Ada">Ada</a>' in page
    assert '<a href="/api/greeting?name=Ada">API</a>' in page
    assert '<a href="/api/settings">settings (JSON)</a>' in page
    rv = client.get("/api/greeting?name=Ada Lovelace")
    assert rv.get_json() == {"greeting": "Hello, Ada Lovelace!", "page": "/hello/Ada%20Lovelace"}
    with app.test_request_context():
        from microflask import url_for

        assert url_for("main.hello", name="x") == "/hello/x"
        assert url_for("api.greeting", _external=True) == "http://localhost/api/greeting"


def test_api_settings_never_show_the_secret(instance):
    client = create_app({"SECRET_KEY": "s3cret", "GREETING": "Yo"}, instance_path=str(instance))
    body = client.test_client().get("/api/settings").get_json()
    assert body == {"greeting": "Yo", "site_name": "Factory example", "page_size": 10}


def cli_runner(app):
    try:
        import microflask.cli  # noqa: F401
    except ImportError as exc:
        pytest.skip("microflask.cli not available: %s" % exc)
    return app.test_cli_runner()


def test_greet_command(app):
    runner = cli_runner(app)
    result = runner.invoke(args=["greet", "--name", "x"])
    assert result.exit_code == 0, result.output
    assert result.output == "Hello, x!\n"
    result = runner.invoke(args=["greet"])
    assert result.output == "Hello, World!\n"
    result = runner.invoke(args=["greet", "--name", "Ada", "--count", "2"])
    assert result.output == "Hello, Ada!\nHello, Ada!\n"


def test_greet_command_uses_the_config(instance):
    runner = cli_runner(create_app({"GREETING": "Howdy"}, instance_path=str(instance)))
    assert runner.invoke(args=["greet", "--name", "y"]).output == "Howdy, y!\n"


def test_greet_command_rejects_bad_options(app):
    runner = cli_runner(app)
    result = runner.invoke(args=["greet", "--count", "many"])
    assert result.exit_code == 2
    assert "Invalid value for '--count'" in result.output
