"""A notes service that vendors microflask as one file next to it.

Build the file once (from a checkout or an install of microflask)::

    python3 -m microflask bundle -o examples/vendored/microflask.py

Then this script needs nothing else, not even an install::

    python3 -I examples/vendored/tool.py                   # serve on :5000
    python3 -I examples/vendored/tool.py --once /notes     # answer one request, print it
    python3 -I examples/vendored/tool.py --once /notes --json '{"text": "hi"}'

``-I`` (isolated mode) ignores PYTHONPATH, user site-packages and the current
directory: only this folder, added below, can provide ``microflask``.

    GET  /              status: the service, its note count, the Python version
    GET  /notes         all notes
    POST /notes         add one: {"text": "..."}
    GET  /notes/<id>    one note
"""

from __future__ import annotations

import json
import os
import sys

# The bundled microflask.py sits next to this script; look there first.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from microflask import Flask, abort, jsonify, request
    from microflask.exceptions import HTTPException
except ImportError:
    sys.exit(
        "microflask.py is not next to this script yet. Build it once, from a checkout\n"
        "or an install of microflask:\n\n"
        "    python3 -m microflask bundle -o %s\n"
        % os.path.join(os.path.dirname(__file__), "microflask.py")
    )

MAX_TEXT = 500


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024
    notes: list[dict] = []  # in memory: a restart forgets them

    @app.get("/")
    def status():
        return jsonify(
            service="notes",
            notes=len(notes),
            python="%d.%d.%d" % sys.version_info[:3],
        )

    @app.get("/notes")
    def list_notes():
        return jsonify(notes)

    @app.post("/notes")
    def add_note():
        data = request.get_json()  # not JSON: a 415 or 400 from the framework
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            message = "'text' must be a non-empty string of at most %d characters" % MAX_TEXT
            return jsonify(error="Unprocessable Entity", description=message), 422
        note = {"id": len(notes) + 1, "text": text.strip()}
        notes.append(note)
        return jsonify(note), 201

    @app.get("/notes/<int:note_id>")
    def get_note(note_id):
        if not 1 <= note_id <= len(notes):
            abort(404, description="There is no note %d." % note_id)
        return jsonify(notes[note_id - 1])

    @app.errorhandler(HTTPException)
    def http_error_as_json(error):
        # Keep the error's status and headers (405's Allow), swap the page for JSON.
        response = error.get_response()
        body = {"error": error.name, "description": error.description}
        response.data = json.dumps(body) + "\n"
        response.content_type = "application/json"
        return response

    return app


def answer_once(app: Flask, path: str, body: str | None = None) -> int:
    """Call the app once through its test client and print the response.

    Prints the status line, the headers and the body, like ``curl -i``.
    Returns a process exit code: 0 for a 2xx or 3xx answer, 1 otherwise.
    """
    client = app.test_client()
    if body is None:
        response = client.get(path)
    else:
        response = client.post(path, data=body, content_type="application/json")
    print("HTTP/1.1 %s" % response.status)
    for name, value in response.headers.items():
        print("%s: %s" % (name, value))
    print()
    print(response.get_data(as_text=True), end="")
    return 0 if response.status_code < 400 else 1


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="A notes service on vendored microflask.")
    parser.add_argument("--once", metavar="PATH", help="answer one request for PATH and exit")
    parser.add_argument("--json", metavar="BODY", help="with --once: POST this JSON body")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: FLASK_RUN_PORT, else 5000")
    args = parser.parse_args(argv)
    if args.json is not None and args.once is None:
        parser.error("--json needs --once")

    app = create_app()
    if args.once is not None:
        return answer_once(app, args.once, args.json)
    app.run(host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
