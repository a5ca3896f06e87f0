"""File uploads and downloads: run it with ``python3 examples/upload.py``.

Then open http://127.0.0.1:5000/ and upload a file.

    GET  /                  the listing page, with an upload form
    POST /upload            a multipart form with a ``file`` field
    GET  /files/<name>      download (Range and conditional requests work)

Uploaded names go through ``secure_filename`` and an extension allow-list,
then land in ``UPLOAD_FOLDER`` (default: the instance folder).  Bodies
larger than ``MAX_CONTENT_LENGTH`` get a friendly 413.  Clients that ask
for JSON (``Accept: application/json``) get JSON answers instead of pages.
Change ``microflask`` to ``flask`` and ``werkzeug`` in the imports and it
runs on Flask too.
"""

from __future__ import annotations

import os

import sys

try:
    import microflask  # noqa: F401
except ImportError:  # run from a checkout, not installed: use the source tree beside us
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from microflask import (  # noqa: E402
    Flask,
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template_string,
    request,
    send_from_directory,
    url_for,
)
from microflask.exceptions import RequestEntityTooLarge  # noqa: E402
from microflask.utils import secure_filename  # noqa: E402

ALLOWED_EXTENSIONS = frozenset({"txt", "md", "csv", "json", "pdf", "png", "jpg", "jpeg", "gif"})

PAGE = """<!doctype html>
<title>Uploads</title>
<h1>Uploads</h1>
{% for message in messages %}<p class="flash">{{ message }}</p>{% endfor %}
{% if error %}<p class="error">{{ error }}</p>{% endif %}
<form method="post" action="{{ url_for('upload') }}" enctype="multipart/form-data">
  <input type="file" name="file"> <button>Upload</button>
</form>
<p>Allowed: {{ allowed|sort|join(', ') }}; at most {{ limit|filesizeformat }}.</p>
<ul>
{% for name, size in files %}
  <li><a href="{{ url_for('download', name=name) }}">{{ name }}</a> ({{ size|filesizeformat }})</li>
{% else %}
  <li>No files yet.</li>
{% endfor %}
</ul>
"""


def allowed_file(filename: str, allowed: frozenset = ALLOWED_EXTENSIONS) -> bool:
    """True when ``filename`` has an extension on the allow-list."""
    _, dot, extension = filename.rpartition(".")
    return bool(dot) and extension.lower() in allowed


def save_without_overwriting(uploaded, folder: str, filename: str) -> str:
    """Save as ``filename``, or ``stem-1.ext``, ``stem-2.ext``...; return the name used."""
    stem, extension = os.path.splitext(filename)
    candidate, n = filename, 0
    while True:
        try:
            # Mode "x" fails if the file exists: no race between checking and writing.
            with open(os.path.join(folder, candidate), "xb") as destination:
                uploaded.save(destination)
            return candidate
        except FileExistsError:
            n += 1
            candidate = "%s-%d%s" % (stem, n, extension)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; ``test_config`` overrides the settings (tests use it)."""
    # One instance folder (examples/instance) however the app is started.
    app = Flask(
        __name__, instance_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance")
    )
    app.config.from_mapping(
        SECRET_KEY="dev",
        UPLOAD_FOLDER=app.instance_path,
        MAX_CONTENT_LENGTH=1024 * 1024,
        ALLOWED_EXTENSIONS=ALLOWED_EXTENSIONS,
    )
    if test_config:
        app.config.from_mapping(test_config)

    def wants_json() -> bool:
        best = request.accept_mimetypes.best_match(["text/html", "application/json"])
        return best == "application/json"

    def listing() -> list[tuple[str, int]]:
        folder = app.config["UPLOAD_FOLDER"]
        if not os.path.isdir(folder):
            return []
        return [
            (entry.name, entry.stat().st_size)
            for entry in sorted(os.scandir(folder), key=lambda e: e.name)
            if entry.is_file() and allowed_file(entry.name, app.config["ALLOWED_EXTENSIONS"])
        ]

    def page(error: str | None = None, status: int = 200):
        html = render_template_string(
            PAGE,
            messages=get_flashed_messages(),
            error=error,
            files=listing(),
            allowed=app.config["ALLOWED_EXTENSIONS"],
            limit=app.config["MAX_CONTENT_LENGTH"],
        )
        return html, status

    def refuse(message: str, status: int = 400):
        if wants_json():
            return jsonify(error=message), status
        return page(message, status)

    @app.get("/")
    def index():
        if wants_json():
            return jsonify(files=[{"name": n, "size": s} for n, s in listing()])
        return page()

    @app.post("/upload")
    def upload():
        # Reading request.files parses the body: a 413 is raised here when too large.
        uploaded = request.files.get("file")
        if uploaded is None:
            return refuse("The form has no 'file' field.")
        if not uploaded.filename:
            return refuse("No file selected.")
        filename = secure_filename(uploaded.filename)
        if not filename:
            return refuse("That file name cannot be used.")
        if not allowed_file(filename, app.config["ALLOWED_EXTENSIONS"]):
            return refuse("Files of that type are not allowed.")

        folder = app.config["UPLOAD_FOLDER"]
        os.makedirs(folder, exist_ok=True)
        filename = save_without_overwriting(uploaded, folder, filename)

        location = url_for("download", name=filename)
        if wants_json():
            return jsonify(name=filename, url=location), 201, {"Location": location}
        flash("Uploaded %s." % filename)
        return redirect(url_for("index"), code=303)

    @app.get("/files/<path:name>")
    def download(name):
        # send_from_directory refuses paths that leave the folder (404), and
        # answers Range (206) and If-None-Match / If-Modified-Since (304).
        return send_from_directory(
            app.config["UPLOAD_FOLDER"], name, as_attachment="download" in request.args
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"]
        return refuse("The file is too large: the limit is %d bytes." % limit, 413)

    return app


if __name__ == "__main__":
    create_app().run()
