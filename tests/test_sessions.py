"""Signed-cookie sessions: round trips, tampering, expiry, rotation, cookie options."""

import json
import pathlib
import time
from datetime import timedelta

import pytest

from microflask import Flask, flash, get_flashed_messages, session

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def app():
    app = Flask("test_sessions")
    app.secret_key = "test secret"
    app.testing = True

    @app.route("/set/<key>/<value>")
    def set_value(key, value):
        session[key] = value
        return "ok"

    @app.route("/get/<key>")
    def get_value(key):
        return repr(session.get(key))

    @app.route("/clear")
    def clear():
        session.clear()
        return "cleared"

    @app.route("/untouched")
    def untouched():
        return "nothing"

    @app.route("/permanent")
    def permanent():
        session.permanent = True
        session["p"] = 1
        return "p"

    return app


def session_cookie(response):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            return header
    return None


def test_round_trip_and_vary(app):
    client = app.test_client()
    rv = client.get("/set/a/1")
    cookie = session_cookie(rv)
    assert cookie is not None and "HttpOnly" in cookie and "Path=/" in cookie
    assert "Cookie" in rv.headers.get("Vary", "")
    rv = client.get("/get/a")
    assert rv.data == b"'1'"
    assert "Cookie" in rv.headers["Vary"]


def test_untouched_session_writes_nothing(app):
    client = app.test_client()
    client.get("/set/a/1")
    rv = client.get("/untouched")
    assert session_cookie(rv) is None
    assert "Vary" not in rv.headers


def test_emptied_session_deletes_cookie(app):
    client = app.test_client()
    client.get("/set/a/1")
    rv = client.get("/clear")
    cookie = session_cookie(rv)
    assert cookie is not None
    assert "Expires=Thu, 01 Jan 1970 00:00:00 GMT" in cookie or "Max-Age=0" in cookie
    assert client.get("/get/a").data == b"None"


@pytest.mark.parametrize(
    "value",
    ["garbage", "", "a.b.c", "eyJhIjoxfQ.AAAA.BBBB", "." * 50, "\u00e9\u00e9", "x" * 4000],
    ids=["garbage", "empty", "dots", "forged", "only-dots", "non-ascii", "long"],
)
def test_tampered_or_garbage_cookie_is_an_empty_session(app, value):
    client = app.test_client()
    client.set_cookie("session", value)
    rv = client.get("/get/a")
    assert rv.status_code == 200 and rv.data == b"None"


def test_tampered_signature(app):
    client = app.test_client()
    rv = client.get("/set/a/1")
    value = session_cookie(rv).split(";")[0].split("=", 1)[1]
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    client.set_cookie("session", forged)
    assert client.get("/get/a").data == b"None"


def test_expired_permanent_session(app, monkeypatch):
    app.permanent_session_lifetime = timedelta(seconds=60)
    client = app.test_client()
    rv = client.get("/permanent")
    assert "Expires=" in session_cookie(rv)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)
    assert client.get("/get/p").data == b"None"


def test_secret_key_rotation(app):
    client = app.test_client()
    client.get("/set/a/old")
    app.config["SECRET_KEY_FALLBACKS"] = ["test secret"]
    app.secret_key = "new secret"
    assert client.get("/get/a").data == b"'old'"
    app.config["SECRET_KEY_FALLBACKS"] = None
    assert client.get("/get/a").data == b"None"


def test_no_secret_key_gives_a_clear_error():
    app = Flask("nosecret")
    app.testing = True

    @app.route("/")
    def index():
        assert session.get("x") is None
        session["x"] = 1
        return ""

    with pytest.raises(RuntimeError) as info:
        app.test_client().get("/")
    assert "secret key" in str(info.value)


def test_cookie_config(app):
    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=False,
    )
    rv = app.test_client().get("/set/a/1")
    header = [h for h in rv.headers.getlist("Set-Cookie") if h.startswith("sid=")][0]
    assert "Domain=example.com" in header
    assert "Path=/app" in header
    assert "Secure" in header
    assert "SameSite=Lax" in header
    assert "HttpOnly" not in header


def test_session_types_survive(app):
    import datetime
    import uuid

    from microflask.markup import Markup

    values = {
        "tuple": (1, 2),
        "bytes": b"\x00\xff",
        "markup": Markup("<b>x</b>"),
        "uuid": uuid.UUID(int=5),
        "when": datetime.datetime(2021, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc),
        "nested": {"a": [1, {"b": (2,)}]},
    }

    @app.route("/store")
    def store():
        session.update(values)
        return ""

    @app.route("/load")
    def load():
        for key, value in values.items():
            assert session[key] == value, key
            assert type(session[key]) is type(value), key
        return "same"

    client = app.test_client()
    client.get("/store")
    assert client.get("/load").data == b"same"


def test_session_transaction(app):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["a"] = "from test"
    assert client.get("/get/a").data == b"'from test'"
    with client.session_transaction() as sess:
        assert sess["a"] == "from test"


def test_flask_made_cookie_loads_here():
    fixture = json.loads((FIXTURES / "flask_session_cookie.json").read_text())
    app = Flask("compat")
    app.secret_key = fixture["secret_key"]
    app.testing = True
    # The fixture was signed once, long ago; keep it from counting as expired.
    app.permanent_session_lifetime = timedelta(days=365 * 1000)

    @app.route("/")
    def index():
        return json.dumps(dict(session), sort_keys=True)

    client = app.test_client()
    client.set_cookie("session", fixture["cookie"])
    assert json.loads(client.get("/").data) == fixture["plain_value"]


def test_flashing(app):
    @app.route("/flash")
    def do_flash():
        flash("saved")
        flash("careful", "warning")
        return ""

    @app.route("/messages")
    def messages():
        first = get_flashed_messages()
        again = get_flashed_messages(with_categories=True)
        only = get_flashed_messages(category_filter=["warning"])
        return json.dumps([first, again, only])

    client = app.test_client()
    client.get("/flash")
    first, again, only = json.loads(client.get("/messages").data)
    assert first == ["saved", "careful"]
    assert again == [["message", "saved"], ["warning", "careful"]]
    assert only == ["careful"]
    assert json.loads(client.get("/messages").data) == [[], [], []]


def test_cookie_made_here_is_byte_identical_to_flasks(monkeypatch):
    """Same key, same data, same second: the same cookie Flask made, so Flask loads ours."""
    import base64

    from microflask.signing import TimestampSigner

    fixture = json.loads((FIXTURES / "flask_session_cookie.json").read_text())
    stamp_part = fixture["cookie"].split(".")[1]
    stamp = int.from_bytes(
        base64.urlsafe_b64decode(stamp_part + "=" * (-len(stamp_part) % 4)), "big"
    )
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: stamp)
    app = Flask("compat")
    app.secret_key = fixture["secret_key"]
    app.testing = True

    @app.route("/")
    def index():
        session.update(fixture["plain_value"])
        return ""

    rv = app.test_client().get("/")
    assert session_cookie(rv).split(";")[0] == "session=" + fixture["cookie"]


def test_rendering_a_template_does_not_open_the_session(app):
    from microflask import render_template_string
    from microflask.globals import request_ctx

    opened = []

    @app.route("/plain")
    def plain():
        body = render_template_string("{{ request.path }}")
        opened.append(request_ctx._session is not None)
        return body

    @app.route("/reads")
    def reads():
        body = render_template_string("{{ session.get('a') }}")
        opened.append(request_ctx._session is not None)
        return body

    client = app.test_client()
    client.get("/set/a/1")
    rv = client.get("/plain")
    assert rv.data == b"/plain" and "Vary" not in rv.headers
    rv = client.get("/reads")
    assert rv.data == b"1" and "Cookie" in rv.headers["Vary"]
    assert opened == [False, True]


def test_reaching_session_marks_it_accessed_but_reads_of_the_dict_do_not():
    from microflask.sessions import SecureCookieSession

    data = SecureCookieSession({"a": 1})
    assert data["a"] == 1 and data.get("a") == 1 and data.permanent is False
    assert not data.accessed and not data.modified
    data["b"] = 2
    assert data.modified and not data.accessed


def test_request_ctx_private_session_does_not_count_as_access(app):
    from microflask.globals import request_ctx

    @app.route("/nothing")
    def nothing():
        return ""

    client = app.test_client()
    with client:
        rv = client.get("/nothing")
        assert "Vary" not in rv.headers
        assert request_ctx._session is None  # no cookie: nothing opened it
    client.get("/set/a/1")
    with client:
        rv = client.get("/get/a")
        assert "Cookie" in rv.headers["Vary"]
        assert request_ctx._session.accessed
        assert not request_ctx._session.modified
    with client:
        client.get("/nothing")
        # Opened only to be saved (a cookie came in): not an access.
        assert request_ctx._session is not None
        assert not request_ctx._session.accessed


def test_permanent_session_is_refreshed_by_requests_that_ignore_it(app):
    @app.route("/login")
    def login():
        session["user"] = 1
        session.permanent = True
        return ""

    @app.route("/ignored")
    def ignored():
        return ""

    client = app.test_client()
    assert client.get("/login").headers["Vary"] == "Cookie"
    rv = client.get("/ignored")
    assert rv.headers["Vary"] == "Cookie"
    assert "session=" in rv.headers["Set-Cookie"]
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    assert "Set-Cookie" not in client.get("/ignored").headers


def test_custom_session_interface_is_always_opened_and_saved(app):
    from microflask.sessions import SecureCookieSessionInterface

    calls = []

    class CountingInterface(SecureCookieSessionInterface):
        def open_session(self, app, request):
            calls.append("open")
            return super().open_session(app, request)

        def save_session(self, app, session, response):
            calls.append("save")
            super().save_session(app, session, response)

    app.session_interface = CountingInterface()

    @app.route("/quiet")
    def quiet():
        return ""

    app.test_client().get("/quiet")
    assert calls == ["open", "save"]
