"""The upload example: saving, refusing, size limits and downloads."""

import importlib.util
import pathlib
from io import BytesIO

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "upload.py"
JSON = {"Accept": "application/json"}


def load_example():
    spec = importlib.util.spec_from_file_location("upload_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def client(folder):
    app = load_example().create_app(
        {"TESTING": True, "UPLOAD_FOLDER": str(folder), "MAX_CONTENT_LENGTH": 1000}
    )
    return app.test_client()


def test_default_folder_is_the_instance_folder():
    app = load_example().create_app()
    assert app.config["UPLOAD_FOLDER"] == app.instance_path
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def upload(client, content, filename, headers=None):
    return client.post(
        "/upload", data={"file": (BytesIO(content), filename)}, headers=headers or {}
    )


def test_upload_saves_the_file_and_lists_it(client, folder):
    rv = upload(client, b"hello world", "notes.txt")
    assert rv.status_code == 303
    assert rv.headers["Location"] == "/"
    assert (folder / "notes.txt").read_bytes() == b"hello world"
    page = client.get("/").get_data(as_text=True)
    assert "Uploaded notes.txt." in page
    assert '<a href="/files/notes.txt">notes.txt</a>' in page
    assert client.get("/", headers=JSON).get_json() == {
        "files": [{"name": "notes.txt", "size": 11}]
    }


def test_upload_as_json(client, folder):
    rv = upload(client, b"a,b\n1,2\n", "Data Set.CSV", JSON)
    assert rv.status_code == 201
    assert rv.get_json() == {"name": "Data_Set.CSV", "url": "/files/Data_Set.CSV"}
    assert rv.headers["Location"] == "/files/Data_Set.CSV"
    # A second upload with the same name never overwrites the first.
    rv = upload(client, b"other", "Data Set.CSV", JSON)
    assert rv.get_json()["name"] == "Data_Set-1.CSV"
    assert (folder / "Data_Set.CSV").read_bytes() == b"a,b\n1,2\n"


def test_bad_extension_is_refused(client, folder):
    rv = upload(client, b"#!/bin/sh\n", "run.sh")
    assert rv.status_code == 400
    assert "Files of that type are not allowed." in rv.get_data(as_text=True)
    rv = upload(client, b"x", "no_extension", JSON)
    assert rv.status_code == 400
    assert rv.get_json() == {"error": "Files of that type are not allowed."}
    assert not folder.exists()


def test_empty_filename_and_missing_field(client, folder):
    rv = upload(client, b"", "", JSON)
    assert rv.status_code == 400
    assert rv.get_json() == {"error": "No file selected."}
    rv = client.post("/upload", data={"other": "x"}, headers=JSON)
    assert rv.status_code == 400
    assert rv.get_json() == {"error": "The form has no 'file' field."}
    rv = upload(client, b"x", "../..", JSON)
    assert rv.status_code == 400
    assert rv.get_json() == {"error": "That file name cannot be used."}
    assert not folder.exists()


def test_hostile_filename_stays_in_the_folder(client, folder, tmp_path):
    rv = upload(client, b"root:x:0:0", "../../etc/passwd.txt", JSON)
    assert rv.status_code == 201
    assert rv.get_json()["name"] == "etc_passwd.txt"
    assert [p.name for p in folder.iterdir()] == ["etc_passwd.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]
    # Without an allowed extension the same name is refused outright.
    assert upload(client, b"x", "../../etc/passwd").status_code == 400


def test_secure_filename_used_by_the_example():
    from microflask.utils import secure_filename

    assert secure_filename("../../etc/passwd") == "etc_passwd"
    assert secure_filename("My cool movie.mov") == "My_cool_movie.mov"


def test_too_large_is_a_friendly_413(client, folder):
    rv = upload(client, b"x" * 2000, "big.txt")
    assert rv.status_code == 413
    page = rv.get_data(as_text=True)
    assert rv.mimetype == "text/html"
    assert "The file is too large: the limit is 1000 bytes." in page
    assert "<form" in page
    rv = upload(client, b"x" * 2000, "big.txt", JSON)
    assert rv.status_code == 413
    assert rv.get_json() == {"error": "The file is too large: the limit is 1000 bytes."}
    assert not folder.exists()


def test_download_full_range_and_conditional(client):
    upload(client, b"hello world", "hello.txt")
    rv = client.get("/files/hello.txt")
    assert rv.status_code == 200
    assert rv.data == b"hello world"
    assert rv.mimetype == "text/plain"
    assert rv.headers["Accept-Ranges"] == "bytes"
    etag = rv.headers["ETag"]
    assert etag

    rv = client.get("/files/hello.txt", headers={"Range": "bytes=0-4"})
    assert rv.status_code == 206
    assert rv.data == b"hello"
    assert rv.headers["Content-Range"] == "bytes 0-4/11"
    assert rv.headers["Content-Length"] == "5"

    rv = client.get("/files/hello.txt", headers={"Range": "bytes=-5"})
    assert rv.status_code == 206
    assert rv.data == b"world"

    rv = client.get("/files/hello.txt", headers={"Range": "bytes=50-60"})
    assert rv.status_code == 416

    rv = client.get("/files/hello.txt", headers={"If-None-Match": etag})
    assert rv.status_code == 304
    assert rv.data == b""

    rv = client.get("/files/hello.txt?download=1")
    assert rv.headers["Content-Disposition"] == "attachment; filename=hello.txt"


def test_download_never_leaves_the_folder(client, folder, tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    upload(client, b"public", "public.txt")
    assert client.get("/files/missing.txt").status_code == 404
    assert client.get("/files/../secret.txt").status_code == 404
    assert client.get("/files/..%2Fsecret.txt").status_code == 404
    assert client.get("/files/%2E%2E/secret.txt").status_code == 404
    # "/files//tmp/..." first redirects to the merged slashes, then is a 404.
    absolute = client.get("/files/" + str(tmp_path / "secret.txt"), follow_redirects=True)
    assert absolute.status_code == 404
    assert client.get("/files/" + str(tmp_path / "secret.txt").lstrip("/")).status_code == 404
