"""Shared pytest set-up: run the suite against the package or the one-file bundle.

By default the tests import the ``microflask`` package from the source tree.
``MICROFLASK_BUNDLE=build/bundle/microflask.py python -m pytest`` (or
``python -m pytest --bundle build/bundle/microflask.py``) runs the same tests
against the single file written by ``python -m microflask.bundle``: its
directory goes first on ``sys.path`` before any test imports ``microflask``.
Tests that read the source tree (the package-names check, the bundler's own
tests) keep reading the files under ``microflask/``.
"""

from __future__ import annotations

import os
import sys

import pytest

BUNDLE_ENVIRONMENT_VARIABLE = "MICROFLASK_BUNDLE"


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
    if path:
        config._microflask_bundle = _use_bundle(path)  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    bundle = getattr(config, "_microflask_bundle", None)
    if bundle:
        return "microflask: single-file bundle %s" % bundle
    return "microflask: package from the source tree"
