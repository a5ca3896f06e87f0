"""HTTP toolkit benchmark: microflask vs Werkzeug, side by side in one process.

1. Request/Response round trip: build a Request from a prepared environ,
   read query args and cookies, build a JSON response, call it as a WSGI
   app and consume the body.
2. A large multipart upload (one file part and a few fields, written to a
   temporary file once) parsed with each library's ``parse_form_data``:
   throughput in MB/s and peak traced memory (tracemalloc).
3. The test client: one GET with a query, a header and a cookie jar, to a
   plain WSGI app, body read.

Rounds alternate between the two libraries so drift hits both alike.
Run with system python3 (Werkzeug installed):

    python3 benchmarks/bench_http.py [--upload-mb 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time
import timeit
import tracemalloc

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import werkzeug.formparser  # noqa: E402
import werkzeug.test  # noqa: E402
import werkzeug.wrappers  # noqa: E402

import microflask.formparser  # noqa: E402
import microflask.testing  # noqa: E402
import microflask.wrappers  # noqa: E402

BOUNDARY = "----BenchBoundary7MA4YWxkTrZu0gW"


def make_environ() -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/api/items",
        "QUERY_STRING": "page=2&per_page=50&sort=name&filter=a&filter=b",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "HTTP_COOKIE": "session=abc123; theme=dark; lang=en",
        "HTTP_ACCEPT": "application/json",
        "HTTP_USER_AGENT": "bench/1.0",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def make_round_trip(module) -> callable:
    request_class = module.Request
    response_class = module.Response
    environ = make_environ()
    dumps = json.dumps

    def start_response(status, headers, exc_info=None):
        return None

    def round_trip():
        request = request_class(environ)
        args = request.args
        cookies = request.cookies
        payload = {
            "page": args.get("page", type=int),
            "filters": args.getlist("filter"),
            "theme": cookies.get("theme"),
        }
        response = response_class(dumps(payload), mimetype="application/json")
        response.set_cookie("seen", "1")
        body = b"".join(response(environ, start_response))
        return body

    return round_trip


def check_round_trips_agree() -> None:
    ours = make_round_trip(microflask.wrappers)()
    theirs = make_round_trip(werkzeug.wrappers)()
    assert json.loads(ours) == json.loads(theirs), (ours, theirs)


def bench_round_trip(rounds: int) -> None:
    check_round_trips_agree()
    cases = {
        "microflask": make_round_trip(microflask.wrappers),
        "werkzeug": make_round_trip(werkzeug.wrappers),
    }
    number = 2000
    best = {name: [] for name in cases}
    for _ in range(rounds):
        for name, func in cases.items():
            best[name].append(min(timeit.repeat(func, number=number, repeat=3)) / number)
    print("== Request/Response round trip (args, cookies, JSON response, WSGI call)")
    rates = {}
    for name, times in best.items():
        rates[name] = 1 / statistics.median(times)
        print(f"  {name:<11} {rates[name]:>12,.0f} ops/s")
    print(f"  ratio microflask/werkzeug: {rates['microflask'] / rates['werkzeug']:.2f}x")


def make_client_request(module) -> callable:
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", "a=1; Path=/")])
        return [b"hello"]

    client = module.Client(app)

    def client_request():
        return client.get("/items?page=2", headers={"X-Request": "1"}).get_data()

    return client_request


def bench_client(rounds: int) -> None:
    cases = {
        "microflask": make_client_request(microflask.testing),
        "werkzeug": make_client_request(werkzeug.test),
    }
    number = 1000
    best = {name: [] for name in cases}
    for _ in range(rounds):
        for name, func in cases.items():
            best[name].append(min(timeit.repeat(func, number=number, repeat=3)) / number)
    print("== test client GET (builder, cookie jar, run app, read body)")
    rates = {}
    for name, times in best.items():
        rates[name] = 1 / statistics.median(times)
        print(f"  {name:<11} {rates[name]:>12,.0f} ops/s")
    print(f"  ratio microflask/werkzeug: {rates['microflask'] / rates['werkzeug']:.2f}x")


def write_upload(path: pathlib.Path, size_mb: int) -> int:
    """Write a multipart body with a few fields and one large file part."""
    block = bytes(range(256)) * 4096  # 1 MiB of every byte value, boundary-free
    with open(path, "wb") as out:
        for name, value in (("title", "holiday video"), ("tags", "sea,sun"), ("public", "1")):
            out.write(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        out.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="video.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        for _ in range(size_mb):
            out.write(block)
        out.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return path.stat().st_size


def parse_upload(module, path: pathlib.Path, length: int, file_size: int, trace: bool) -> float:
    """Parse the upload once; return seconds, or peak traced MB when ``trace``."""
    with open(path, "rb") as body:
        environ = {
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(length),
            "wsgi.input": body,
        }
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        _stream, form, files = module.parse_form_data(environ)
        upload = files["file"]
        upload.stream.seek(0, os.SEEK_END)
        received = upload.stream.tell()
        elapsed = time.perf_counter() - started
        if trace:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        upload.close()
    assert form["title"] == "holiday video", form
    assert received == file_size, (received, file_size)
    return peak / 1e6 if trace else elapsed


def bench_upload(size_mb: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = pathlib.Path(directory) / "upload.bin"
        length = write_upload(path, size_mb)
        megabytes = length / 1e6
        results = {"microflask": [], "werkzeug": []}
        peaks = {"microflask": 0.0, "werkzeug": 0.0}
        modules = {"microflask": microflask.formparser, "werkzeug": werkzeug.formparser}
        file_size = size_mb * 256 * 4096
        for _ in range(rounds):
            for name, module in modules.items():
                results[name].append(parse_upload(module, path, length, file_size, False))
        for name, module in modules.items():
            peaks[name] = parse_upload(module, path, length, file_size, True)
        print(f"== multipart upload parse ({megabytes:.1f} MB, one file part + 3 fields)")
        rates = {}
        for name, times in results.items():
            rates[name] = megabytes / statistics.median(times)
            print(
                f"  {name:<11} {rates[name]:>9.1f} MB/s   peak traced memory {peaks[name]:.2f} MB"
            )
        print(
            "  throughput ratio microflask/werkzeug: "
            f"{rates['microflask'] / rates['werkzeug']:.2f}x"
        )
        if peaks["werkzeug"]:
            print(
                "  peak memory ratio microflask/werkzeug: "
                f"{peaks['microflask'] / peaks['werkzeug']:.2f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upload-mb", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    bench_round_trip(options.rounds)
    bench_client(options.rounds)
    bench_upload(options.upload_mb, max(1, options.rounds // 2))


if __name__ == "__main__":
    main()
