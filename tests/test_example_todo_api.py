"""The JSON to-do API example, exercised as a client would."""

import importlib.util
import pathlib

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "todo_api.py"


def load_example():
    spec = importlib.util.spec_from_file_location("todo_api_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def client(tmp_path):
    app = load_example().create_app(
        {"TESTING": True, "TODO_DATABASE": str(tmp_path / "todo.sqlite3")}
    )
    return app.test_client()


def test_crud_round_trip(client):
    assert client.get("/todos").get_json() == []
    rv = client.post("/todos", json={"title": "  write tests  "})
    assert rv.status_code == 201
    created = rv.get_json()
    assert created == {"id": 1, "title": "write tests", "done": False}
    assert rv.headers["Location"] == "/todos/1"
    assert client.get("/todos/1").get_json() == created
    rv = client.patch("/todos/1", json={"done": True})
    assert rv.get_json()["done"] is True
    client.post("/todos", json={"title": "second"})
    assert [t["id"] for t in client.get("/todos?done=true").get_json()] == [1]
    assert [t["id"] for t in client.get("/todos?done=false").get_json()] == [2]
    rv = client.delete("/todos/1")
    assert rv.status_code == 204 and rv.data == b""
    assert client.get("/todos/1").status_code == 404


def test_validation_errors_are_422_json(client):
    rv = client.post("/todos", json={"done": "yes", "colour": "red"})
    assert rv.status_code == 422
    body = rv.get_json()
    assert body["status"] == 422
    assert body["fields"] == {
        "colour": "unknown field",
        "done": "must be true or false",
        "title": "is required",
    }
    rv = client.post("/todos", json={"title": "x" * 201})
    assert rv.status_code == 422
    assert "at most" in rv.get_json()["fields"]["title"]
    rv = client.post("/todos", json=["not", "an", "object"])
    assert rv.status_code == 422


def test_bad_json_is_400_json(client):
    rv = client.post("/todos", data="{not json", content_type="application/json")
    assert rv.status_code == 400
    assert rv.get_json()["error"] == "Bad Request"


def test_wrong_content_type_is_415(client):
    rv = client.post("/todos", data="title=x", content_type="application/x-www-form-urlencoded")
    assert rv.status_code == 415
    assert rv.get_json()["status"] == 415


def test_bad_filter_and_missing_ids(client):
    assert client.get("/todos?done=maybe").status_code == 400
    rv = client.get("/todos/99")
    assert rv.status_code == 404
    assert "99" in rv.get_json()["message"]
    assert client.patch("/todos/99", json={"done": True}).status_code == 404
    assert client.delete("/todos/99").status_code == 404
    assert client.get("/todos/abc").status_code == 404


def test_body_size_limit(client):
    rv = client.post("/todos", data="x" * (65 * 1024), content_type="application/json")
    assert rv.status_code == 413


def test_errors_keep_their_headers(client):
    rv = client.put("/todos")
    assert rv.status_code == 405
    assert set(rv.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert rv.get_json() == {"error": "Method Not Allowed", "status": 405,
                             "message": rv.get_json()["message"]}
    assert rv.content_type == "application/json"


def test_the_database_file_comes_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("TODO_DATABASE", str(path))
    app = load_example().create_app({"TESTING": True})
    assert app.config["TODO_DATABASE"] == str(path)
    app.test_client().post("/todos", json={"title": "kept"})
    assert path.exists()
