"""Shared pytest set-up: run the suite against the package or the one-file bundle.

By default the tests import the ``microflask`` package from the source tree.
``MICROFLASK_BUNDLE=build/bundle/microflask.py python -m pytest`` (or
``python -m pytest --bundle build/bundle/microflask.py``) runs the same tests
against the single file written by ``python -m microflask.bundle``: its
directory goes first on ``sys.path`` before any test imports ``microflask``.
Tests that read the source tree (the package-names check, the bundler's own
tests) keep reading the files under ``microflask/``.

A file bundled with the core profile (``--profile core``) leaves out the tools
and compat modules.  Run against one, the tests that need such a module are
skipped, each with the module as the reason, and no others: a test is skipped
when it stops on the ImportError the file raises for a module it left out
(collecting a test file that imports one at the top skips the whole file).
"""

from __future__ import annotations

import os
import re
import sys

import pytest

BUNDLE_ENVIRONMENT_VARIABLE = "MICROFLASK_BUNDLE"
# The single file's ImportError for a left-out module: "microflask.cli is not
# in this single file ..." or "microflask.x.Name needs microflask.y, which is not ...".
LEFT_OUT_MESSAGE = re.compile(r"([\w.]+)(?:, which)? is not in this single file")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--bundle",
        action="store",
        default=None,
        metavar="PATH",
        help="run the tests against this single-file build of microflask "
        "(same as the %s environment variable)" % BUNDLE_ENVIRONMENT_VARIABLE,
    )


def _use_bundle(path: str) -> str:
    """Put the bundle's directory first on sys.path and import it as microflask."""
    bundle_path = os.path.abspath(path)
    if not os.path.isfile(bundle_path):
        raise pytest.UsageError("microflask bundle not found: %s" % bundle_path)
    if os.path.basename(bundle_path) != "microflask.py":
        raise pytest.UsageError("the bundle file must be named microflask.py: %s" % bundle_path)
    bundle_dir = os.path.dirname(bundle_path)
    for name in [n for n in sys.modules if n == "microflask" or n.startswith("microflask.")]:
        del sys.modules[name]
    sys.path.insert(0, bundle_dir)
    import microflask

    loaded = os.path.abspath(microflask.__file__ or "")
    assert loaded == bundle_path, "microflask was imported from %s, not the bundle" % loaded
    return bundle_path


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("--bundle") or os.environ.get(BUNDLE_ENVIRONMENT_VARIABLE)
    # The profile of the single file under test, and the modules it left out
    # (module -> its part; none for the package or a full file).
    config._microflask_profile = "full"  # type: ignore[attr-defined]
    config._microflask_left_out = {}  # type: ignore[attr-defined]
    config._microflask_skipped_for = {}  # type: ignore[attr-defined]
    if path:
        config._microflask_bundle = _use_bundle(path)  # type: ignore[attr-defined]
        import microflask

        config._microflask_profile = getattr(microflask, "_bundle_profile", "full")  # type: ignore[attr-defined]
        config._microflask_left_out = dict(getattr(microflask, "_bundle_left_out", None) or {})  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    bundle = getattr(config, "_microflask_bundle", None)
    if not bundle:
        return "microflask: package from the source tree"
    profile = config._microflask_profile  # type: ignore[attr-defined]
    left_out = config._microflask_left_out  # type: ignore[attr-defined]
    if not left_out:
        return "microflask: single-file bundle %s (%s profile)" % (bundle, profile)
    return (
        "microflask: single-file bundle %s (%s profile: %d modules left out, "
        "the tests that need one are skipped)" % (bundle, profile, len(left_out))
    )


def _left_out_module(error: BaseException | None, left_out: dict[str, str]) -> str | None:
    """The left-out module whose ImportError stopped a test (here or as the
    cause of what stopped it), or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ImportError) and error.name in left_out \
                and LEFT_OUT_MESSAGE.search(str(error)):
            return error.name
        error = error.__cause__ or error.__context__
    return None


def _skip_for(config: pytest.Config, module: str, what: str) -> str:
    """Count a test (or test file: ``what``) skipped for ``module``; the
    reason it is reported with."""
    skipped_for = config._microflask_skipped_for  # type: ignore[attr-defined]
    counts = skipped_for.setdefault(module, {"test": 0, "test file": 0})
    counts[what] += 1
    profile = config._microflask_profile  # type: ignore[attr-defined]
    return "Skipped: %s is not in the %s single file" % (module, profile)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    left_out = item.config._microflask_left_out  # type: ignore[attr-defined]
    if not left_out or call.excinfo is None:
        return
    module = _left_out_module(call.excinfo.value, left_out)
    if module is None:
        return
    report = outcome.get_result()
    report.outcome = "skipped"
    report.longrepr = (str(item.path), item.location[1] + 1, _skip_for(item.config, module, "test"))


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    outcome = yield
    left_out = collector.config._microflask_left_out  # type: ignore[attr-defined]
    report = outcome.get_result()
    if not left_out or not report.failed:
        return
    # A test file that imports a left-out module at the top: pytest keeps only
    # the text of the ImportError, which names the module.
    found = [name for name in LEFT_OUT_MESSAGE.findall(str(report.longrepr)) if name in left_out]
    if found:
        report.outcome = "skipped"
        report.longrepr = (
            str(collector.path),
            None,
            _skip_for(collector.config, found[0], "test file"),
        )


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    skipped_for = getattr(config, "_microflask_skipped_for", None)
    if not skipped_for:
        return
    terminalreporter.write_sep(
        "-", "skipped: not in the %s single file" % config._microflask_profile
    )
    for module, counts in sorted(skipped_for.items()):
        told = ["%d %s%s" % (count, what, "" if count == 1 else "s")
                for what, count in counts.items() if count]
        terminalreporter.write_line("%s: %s" % (module, ", ".join(told)))


@pytest.fixture
def frozen_session_clock(monkeypatch: pytest.MonkeyPatch) -> float:
    """Freeze ``time.time`` and the session interface's expiry dates; the
    frozen time.  Two runs that sign session cookies then write equal bytes,
    so a fast path's responses can be compared with the general path's."""
    from datetime import datetime, timezone

    # Imported here, not at the top: the bundle is put in place at configure time.
    from microflask.sessions import SecureCookieSessionInterface

    now = 1_700_000_000.0
    monkeypatch.setattr("time.time", lambda: now)
    monkeypatch.setattr(
        SecureCookieSessionInterface,
        "get_expiration_time",
        lambda self, app, session: (
            datetime.fromtimestamp(now, timezone.utc) if session.permanent else None
        ),
    )
    return now
