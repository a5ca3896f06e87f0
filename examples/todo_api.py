"""A JSON to-do API on sqlite3: ``python3 examples/todo_api.py``.

    GET    /todos             list (``?done=true`` filters)
    POST   /todos             create: {"title": str, "done": bool?}
    GET    /todos/<id>        read
    PATCH  /todos/<id>        update some fields
    DELETE /todos/<id>        delete

Bad JSON is a 400, a well-formed body with invalid fields a 422 listing
them, an unknown id a 404: every error is JSON too, with the error's own
headers (a 405 says ``Allow``).  The database is the file the environment
variable ``TODO_DATABASE`` names, by default ``todo.sqlite3`` in the
instance folder ``examples/instance``::

    TODO_DATABASE=/tmp/todo.db python3 examples/todo_api.py
"""

from __future__ import annotations

import os
import sqlite3

import sys

try:
    import microflask  # noqa: F401
except ImportError:  # run from a checkout, not installed: use the source tree beside us
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from microflask import Flask, abort, g, json, jsonify, request  # noqa: E402
from microflask.exceptions import HTTPException  # noqa: E402

SCHEMA = """
CREATE TABLE IF NOT EXISTS todo (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
"""
MAX_TITLE = 200


def create_app(test_config: dict | None = None) -> Flask:
    # One instance folder however the app is started (a script or examples.todo_api).
    app = Flask(
        __name__, instance_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance")
    )
    app.config.from_mapping(
        TODO_DATABASE=os.environ.get("TODO_DATABASE")
        or os.path.join(app.instance_path, "todo.sqlite3"),
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    if test_config:
        app.config.from_mapping(test_config)

    def get_db() -> sqlite3.Connection:
        if "db" not in g:
            path = app.config["TODO_DATABASE"]
            if path != ":memory:":
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            g.db = sqlite3.connect(path)
            g.db.row_factory = sqlite3.Row
            g.db.executescript(SCHEMA)
        return g.db

    @app.teardown_appcontext
    def close_db(exc):
        db = g.pop("db", None)
        if db is not None:
            db.close()

    def as_dict(row: sqlite3.Row) -> dict:
        return {"id": row["id"], "title": row["title"], "done": bool(row["done"])}

    def find(todo_id: int) -> sqlite3.Row:
        row = get_db().execute("SELECT * FROM todo WHERE id = ?", (todo_id,)).fetchone()
        if row is None:
            abort(404, description="no to-do with id %d" % todo_id)
        return row

    def validated(data: object, partial: bool) -> dict:
        """The fields to store, or a 422 that lists every problem."""
        if not isinstance(data, dict):
            abort(422, description={"body": "expected a JSON object"})
        errors, fields = {}, {}
        unknown = set(data) - {"title", "done"}
        for name in sorted(unknown):
            errors[name] = "unknown field"
        if "title" in data:
            title = data["title"]
            if not isinstance(title, str) or not title.strip():
                errors["title"] = "must be a non-empty string"
            elif len(title) > MAX_TITLE:
                errors["title"] = "must be at most %d characters" % MAX_TITLE
            else:
                fields["title"] = title.strip()
        elif not partial:
            errors["title"] = "is required"
        if "done" in data:
            if not isinstance(data["done"], bool):
                errors["done"] = "must be true or false"
            else:
                fields["done"] = int(data["done"])
        if errors:
            abort(422, description=errors)
        return fields

    @app.errorhandler(HTTPException)
    def json_error(e: HTTPException):
        details = e.description if isinstance(e.description, dict) else None
        body = {"error": e.name, "status": e.code}
        if details is not None:
            body["fields"] = details
        else:
            body["message"] = e.description
        # Start from the error's own response: it carries its headers (Allow, Retry-After...).
        response = e.get_response()
        response.data = json.dumps(body)
        response.content_type = "application/json"
        return response

    @app.get("/todos")
    def list_todos():
        query = "SELECT * FROM todo"
        done = request.args.get("done")
        params: tuple = ()
        if done is not None:
            if done not in {"true", "false"}:
                abort(400, description="'done' must be 'true' or 'false'")
            query += " WHERE done = ?"
            params = (int(done == "true"),)
        rows = get_db().execute(query + " ORDER BY id", params).fetchall()
        return jsonify([as_dict(row) for row in rows])

    @app.post("/todos")
    def create_todo():
        fields = validated(request.get_json(), partial=False)
        db = get_db()
        cursor = db.execute(
            "INSERT INTO todo (title, done) VALUES (?, ?)",
            (fields["title"], fields.get("done", 0)),
        )
        db.commit()
        row = find(cursor.lastrowid)
        return as_dict(row), 201, {"Location": "/todos/%d" % row["id"]}

    @app.get("/todos/<int:todo_id>")
    def read_todo(todo_id: int):
        return as_dict(find(todo_id))

    @app.patch("/todos/<int:todo_id>")
    def update_todo(todo_id: int):
        find(todo_id)
        fields = validated(request.get_json(), partial=True)
        if fields:
            assignments = ", ".join("%s = ?" % name for name in fields)
            db = get_db()
            db.execute(
                "UPDATE todo SET %s WHERE id = ?" % assignments, (*fields.values(), todo_id)
            )
            db.commit()
        return as_dict(find(todo_id))

    @app.delete("/todos/<int:todo_id>")
    def delete_todo(todo_id: int):
        find(todo_id)
        db = get_db()
        db.execute("DELETE FROM todo WHERE id = ?", (todo_id,))
        db.commit()
        return "", 204

    return app


if __name__ == "__main__":
    create_app().run()
