"""Tests for microflask.security (part of Werkzeug's role).

Hashes and safe_join results made by the real Werkzeug 3 are committed in
tests/fixtures/security_expected.json (made by make_security_fixtures.py).
"""

import hashlib
import json
import os
import pathlib
import string

import pytest

import microflask.security as security
from microflask.security import (
    DEFAULT_PBKDF2_ITERATIONS,
    SALT_CHARS,
    check_password_hash,
    gen_salt,
    generate_password_hash,
    safe_join,
)

FIXTURES = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "security_expected.json").read_text("utf-8")
)
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="Werkzeug's POSIX results")
HAS_SCRYPT = hasattr(hashlib, "scrypt")
NEEDS_SCRYPT = pytest.mark.skipif(not HAS_SCRYPT, reason="no hashlib.scrypt (PyPy)")


def skip_scrypt_hashes_without_scrypt(cases):
    return [
        pytest.param(case, marks=NEEDS_SCRYPT) if case["hash"].startswith("scrypt:") else case
        for case in cases
    ]


# -- gen_salt --------------------------------------------------------------------


def test_gen_salt():
    assert SALT_CHARS == string.ascii_letters + string.digits
    for length in (1, 16, 100):
        salt = gen_salt(length)
        assert len(salt) == length
        assert set(salt) <= set(SALT_CHARS)
    assert gen_salt(32) != gen_salt(32)


@pytest.mark.parametrize("length", [0, -1, -100])
def test_gen_salt_refuses_non_positive_lengths(length):
    with pytest.raises(ValueError, match="Salt length must be at least 1."):
        gen_salt(length)


# -- Werkzeug-made hashes ------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    skip_scrypt_hashes_without_scrypt(FIXTURES["hashes"]),
    ids=lambda c: c["hash"].split("$")[0],
)
def test_accepts_hashes_made_by_werkzeug(case):
    assert check_password_hash(case["hash"], case["password"])
    assert not check_password_hash(case["hash"], case["password"] + "x")
    assert not check_password_hash(case["hash"], "wrong")


@NEEDS_SCRYPT
def test_accepts_default_cost_and_short_method_spellings():
    # scrypt:32768:8:1 in full, then "pbkdf2$..." and "pbkdf2:sha256$..."
    # which both mean sha256 with the default iteration count.
    default_cost = FIXTURES["default_cost"]
    for pwhash in default_cost["hashes"]:
        assert check_password_hash(pwhash, default_cost["password"]), pwhash


# -- generate_password_hash --------------------------------------------------------


@NEEDS_SCRYPT
def test_generate_default_is_scrypt():
    pwhash = generate_password_hash("secret")
    method, salt, digest = pwhash.split("$")
    assert method == "scrypt:32768:8:1"
    assert len(salt) == 16 and set(salt) <= set(SALT_CHARS)
    assert len(digest) == 128 and set(digest) <= set("0123456789abcdef")
    assert check_password_hash(pwhash, "secret")
    assert not check_password_hash(pwhash, "Secret")


@pytest.mark.parametrize(
    ("method", "stored_method"),
    [
        ("pbkdf2:sha256:1000", "pbkdf2:sha256:1000"),
        ("pbkdf2:sha1:10", "pbkdf2:sha1:10"),
        ("pbkdf2:sha512:10", "pbkdf2:sha512:10"),
        pytest.param("scrypt:1024:8:1", "scrypt:1024:8:1", marks=NEEDS_SCRYPT),
        pytest.param("scrypt:256:4:2", "scrypt:256:4:2", marks=NEEDS_SCRYPT),
    ],
)
def test_generate_round_trips(method, stored_method):
    pwhash = generate_password_hash("pässword", method, salt_length=8)
    found_method, salt, _ = pwhash.split("$")
    assert found_method == stored_method
    assert len(salt) == 8
    assert check_password_hash(pwhash, "pässword")
    assert not check_password_hash(pwhash, "password")


def test_pbkdf2_digest_matches_hashlib():
    pwhash = generate_password_hash("pw", "pbkdf2:sha256:50")
    _, salt, digest = pwhash.split("$")
    assert digest == hashlib.pbkdf2_hmac("sha256", b"pw", salt.encode(), 50).hex()


def test_default_pbkdf2_iterations_written_out(monkeypatch):
    monkeypatch.setattr(security, "DEFAULT_PBKDF2_ITERATIONS", 7)
    assert generate_password_hash("pw", "pbkdf2").startswith("pbkdf2:sha256:7$")
    assert generate_password_hash("pw", "pbkdf2:sha1").startswith("pbkdf2:sha1:7$")
    assert DEFAULT_PBKDF2_ITERATIONS == 1_000_000


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("md5", "Invalid hash method 'md5'."),
        ("sha256", "Invalid hash method 'sha256'."),
        ("plain", "Invalid hash method 'plain'."),
        ("", "Invalid hash method ''."),
        ("pbkdf2:sha256:1:2", "'pbkdf2' takes 2 arguments."),
        ("scrypt:1:2", "'scrypt' takes 3 arguments."),
        ("scrypt:a:b:c", "'scrypt' takes 3 arguments."),
    ],
)
def test_generate_refuses_bad_methods(method, message):
    with pytest.raises(ValueError) as info:
        generate_password_hash("pw", method)
    assert str(info.value) == message


def test_generate_refuses_bad_parameters():
    if HAS_SCRYPT:
        with pytest.raises(ValueError):
            generate_password_hash("pw", "scrypt:3:8:1")  # n must be a power of 2
    with pytest.raises(ValueError):
        generate_password_hash("pw", "pbkdf2:nosuchhash:10")
    with pytest.raises(ValueError):
        generate_password_hash("pw", "pbkdf2:sha256:10", salt_length=0)


# -- a Python without hashlib.scrypt (PyPy, old OpenSSL) ----------------------------


@pytest.fixture
def without_scrypt(monkeypatch):
    monkeypatch.delattr(hashlib, "scrypt", raising=False)


def test_without_scrypt_the_default_is_pbkdf2_sha256(without_scrypt, monkeypatch):
    monkeypatch.setattr(security, "DEFAULT_PBKDF2_ITERATIONS", 7)
    pwhash = generate_password_hash("pw")
    method, salt, digest = pwhash.split("$")
    assert method == "pbkdf2:sha256:7"
    assert digest == hashlib.pbkdf2_hmac("sha256", b"pw", salt.encode(), 7).hex()
    assert check_password_hash(pwhash, "pw")
    assert not check_password_hash(pwhash, "pW")


@pytest.mark.parametrize("method", ["scrypt", "scrypt:1024:8:1"])
def test_without_scrypt_asking_for_it_names_the_alternative(without_scrypt, method):
    with pytest.raises(RuntimeError) as info:
        generate_password_hash("pw", method)
    assert "scrypt is not available" in str(info.value)
    assert "method='pbkdf2:sha256'" in str(info.value)


def test_without_scrypt_a_scrypt_hash_is_an_error_not_a_wrong_password(without_scrypt):
    # False would tell the user their password is wrong; it cannot be checked.
    with pytest.raises(RuntimeError, match="scrypt is not available"):
        check_password_hash("scrypt:1024:8:1$salt$00", "pw")
    for pwhash in FIXTURES["default_cost"]["hashes"][1:]:
        assert check_password_hash(pwhash, FIXTURES["default_cost"]["password"])
    # Hashes that are malformed whatever the Python stay simply False.
    assert check_password_hash("scrypt:a:b$s$h", "pw") is False
    assert check_password_hash("scrypt:1024:8:1:9$s$h", "pw") is False


# -- check_password_hash never raises on malformed hashes --------------------------


@pytest.mark.parametrize(
    "pwhash",
    [
        "",
        "$",
        "$$",
        "a$b",
        "x$y$z",
        "md5$salt$hash",
        "pbkdf2:sha256:1$s$",
        "pbkdf2:sha256:abc$s$h",
        "pbkdf2:sha256:1:2$s$h",
        "pbkdf2:nosuch:1$s$h",
        "pbkdf2:sha256:-1$s$h",
        "pbkdf2:sha256:0$s$h",
        "pbkdf2:sha256:99999999999999999999999$s$h",
        "pbkdf2:sha256:1$s$\u00e9",
        "pbkdf2:sha256:1$\udcff$h",
        pytest.param("scrypt:1:1:1$s$h", marks=NEEDS_SCRYPT),
        pytest.param("scrypt:3:8:1$s$h", marks=NEEDS_SCRYPT),
        "scrypt:a:b$s$h",
        "scrypt:1024:8:1:9$s$h",
        pytest.param("scrypt:-1024:8:1$s$h", marks=NEEDS_SCRYPT),
        pytest.param("scrypt:1024:0:1$s$h", marks=NEEDS_SCRYPT),
        pytest.param("scrypt:2:99999999999:1$s$h", marks=NEEDS_SCRYPT),
        "\x00$\x00$\x00",
        "pbkdf2:sha256:1",
        None,
        42,
        b"pbkdf2:sha256:1$s$h",
    ],
)
def test_malformed_hashes_are_false(pwhash):
    assert check_password_hash(pwhash, "pw") is False


def test_check_with_odd_passwords():
    pwhash = generate_password_hash("", "pbkdf2:sha256:3")
    assert check_password_hash(pwhash, "")
    assert not check_password_hash(pwhash, " ")
    assert check_password_hash(pwhash, None) is False
    assert check_password_hash(pwhash, "\udcff") is False


def test_hash_case_and_whitespace_matter():
    pwhash = generate_password_hash("pw", "pbkdf2:sha256:3")
    assert not check_password_hash(pwhash.upper(), "pw")
    assert not check_password_hash(pwhash + " ", "pw")
    assert not check_password_hash(pwhash[:-1], "pw")


# -- safe_join ---------------------------------------------------------------------


def _is_strictness_only(case, ours):
    """microflask may refuse where Werkzeug allows, but only for NUL bytes."""
    return ours is None and any("\x00" in part for part in case["parts"])


@POSIX_ONLY
@pytest.mark.parametrize(
    "case",
    FIXTURES["safe_join_posix"],
    ids=lambda c: "%r-%r" % (c["directory"], c["parts"]),
)
def test_safe_join_agrees_with_werkzeug(case):
    ours = safe_join(case["directory"], *case["parts"])
    if ours != case["result"]:
        assert _is_strictness_only(case, ours), (ours, case["result"])


@pytest.mark.parametrize(
    "payload",
    [
        "..",
        "../",
        "../a",
        "../../etc/passwd",
        "a/../..",
        "a/b/../../..",
        "a/b/../../../x",
        "./../a",
        "/etc/passwd",
        "//etc/passwd",
        "/",
        "a\x00b",
        "\x00",
        "../\x00",
        "a/../../b",
        "x/./../../y",
    ],
)
def test_safe_join_refuses_traversal(payload):
    assert safe_join("/base", payload) is None
    assert safe_join("base", "sub", payload) is None
    assert safe_join("", payload) is None


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["a"], "/base/a"),
        (["a/b"], "/base/a/b"),
        (["a/../b"], "/base/b"),
        (["a//b/"], "/base/a/b"),
        (["./a"], "/base/a"),
        (["a", "b"], "/base/a/b"),
        ([""], "/base"),
        ([], "/base"),
        (["..a"], "/base/..a"),
        (["~"], "/base/~"),
    ],
)
def test_safe_join_allows_paths_inside(parts, expected):
    assert safe_join("/base", *parts) == expected


def test_safe_join_empty_directory_means_current():
    assert safe_join("", "a") == "./a"
    assert safe_join(None, "a") == "./a"


def test_safe_join_alternative_separators(monkeypatch):
    monkeypatch.setattr(security, "_os_alt_seps", ["\\", "*"])
    assert safe_join("/base", "a\\b") is None
    assert safe_join("/base", "..\\x") is None
    assert safe_join("/base", "bar/baz*") is None
    assert safe_join("/base", "bar/baz") == "/base/bar/baz"


def test_safe_join_windows_device_names(monkeypatch):
    monkeypatch.setattr(security.os, "name", "nt")
    for name in (
        "CON",
        "nul.txt",
        "a/aux",
        "a/b/NUL",
        "com1.log",
        "LPT9",
        "CONIN$",
        "prn ",
        " con.tar.gz",
        "con:",
        "NUL::$DATA",
        "com\u00b9",
    ):
        assert safe_join("base", name) is None, name
    assert safe_join("base", "console.txt") == "base/console.txt"


def test_module_exports():
    assert set(security.__all__) >= {
        "check_password_hash",
        "gen_salt",
        "generate_password_hash",
        "safe_join",
    }
