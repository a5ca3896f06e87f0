"""Profile each request with ``cProfile`` (``werkzeug.middleware.profiler``).

:class:`ProfilerMiddleware` runs the wrapped app under a profiler, prints
the statistics to a stream, and can also save one ``.prof`` file per
request (readable with ``pstats`` or snakeviz).  For development only.
"""

from __future__ import annotations

import os.path
import sys
import time
import typing as t
from cProfile import Profile

__all__ = ["Profile", "ProfilerMiddleware"]


def _profile_file_path_part(environ: t.Mapping[str, t.Any]) -> str:
    path = environ.get("PATH_INFO", "").strip("/").replace("/", ".")
    return path or "root"


class ProfilerMiddleware:
    """Profile every request to ``app``.

    ``stream`` gets the ``pstats`` report (``None`` for none), sorted by
    ``sort_by`` and limited by ``restrictions`` (as for
    ``Stats.print_stats``).  With ``profile_dir`` each request's raw
    profile is also saved there, named by ``filename_format``: a format
    string with ``method``, ``path``, ``elapsed`` (ms) and ``time`` fields,
    or a function of the environ.  The environ key ``werkzeug.profiler``
    holds ``elapsed`` and ``time`` while the name is made.
    """

    def __init__(
        self,
        app: t.Callable[..., t.Any],
        stream: t.IO[str] | None = sys.stdout,
        sort_by: t.Iterable[str] = ("time", "calls"),
        restrictions: t.Iterable[t.Any] = (),
        profile_dir: str | None = None,
        filename_format: t.Any = "{method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof",
    ) -> None:
        self._app = app
        self._stream = stream
        self._sort_by = sort_by
        self._restrictions = restrictions
        self._profile_dir = profile_dir
        self._filename_format = filename_format

    def _profile_file_name(self, environ: dict[str, t.Any], elapsed: float, start: float) -> str:
        if callable(self._filename_format):
            environ["werkzeug.profiler"] = {"elapsed": elapsed, "time": start}
            return str(self._filename_format(environ))
        return str(
            self._filename_format.format(
                method=environ["REQUEST_METHOD"],
                path=_profile_file_path_part(environ),
                elapsed=elapsed,
                time=start,
            )
        )

    def _report(self, profile: t.Any, path: str) -> None:
        import pstats

        stats = pstats.Stats(profile, stream=self._stream)
        stats.sort_stats(*self._sort_by)
        print("-" * 80, file=self._stream)
        print("PATH: %r" % path, file=self._stream)
        stats.print_stats(*self._restrictions)
        print("-" * 80 + "\n", file=self._stream)

    def __call__(self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]) -> t.Any:
        body: list[bytes] = []

        def run_app() -> None:
            app_iter = self._app(environ, start_response)
            try:
                body.extend(app_iter)
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()

        profile = Profile()
        start = time.time()
        profile.runcall(run_app)
        elapsed = (time.time() - start) * 1000.0
        if self._profile_dir is not None:
            name = self._profile_file_name(environ, elapsed, start)
            profile.dump_stats(os.path.join(self._profile_dir, name))
        if self._stream is not None:
            self._report(profile, environ.get("PATH_INFO", ""))
        return [b"".join(body)]
