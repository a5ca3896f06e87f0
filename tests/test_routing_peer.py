"""Replay the cases of tests/fixtures/routing_werkzeug.json (recorded from
Werkzeug by make_routing_fixture.py) against microflask.routing: the same
maps must match, redirect, fail and build exactly alike."""

import json
import pathlib

import pytest

from microflask.exceptions import HTTPException
from microflask.routing import BuildError, Map, RequestRedirect, Rule

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "routing_werkzeug.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))


def outcome_of(call):
    try:
        result = call()
    except RequestRedirect as error:
        return {"redirect": error.new_url}
    except HTTPException as error:
        methods = sorted(getattr(error, "valid_methods", None) or [])
        return {"error": type(error).__name__, "valid_methods": methods}
    except BuildError as error:
        return {"error": "BuildError", "message": str(error)}
    except Exception as error:  # noqa: BLE001 - compared with the recording
        return {"error": type(error).__name__}
    if isinstance(result, tuple):
        endpoint, values = result
        return {"endpoint": endpoint, "values": repr(sorted(values.items()))}
    return {"url": result}


def adapter_for(spec):
    url_map = Map([Rule(**rule) for rule in spec["rules"]], **spec["options"])
    return url_map.bind(**spec["bind"])


MATCH_CASES = [
    pytest.param(index, path, method, expected, id=f"{index}-{method}-{path}")
    for index, spec in enumerate(CASES)
    for path, method, expected in spec["matches"]
]
BUILD_CASES = [
    pytest.param(index, endpoint, values, method, expected, id=f"{index}-{endpoint}-{values}")
    for index, spec in enumerate(CASES)
    for endpoint, values, method, expected in spec["builds"]
]
ADAPTERS = {}


def cached_adapter(index):
    if index not in ADAPTERS:
        ADAPTERS[index] = adapter_for(CASES[index])
    return ADAPTERS[index]


@pytest.mark.parametrize("index, path, method, expected", MATCH_CASES)
def test_match_like_werkzeug(index, path, method, expected):
    adapter = cached_adapter(index)
    assert outcome_of(lambda: adapter.match(path, method)) == expected


@pytest.mark.parametrize("index, endpoint, values, method, expected", BUILD_CASES)
def test_build_like_werkzeug(index, endpoint, values, method, expected):
    adapter = cached_adapter(index)
    assert outcome_of(lambda: adapter.build(endpoint, values, method)) == expected
