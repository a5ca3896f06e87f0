"""The blog example, tested the way Flask's tutorial tests its app."""

import hashlib
import pathlib
import re
import sqlite3
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "examples"))

from blog import create_app  # noqa: E402
from blog.db import get_db, init_db  # noqa: E402

from microflask import g, session  # noqa: E402
from microflask.security import generate_password_hash  # noqa: E402

# Cheap hashes keep the tests fast; the app itself uses the default (scrypt).
TEST_HASH = generate_password_hash("test", method="pbkdf2:sha256:1000")
OTHER_HASH = generate_password_hash("other", method="pbkdf2:sha256:1000")
TOKEN = "test-csrf-token"


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "blog.sqlite")})
    with app.app_context():
        init_db()
        db = get_db()
        db.executemany(
            "INSERT INTO user (username, password) VALUES (?, ?)",
            [("test", TEST_HASH), ("other", OTHER_HASH)],
        )
        db.execute(
            "INSERT INTO post (title, body, author_id, created)"
            " VALUES ('test title', 'test\nbody', 1, '2018-01-01 00:00:00')"
        )
        db.commit()
    return app


@pytest.fixture
def client(app):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["csrf_token"] = TOKEN
    return client


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username="test", password="test"):
        return self._client.post(
            "/auth/login",
            data={"username": username, "password": password, "csrf_token": TOKEN},
        )

    def logout(self):
        return self._client.post("/auth/logout", data={"csrf_token": TOKEN})


@pytest.fixture
def auth(client):
    return AuthActions(client)


def post(client, path, **data):
    data.setdefault("csrf_token", TOKEN)
    return client.post(path, data=data)


# -- the database ----------------------------------------------------------------


def test_db_connection_is_per_context(app):
    with app.app_context():
        db = get_db()
        assert db is get_db()
    with pytest.raises(sqlite3.ProgrammingError) as info:
        db.execute("SELECT 1")
    assert "closed" in str(info.value)


def test_init_db_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "Initialized" in result.output


# -- auth ---------------------------------------------------------------------------


def test_register(client, app):
    assert client.get("/auth/register").status_code == 200
    response = post(client, "/auth/register", username="a", password="a")
    assert response.headers["Location"] == "/auth/login"
    with app.app_context():
        row = get_db().execute("SELECT * FROM user WHERE username = 'a'").fetchone()
        assert row is not None
        # scrypt where hashlib has it; PyPy's has not, and pbkdf2 is the default there
        default_method = "scrypt:" if hasattr(hashlib, "scrypt") else "pbkdf2:sha256:"
        assert row["password"].startswith(default_method)


@pytest.mark.parametrize(
    ("username", "password", "message"),
    (
        ("", "", b"Username is required."),
        ("a", "", b"Password is required."),
        ("test", "test", b"already registered"),
    ),
)
def test_register_validate_input(client, username, password, message):
    response = post(client, "/auth/register", username=username, password=password)
    assert message in response.data


def test_login(client, auth):
    assert client.get("/auth/login").status_code == 200
    response = auth.login()
    assert response.headers["Location"] == "/"
    with client:
        client.get("/")
        assert session["user_id"] == 1
        assert g.user["username"] == "test"


@pytest.mark.parametrize(
    ("username", "password"), (("a", "test"), ("test", "a"))
)
def test_login_validate_input(auth, username, password):
    response = auth.login(username, password)
    assert b"Incorrect username or password." in response.data


def test_logout(client, auth):
    auth.login()
    with client:
        auth.logout()
        assert "user_id" not in session


# -- CSRF -----------------------------------------------------------------------------


def test_post_without_token_is_refused(app):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "test", "password": "test"})
    assert response.status_code == 400
    assert b"did not come from this site" in response.data


def test_real_form_round_trip_uses_the_page_token(app):
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/auth/login", data={"username": "test", "password": "test", "csrf_token": token}
    )
    assert response.status_code == 302
    forged = client.post("/create", data={"title": "x", "body": "", "csrf_token": "forged"})
    assert forged.status_code == 400


# -- the blog ---------------------------------------------------------------------------


def test_index(client, auth):
    response = client.get("/")
    assert b"Log In" in response.data
    assert b"Register" in response.data
    auth.login()
    response = client.get("/")
    assert b"Log Out" in response.data
    assert b"test title" in response.data
    assert b"by test on 2018-01-01" in response.data
    assert b"test\nbody" in response.data
    assert b'href="/1/update"' in response.data


@pytest.mark.parametrize("path", ("/create", "/1/update", "/1/delete"))
def test_login_required(client, path):
    response = post(client, path)
    assert response.headers["Location"] == "/auth/login"


def test_author_required(app, client, auth):
    with app.app_context():
        db = get_db()
        db.execute("UPDATE post SET author_id = 2 WHERE id = 1")
        db.commit()
    auth.login()
    assert post(client, "/1/update").status_code == 403
    assert post(client, "/1/delete").status_code == 403
    assert b'href="/1/update"' not in client.get("/").data


@pytest.mark.parametrize("path", ("/2/update", "/2/delete"))
def test_exists_required(client, auth, path):
    auth.login()
    response = post(client, path)
    assert response.status_code == 404
    assert b"Post id 2 doesn&#39;t exist." in response.data


def test_create(client, auth, app):
    auth.login()
    assert client.get("/create").status_code == 200
    post(client, "/create", title="created", body="")
    with app.app_context():
        count = get_db().execute("SELECT COUNT(id) FROM post").fetchone()[0]
        assert count == 2


def test_update(client, auth, app):
    auth.login()
    assert client.get("/1/update").status_code == 200
    post(client, "/1/update", title="updated", body="")
    with app.app_context():
        row = get_db().execute("SELECT * FROM post WHERE id = 1").fetchone()
        assert row["title"] == "updated"


@pytest.mark.parametrize("path", ("/create", "/1/update"))
def test_create_update_validate(client, auth, path):
    auth.login()
    response = post(client, path, title="", body="")
    assert b"Title is required." in response.data


def test_delete(client, auth, app):
    auth.login()
    response = post(client, "/1/delete")
    assert response.headers["Location"] == "/"
    with app.app_context():
        row = get_db().execute("SELECT * FROM post WHERE id = 1").fetchone()
        assert row is None


def test_html_is_escaped(client, auth):
    auth.login()
    post(client, "/create", title="<script>alert(1)</script>", body="a & b")
    page = client.get("/").data
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert b"a &amp; b" in page


def test_static_stylesheet(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    response.close()
