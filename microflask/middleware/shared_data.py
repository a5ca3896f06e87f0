"""Serve static files next to an app (``werkzeug.middleware.shared_data``).

``SharedDataMiddleware(app, {"/static": "/path/to/static"})`` answers
requests under ``/static`` from that directory and passes everything else
to ``app``.  An export may be a directory, a single file, or a
``(package, path)`` tuple naming data inside an importable package (which
also works when the package lives in a zip).  Paths are joined with
:func:`microflask.security.safe_join`, so ``..`` cannot leave the export.
Responses carry an ETag, ``Last-Modified`` and ``Cache-Control``, and a
matching ``If-None-Match`` / ``If-Modified-Since`` gets a 304.
"""

from __future__ import annotations

import fnmatch
import io
import os
import posixpath
import time
import typing as t
import zlib
from datetime import datetime, timezone

from microflask.http import http_date, is_resource_modified
from microflask.security import safe_join
from microflask.utils import get_content_type, wrap_file

__all__ = ["SharedDataMiddleware"]

# A loader maps a path below the export to (filename, opener) or (None, None);
# the opener returns (binary file, modification time, size).
_FileOpener = t.Callable[[], tuple[t.BinaryIO, datetime, int]]
_ExportLoader = t.Callable[[t.Optional[str]], tuple[t.Optional[str], t.Optional[_FileOpener]]]


def _opener_for_path(filename: str) -> _FileOpener:
    def open_file() -> tuple[t.BinaryIO, datetime, int]:
        mtime = datetime.fromtimestamp(os.path.getmtime(filename), tz=timezone.utc)
        return open(filename, "rb"), mtime, int(os.path.getsize(filename))  # noqa: SIM115

    return open_file


class SharedDataMiddleware:
    """Serve files from ``exports`` (URL prefix -> directory, file, or (package, path)).

    ``disallow`` is an fnmatch pattern of file names never served;
    ``cache`` adds ETag/Cache-Control/Expires headers valid for
    ``cache_timeout`` seconds; files whose type cannot be guessed are sent as
    ``fallback_mimetype``.
    """

    def __init__(
        self,
        app: t.Callable,
        exports: dict[str, str | tuple[str, str]] | t.Iterable[tuple[str, t.Any]],
        disallow: str | None = None,
        cache: bool = True,
        cache_timeout: int = 60 * 60 * 12,
        fallback_mimetype: str = "application/octet-stream",
    ) -> None:
        self.app = app
        self.exports: list[tuple[str, _ExportLoader]] = []
        self.cache = cache
        self.cache_timeout = cache_timeout
        self.fallback_mimetype = fallback_mimetype
        items = exports.items() if isinstance(exports, dict) else exports
        for url_prefix, target in items:
            if isinstance(target, tuple):
                loader = self.get_package_loader(*target)
            elif isinstance(target, (str, os.PathLike)):
                target = os.fspath(target)
                if os.path.isfile(target):
                    loader = self.get_file_loader(target)
                else:
                    loader = self.get_directory_loader(target)
            else:
                raise TypeError("unknown def %r" % (target,))
            self.exports.append((url_prefix, loader))
        if disallow is not None:
            self.is_allowed = lambda name: not fnmatch.fnmatch(name, disallow)  # type: ignore[method-assign]

    def is_allowed(self, filename: str) -> bool:
        """Whether ``filename`` may be served (override, or pass ``disallow``)."""
        return True

    # -- loaders -----------------------------------------------------------------

    def get_file_loader(self, filename: str) -> _ExportLoader:
        """A loader that always serves the one file ``filename``."""

        def load_single_file(path: str | None) -> tuple[str | None, _FileOpener | None]:
            return os.path.basename(filename), _opener_for_path(filename)

        return load_single_file

    def get_directory_loader(self, directory: str) -> _ExportLoader:
        """A loader for files below ``directory`` (never outside it)."""

        def load_from_directory(path: str | None) -> tuple[str | None, _FileOpener | None]:
            if path is None:
                candidate: str | None = directory
            else:
                candidate = safe_join(directory, path)
            if candidate is not None and os.path.isfile(candidate):
                return os.path.basename(candidate), _opener_for_path(candidate)
            return None, None

        return load_from_directory

    def get_package_loader(self, package: str, package_path: str) -> _ExportLoader:
        """A loader for data inside importable ``package`` (works from zips too)."""
        import importlib.util

        spec = importlib.util.find_spec(package)
        if spec is None:
            raise ValueError("package %r not found" % package)
        loader = spec.loader
        reader = getattr(loader, "get_data", None)
        if spec.submodule_search_locations:
            package_root = list(spec.submodule_search_locations)[0]
        else:
            package_root = os.path.dirname(spec.origin or "")
        base = os.path.join(package_root, package_path)
        # An ordinary directory on disk: serve it like any directory export.
        if os.path.isdir(package_root):
            directory_loader = self.get_directory_loader(base)
            return directory_loader
        load_mtime = datetime.now(timezone.utc)

        def load_from_archive(path: str | None) -> tuple[str | None, _FileOpener | None]:
            if path is None:
                return None, None
            relative = safe_join(package_path, path)
            if relative is None or reader is None:
                return None, None
            archived_name = os.path.join(package_root, relative)
            try:
                data = reader(archived_name)
            except OSError:
                return None, None

            def open_archived() -> tuple[t.BinaryIO, datetime, int]:
                return io.BytesIO(data), load_mtime, len(data)

            return posixpath.basename(relative), open_archived

        return load_from_archive

    # -- serving -----------------------------------------------------------------

    def generate_etag(self, mtime: datetime, file_size: int, real_filename: str) -> str:
        """An ETag from the modification time, size and name of a file."""
        name_hash = zlib.adler32(real_filename.encode("utf-8")) & 0xFFFFFFFF
        return "mfsdm-%s-%s-%s" % (mtime.timestamp(), file_size, name_hash)

    def __call__(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        try:
            path = path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return self.app(environ, start_response)
        # Collapse "//" and "." segments; ".." is left for safe_join to refuse.
        path = "/" + "/".join(part for part in path.split("/") if part and part != ".")

        filename: str | None = None
        opener: _FileOpener | None = None
        for url_prefix, loader in self.exports:
            if path == url_prefix:
                filename, opener = loader(None)
            elif path.startswith(url_prefix.rstrip("/") + "/"):
                filename, opener = loader(path[len(url_prefix.rstrip("/")) + 1 :])
            if opener is not None:
                break
        if opener is None or filename is None or not self.is_allowed(filename):
            return self.app(environ, start_response)

        import mimetypes

        guessed_type = mimetypes.guess_type(filename)[0]
        content_type = get_content_type(guessed_type or self.fallback_mimetype, "utf-8")
        file, mtime, file_size = opener()
        headers = [("Date", http_date())]
        if self.cache:
            timeout = self.cache_timeout
            etag = self.generate_etag(mtime, file_size, filename)
            headers.append(("Etag", '"%s"' % etag))
            headers.append(("Cache-Control", "max-age=%d, public" % timeout))
            if not is_resource_modified(environ, etag, last_modified=mtime):
                file.close()
                start_response("304 Not Modified", headers)
                return []
            headers.append(("Expires", http_date(time.time() + timeout)))
        else:
            headers.append(("Cache-Control", "public"))
        headers.append(("Content-Type", content_type))
        headers.append(("Content-Length", str(file_size)))
        headers.append(("Last-Modified", http_date(mtime)))
        start_response("200 OK", headers)
        return wrap_file(environ, file)
