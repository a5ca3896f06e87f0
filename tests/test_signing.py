"""Tests for microflask.signing (ItsDangerous' role).

Wire compatibility is checked against tokens made by the real ItsDangerous
(tests/fixtures/signing_tokens.json, made by make_signing_fixtures.py).
"""

import hashlib
import hmac
import io
import json
import os
import pathlib
import pickle
import random
import time
import zlib
from datetime import datetime, timedelta, timezone

import pytest

import microflask.signing as signing
from microflask.signing import (
    BadData,
    BadHeader,
    BadPayload,
    BadSignature,
    BadTimeSignature,
    HMACAlgorithm,
    NoneAlgorithm,
    Serializer,
    SignatureExpired,
    Signer,
    SigningAlgorithm,
    TimedSerializer,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
    base64_decode,
    base64_encode,
    want_bytes,
)
from microflask.signing import url_safe
from microflask.signing.encoding import bytes_to_int, int_to_bytes
from microflask.signing.serializer import is_text_serializer

FIXTURES = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "signing_tokens.json").read_text("utf-8")
)
TIMESTAMP = FIXTURES["timestamp"]
DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}
SERIALIZERS = {
    "Serializer": Serializer,
    "URLSafeSerializer": URLSafeSerializer,
    "TimedSerializer": TimedSerializer,
    "URLSafeTimedSerializer": URLSafeTimedSerializer,
}


@pytest.fixture
def frozen_time(monkeypatch):
    """Freeze time.time(); returns a setter to move the clock."""
    now = [TIMESTAMP + 0.5]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def set_time(value):
        now[0] = value

    return set_time


def assert_same_token(ours, theirs):
    """``ours`` carries what ItsDangerous' token ``theirs`` carries.

    Uncompressed tokens are the same bytes.  A compressed payload (``.``
    prefix) is the same JSON under zlib data of our own settings (a window
    sized for tokens), so there the timestamp must match, the payload must
    inflate to the same bytes, and the caller checks the signature by
    loading the token.
    """
    if not theirs.startswith("."):
        assert ours == theirs
        return
    assert ours.startswith(".")
    ours_parts, theirs_parts = ours[1:].split("."), theirs[1:].split(".")
    assert len(ours_parts) == len(theirs_parts)
    assert zlib.decompress(base64_decode(ours_parts[0])) == zlib.decompress(
        base64_decode(theirs_parts[0])
    )
    assert ours_parts[1:-1] == theirs_parts[1:-1]


def signer_options(options):
    kwargs = dict(options)
    if "digest_method" in kwargs:
        kwargs["digest_method"] = DIGESTS[kwargs["digest_method"]]
    return kwargs


def case_id(case):
    return "%s-%s" % (json.dumps(case.get("options"), sort_keys=True), case.get("value", ""))


# -- wire compatibility with ItsDangerous -------------------------------------


@pytest.mark.parametrize("case", FIXTURES["signer"], ids=case_id)
def test_signer_matches_itsdangerous(case):
    signer = Signer(case["secret_key"], **signer_options(case["options"]))
    token = case["token"].encode("utf-8")
    assert signer.unsign(token) == case["value"].encode("utf-8")
    assert signer.unsign(case["token"]) == case["value"].encode("utf-8")
    assert signer.validate(token)
    if not case.get("verify_only"):
        assert signer.sign(case["value"]) == token


@pytest.mark.parametrize("case", FIXTURES["timestamp_signer"], ids=case_id)
def test_timestamp_signer_matches_itsdangerous(case, frozen_time):
    signer = TimestampSigner(case["secret_key"], **signer_options(case["options"]))
    token = case["token"].encode("utf-8")
    value, date_signed = signer.unsign(token, max_age=10, return_timestamp=True)
    assert value == case["value"].encode("utf-8")
    assert date_signed == datetime.fromtimestamp(TIMESTAMP, tz=timezone.utc)
    assert signer.sign(case["value"]) == token


@pytest.mark.parametrize(
    "case",
    FIXTURES["serializer"],
    ids=lambda c: "%s-%s" % (c["kind"], json.dumps(c["options"], sort_keys=True)),
)
def test_serializers_match_itsdangerous(case, frozen_time):
    serializer = SERIALIZERS[case["kind"]](case["secret_key"], **case["options"])
    assert serializer.loads(case["token"]) == case["payload"]
    assert serializer.loads(case["token"].encode("utf-8")) == case["payload"]
    if not case.get("verify_only"):
        token = serializer.dumps(case["payload"])
        assert_same_token(token, case["token"])
        assert serializer.loads(token) == case["payload"]


def test_fixtures_cover_compression():
    compressed = [c for c in FIXTURES["serializer"] if c["token"].startswith(".")]
    assert compressed, "expected some zlib-compressed URL-safe tokens"
    assert all(c["kind"].startswith("URLSafe") for c in compressed)


@pytest.mark.parametrize("case", FIXTURES["flask_session"], ids=lambda c: str(len(c["token"])))
def test_reads_and_writes_flask_session_cookies(case, frozen_time):
    # Flask's SecureCookieSessionInterface: salt "cookie-session", hmac key
    # derivation, SHA-1.  Plain JSON values are written untagged.
    serializer = URLSafeTimedSerializer(
        "flask-secret",
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    assert serializer.loads(case["token"], max_age=31 * 24 * 3600) == case["payload"]
    token = serializer.dumps(case["payload"])
    assert_same_token(token, case["token"])
    assert serializer.loads(token, max_age=10) == case["payload"]


# -- encoding helpers --------------------------------------------------------


def test_want_bytes():
    assert want_bytes("é") == b"\xc3\xa9"
    assert want_bytes(b"x") == b"x"
    assert want_bytes("é", "latin-1") == b"\xe9"
    assert want_bytes(5) == 5


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(b"", b""), (b"a", b"YQ"), (b"ab", b"YWI"), (b"abc", b"YWJj"), (b"\xfb\xff", b"-_8")],
)
def test_base64_round_trip(raw, encoded):
    assert base64_encode(raw) == encoded
    assert base64_decode(encoded) == raw
    assert base64_decode(encoded.decode()) == raw


def test_base64_encode_accepts_text():
    assert base64_encode("é") == b"w6k"


@pytest.mark.parametrize("bad", ["a", "Y!Q", b"abcde", "=====a"])
def test_base64_decode_errors_are_bad_data(bad):
    with pytest.raises(BadData) as info:
        base64_decode(bad)
    assert str(info.value) == "Invalid base64-encoded data"


def test_base64_decode_skips_foreign_characters_like_itsdangerous():
    assert base64_decode("YQé") == b"a"
    assert base64_decode("!!!") == b""


def test_int_bytes_helpers():
    assert int_to_bytes(0) == b""
    assert int_to_bytes(1700000000) == b"eS\xf1\x00"
    assert bytes_to_int(b"") == 0
    assert bytes_to_int(int_to_bytes(2**64 - 1)) == 2**64 - 1
    for number in (1, 255, 256, 65535, 2**40 + 3):
        assert bytes_to_int(int_to_bytes(number)) == number


def test_module_exports_like_itsdangerous():
    for name in ("encoding", "exc", "signer", "timed", "serializer", "url_safe"):
        assert hasattr(signing, name)
    from microflask.signing.exc import BadData as ExcBadData

    assert ExcBadData is BadData


# -- exceptions ----------------------------------------------------------------


def test_exception_hierarchy_and_attributes():
    assert issubclass(BadSignature, BadData)
    assert issubclass(BadTimeSignature, BadSignature)
    assert issubclass(SignatureExpired, BadTimeSignature)
    assert issubclass(BadHeader, BadSignature)
    assert issubclass(BadPayload, BadData)
    assert not issubclass(BadPayload, BadSignature)

    error = BadData("message")
    assert str(error) == "message" and error.message == "message" and error.args == ("message",)
    assert BadSignature("m").payload is None
    assert BadSignature("m", payload=b"p").payload == b"p"
    now = datetime.now(timezone.utc)
    assert BadTimeSignature("m", b"p", now).date_signed is now
    assert SignatureExpired("m", date_signed=now).date_signed is now
    cause = ValueError("x")
    header = BadHeader("m", payload=b"p", header={"a": 1}, original_error=cause)
    assert header.header == {"a": 1} and header.original_error is cause
    assert BadPayload("m", original_error=cause).original_error is cause
    assert BadPayload("m").original_error is None


# -- Signer ------------------------------------------------------------------


def test_signer_defaults_and_attributes():
    signer = Signer("key")
    assert signer.secret_keys == [b"key"]
    assert signer.secret_key == b"key"
    assert signer.salt == b"itsdangerous.Signer"
    assert signer.sep == b"."
    assert signer.key_derivation == "django-concat"
    assert Signer.default_key_derivation == "django-concat"
    assert isinstance(signer.algorithm, HMACAlgorithm)
    assert signer.digest_method(b"x").digest() == hashlib.sha1(b"x").digest()
    assert Signer.default_digest_method().name == "sha1"
    assert Signer("key", salt=None).salt == b"itsdangerous.Signer"
    assert Signer("key", salt="s").salt == b"s"
    assert Signer(b"key", sep="~").sep == b"~"


def test_sign_and_unsign():
    signer = Signer("secret")
    assert signer.sign("hello") == b"hello.7KTthSs1fJgtbigPvFpQH1bpoGA"
    assert signer.get_signature("hello") == b"7KTthSs1fJgtbigPvFpQH1bpoGA"
    assert signer.unsign(b"hello.7KTthSs1fJgtbigPvFpQH1bpoGA") == b"hello"
    assert signer.verify_signature(b"hello", b"7KTthSs1fJgtbigPvFpQH1bpoGA")
    assert not signer.verify_signature(b"hello", b"!!!")
    assert not signer.verify_signature(b"hello", b"a")
    assert signer.unsign(signer.sign("a.b.c")) == b"a.b.c"


def test_unsign_errors():
    signer = Signer("secret")
    with pytest.raises(BadSignature) as info:
        signer.unsign(b"hello")
    assert str(info.value) == "No b'.' found in value"
    assert info.value.payload is None
    with pytest.raises(BadSignature) as info:
        signer.unsign(b"hello.abc")
    assert str(info.value) == "Signature b'abc' does not match"
    assert info.value.payload == b"hello"
    assert not signer.validate(b"hello.abc")
    assert not Signer("other").validate(signer.sign("x"))


@pytest.mark.parametrize("bad_input", [5, None, 1.5, ["a.b"], object(), "\udcff.x"])
def test_unsign_wrong_types_raise_bad_signature(bad_input):
    with pytest.raises(BadSignature):
        Signer("secret").unsign(bad_input)
    with pytest.raises(BadSignature):
        TimestampSigner("secret").unsign(bad_input)
    with pytest.raises(BadSignature):
        URLSafeTimedSerializer("secret").loads(bad_input)
    assert URLSafeTimedSerializer("secret").loads_unsafe(bad_input) == (False, None)


def test_unsign_accepts_bytearray():
    signer = Signer("secret")
    assert signer.unsign(bytearray(signer.sign(b"v"))) == b"v"


@pytest.mark.parametrize("sep", ["a", "Z", "0", "-", "_", "="])
def test_separator_from_the_base64_alphabet_is_refused(sep):
    with pytest.raises(ValueError, match="separator cannot be used"):
        Signer("key", sep=sep)


def test_unknown_key_derivation():
    with pytest.raises(TypeError, match="Unknown key derivation method"):
        Signer("key", key_derivation="bogus").sign("x")


def test_derive_key_variants():
    assert Signer("k", salt="s", key_derivation="none").derive_key() == b"k"
    assert (
        Signer("k", salt="s", key_derivation="concat").derive_key()
        == hashlib.sha1(b"sk").digest()
    )
    assert (
        Signer("k", salt="s", key_derivation="django-concat").derive_key()
        == hashlib.sha1(b"ssignerk").digest()
    )
    import hmac

    expected = hmac.new(b"k", b"s", hashlib.sha256).digest()
    signer = Signer("k", salt="s", key_derivation="hmac", digest_method=hashlib.sha256)
    assert signer.derive_key() == expected
    assert signer.derive_key("other") == hmac.new(b"other", b"s", hashlib.sha256).digest()


def test_attribute_changes_after_first_use_take_effect():
    signer = Signer("k")
    first = signer.sign("v")
    signer.salt = b"another"
    assert signer.sign("v") != first
    signer.secret_keys = [b"k2"]
    assert not signer.validate(first)


def test_key_rotation():
    old_token = Signer("old").sign("v")
    rotated = Signer(["old", "new"])
    assert rotated.secret_key == b"new"
    assert rotated.unsign(old_token) == b"v"
    assert rotated.sign("v") == Signer("new").sign("v")
    assert not Signer(["new"]).validate(old_token)


def test_none_algorithm_and_custom_algorithm():
    signer = Signer("k", algorithm=NoneAlgorithm())
    assert signer.sign("v") == b"v."
    assert signer.unsign("v.") == b"v"
    assert not signer.validate("v.x")

    class Reversing(SigningAlgorithm):
        def get_signature(self, key, value):
            return value[::-1]

    custom = Signer("k", algorithm=Reversing())
    assert custom.sign(b"abc") == b"abc." + base64_encode(b"cba")
    assert custom.unsign(custom.sign(b"abc")) == b"abc"
    with pytest.raises(NotImplementedError):
        SigningAlgorithm().get_signature(b"k", b"v")


def test_hmac_algorithm_digest():
    assert HMACAlgorithm().digest_method is HMACAlgorithm.default_digest_method
    assert HMACAlgorithm(hashlib.sha256).digest_method is hashlib.sha256
    import hmac

    raw = HMACAlgorithm(hashlib.sha256).get_signature(b"k", b"v")
    assert raw == hmac.new(b"k", b"v", hashlib.sha256).digest()


def test_custom_digest_callable_and_subclassed_derive_key():
    def md5(data=b""):
        return hashlib.md5(data)

    signer = Signer("k", digest_method=md5)
    assert signer.unsign(signer.sign("v")) == b"v"

    class FixedKeySigner(Signer):
        def derive_key(self, secret_key=None):
            return b"fixed"

    token = FixedKeySigner("a").sign("v")
    assert FixedKeySigner("b").unsign(token) == b"v"


# -- TimestampSigner -----------------------------------------------------------


def test_timestamp_signer_round_trip(frozen_time):
    signer = TimestampSigner("secret")
    token = signer.sign("value")
    assert token.count(b".") == 2
    assert signer.get_timestamp() == TIMESTAMP
    assert signer.unsign(token) == b"value"
    assert signer.unsign(token, max_age=0) == b"value"
    value, when = signer.unsign(token, return_timestamp=True)
    assert value == b"value"
    assert when == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    assert when.tzinfo is timezone.utc
    assert signer.validate(token, max_age=5)


def test_timestamp_signer_expiry(frozen_time):
    signer = TimestampSigner("secret")
    token = signer.sign("value")
    frozen_time(TIMESTAMP + 100)
    assert signer.unsign(token, max_age=100) == b"value"
    with pytest.raises(SignatureExpired) as info:
        signer.unsign(token, max_age=10)
    assert str(info.value) == "Signature age 100 > 10 seconds"
    assert info.value.payload == b"value"
    assert info.value.date_signed == datetime.fromtimestamp(TIMESTAMP, tz=timezone.utc)
    assert not signer.validate(token, max_age=10)
    # A token from the future is refused when an age is checked.
    frozen_time(TIMESTAMP - 5)
    with pytest.raises(SignatureExpired, match=r"Signature age -5 < 0 seconds"):
        signer.unsign(token, max_age=10)
    assert signer.unsign(token) == b"value"


def test_timestamp_signer_errors(frozen_time):
    signer = TimestampSigner("secret")
    with pytest.raises(BadTimeSignature) as info:
        signer.unsign(Signer("secret").sign("v"))
    assert str(info.value) == "timestamp missing"
    assert info.value.payload == b"v"

    token = signer.sign("v")
    with pytest.raises(BadTimeSignature) as info:
        signer.unsign(token[:-1] + b"X")
    assert str(info.value).startswith("Signature b'")
    assert info.value.payload == b"v"
    assert info.value.date_signed == datetime.fromtimestamp(TIMESTAMP, tz=timezone.utc)

    with pytest.raises(BadSignature) as info:
        signer.unsign(b"v.badsig")
    assert type(info.value) is BadSignature
    with pytest.raises(BadSignature, match="No b'.' found in value"):
        signer.unsign(b"nothing")

    long_timestamp = Signer("secret").sign(b"v." + base64_encode(b"123456789"))
    with pytest.raises(BadTimeSignature, match="Malformed timestamp"):
        signer.unsign(long_timestamp)


def test_timestamp_signer_absurd_timestamp_is_bad_data(frozen_time):
    huge = base64_encode(b"\x7f\xff\xff\xff\xff\xff\xff\xff")
    token = Signer("secret").sign(b"v." + huge)
    signer = TimestampSigner("secret")
    with pytest.raises(BadTimeSignature):
        signer.unsign(token, max_age=10)
    with pytest.raises(BadTimeSignature):
        signer.unsign(token, return_timestamp=True)
    with pytest.raises(BadTimeSignature, match="Malformed timestamp"):
        signer.unsign(b"v." + huge + b".xx")


def test_timestamp_to_datetime():
    signer = TimestampSigner("k")
    assert signer.timestamp_to_datetime(0) == datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_timestamp_signer_subclass_clock():
    class FixedClock(TimestampSigner):
        def get_timestamp(self):
            return 1000

    token = FixedClock("k").sign("v")
    assert FixedClock("k").unsign(token, max_age=0) == b"v"
    with pytest.raises(SignatureExpired):
        TimestampSigner("k").unsign(token, max_age=60)


# -- Serializers ----------------------------------------------------------------


def test_serializer_attributes():
    serializer = Serializer("k")
    assert serializer.secret_keys == [b"k"] and serializer.secret_key == b"k"
    assert serializer.salt == b"itsdangerous"
    assert serializer.serializer is json
    assert serializer.is_text_serializer is True
    assert serializer.signer is Signer
    assert serializer.signer_kwargs == {}
    assert serializer.serializer_kwargs == {}
    assert serializer.fallback_signers == []
    assert Serializer.default_serializer is json
    assert Serializer.default_signer is Signer
    assert TimedSerializer.default_signer is TimestampSigner
    assert URLSafeTimedSerializer("k").signer is TimestampSigner
    assert Serializer("k", salt=None).salt is None
    assert Serializer("k", salt="x").salt == b"x"
    assert isinstance(serializer.make_signer(), Signer)
    assert serializer.make_signer().salt == b"itsdangerous"
    assert Serializer("k", salt=None).make_signer().salt == b"itsdangerous.Signer"
    assert URLSafeSerializer[str] is URLSafeSerializer


def test_serializer_round_trips():
    obj = {"a": [1, 2.5, None, True, "é"], "b": {"c": "<>"}}
    for cls in SERIALIZERS.values():
        serializer = cls("secret", salt="s")
        token = serializer.dumps(obj)
        assert isinstance(token, str)
        assert serializer.loads(token) == obj
        assert serializer.loads_unsafe(token) == (True, obj)
        with pytest.raises(BadSignature):
            cls("secret", salt="other").loads(token)
        with pytest.raises(BadSignature):
            cls("other", salt="s").loads(token)
        assert serializer.loads(serializer.dumps(obj, salt="x"), salt="x") == obj


def test_serializer_text_format():
    token = Serializer("k").dumps({"a": [1, "é"]})
    assert token.startswith('{"a": [1, "\\u00e9"]}.')


def test_url_safe_tokens():
    serializer = URLSafeSerializer("k")
    token = serializer.dumps({"a": [1, "é"]})
    assert token.split(".")[0] == "eyJhIjpbMSwiw6kiXX0"
    compressed = serializer.dumps("a" * 100)
    assert compressed.startswith(".")
    assert serializer.loads(compressed) == "a" * 100
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
    assert set(compressed) <= allowed


def test_token_compression_is_as_good_as_zlib_defaults():
    # URL-safe payloads compress with a 4 KB window (see
    # _compress_token_payload); on token-sized JSON that costs at most a few
    # bytes over zlib's defaults, and larger payloads still round-trip.
    rng = random.Random(7)
    words = ["user", "id", "admin", "csrf", "token", "theme", "cart", "visits", "true"]
    serializer = URLSafeSerializer("k")
    for _ in range(300):
        payload = {
            rng.choice(words) + str(rng.randrange(100)): rng.choice(
                [
                    rng.random(),
                    rng.choice(words) * rng.randrange(1, 6),
                    list(range(rng.randrange(20))),
                ]
            )
            for _ in range(rng.randrange(1, 60))
        }
        data = json.dumps(payload, separators=(",", ":")).encode()
        compressed = url_safe._compress_token_payload(data)
        assert zlib.decompress(compressed) == data
        assert len(compressed) <= len(zlib.compress(data)) * 1.03 + 2
        assert serializer.loads(serializer.dumps(payload)) == payload
    large = [{"name": "item %d" % i, "tags": ["x", "y"], "n": i} for i in range(3000)]
    token = serializer.dumps(large)
    assert token.startswith(".")
    assert serializer.loads(token) == large


def test_url_safe_payload_errors():
    serializer = URLSafeSerializer("k")
    signer = serializer.make_signer()
    with pytest.raises(BadPayload, match="zlib decompress") as info:
        serializer.loads(signer.sign(b".abcd"))
    assert info.value.original_error is not None
    with pytest.raises(BadPayload, match="Could not load the payload") as info:
        serializer.loads(signer.sign(base64_encode(b"{")))
    assert isinstance(info.value.original_error, ValueError)
    with pytest.raises(BadPayload, match="base64 decode"):
        serializer.load_payload(b"a")


def test_serializer_bad_payload():
    serializer = Serializer("k")
    with pytest.raises(BadPayload) as info:
        serializer.loads(serializer.make_signer().sign(b"not json"))
    assert str(info.value) == (
        "Could not load the payload because an exception occurred on unserializing the data."
    )


def test_loads_unsafe():
    serializer = URLSafeTimedSerializer("k")
    token = serializer.dumps([1])
    assert serializer.loads_unsafe(token) == (True, [1])
    assert serializer.loads_unsafe(token + "x") == (False, [1])
    assert serializer.loads_unsafe("garbage") == (False, None)
    assert serializer.loads_unsafe("") == (False, None)
    plain = Serializer("k")
    assert plain.loads_unsafe(plain.dumps(1) + "x") == (False, 1)
    assert plain.loads_unsafe("not json.sig") == (False, None)


def test_loads_unsafe_max_age(frozen_time):
    serializer = TimedSerializer("k")
    token = serializer.dumps({"a": 1})
    frozen_time(TIMESTAMP + 60)
    assert serializer.loads_unsafe(token, max_age=10) == (False, {"a": 1})
    assert serializer.loads_unsafe(token, max_age=100) == (True, {"a": 1})


def test_timed_serializer_max_age_and_timestamp(frozen_time):
    serializer = URLSafeTimedSerializer("k")
    token = serializer.dumps({"id": 5})
    payload, when = serializer.loads(token, return_timestamp=True)
    assert payload == {"id": 5}
    assert when == datetime.fromtimestamp(TIMESTAMP, tz=timezone.utc)
    frozen_time(TIMESTAMP + 3600)
    with pytest.raises(SignatureExpired) as info:
        serializer.loads(token, max_age=60)
    assert info.value.date_signed == when
    assert serializer.loads(token, max_age=3600) == {"id": 5}
    assert datetime.now(timezone.utc) - when > timedelta(0)


def test_serializer_key_rotation():
    old = URLSafeTimedSerializer("old", salt="s").dumps({"v": 1})
    both = URLSafeTimedSerializer(["old", "new"], salt="s")
    assert both.loads(old) == {"v": 1}
    assert both.secret_key == b"new"
    assert URLSafeTimedSerializer("new", salt="s").loads(both.dumps({"v": 2})) == {"v": 2}
    with pytest.raises(BadSignature):
        URLSafeTimedSerializer("new", salt="s").loads(old)


def test_expired_is_final_with_several_unsigners(frozen_time):
    serializer = TimedSerializer(["a", "b"], fallback_signers=[{"digest_method": hashlib.sha256}])
    token = serializer.dumps(1)
    frozen_time(TIMESTAMP + 100)
    with pytest.raises(SignatureExpired):
        serializer.loads(token, max_age=1)


def test_fallback_signers():
    sha256_token = Serializer("k", signer_kwargs={"digest_method": hashlib.sha256}).dumps(1)
    sha512_token = Serializer("k", signer_kwargs={"digest_method": hashlib.sha512}).dumps(2)
    plain_signer_token = Serializer("k", signer=Signer).dumps(3)
    serializer = Serializer(
        "k",
        signer_kwargs={"digest_method": hashlib.sha1},
        fallback_signers=[
            {"digest_method": hashlib.sha256},
            (Signer, {"digest_method": hashlib.sha512}),
            Signer,
        ],
    )
    assert serializer.loads(sha256_token) == 1
    assert serializer.loads(sha512_token) == 2
    assert serializer.loads(plain_signer_token) == 3
    assert len(list(serializer.iter_unsigners())) == 4
    with pytest.raises(BadSignature):
        Serializer("k").loads(sha256_token)


def test_bytes_serializer():
    serializer = Serializer("k", serializer=pickle)
    assert serializer.is_text_serializer is False
    token = serializer.dumps({"a": 1})
    assert isinstance(token, bytes)
    assert serializer.loads(token) == {"a": 1}
    assert is_text_serializer(json) and not is_text_serializer(pickle)


def test_custom_text_serializer_and_kwargs():
    class Upper:
        @staticmethod
        def dumps(obj, **kwargs):
            return json.dumps(obj, **kwargs).upper()

        @staticmethod
        def loads(text):
            return json.loads(text.lower())

    serializer = URLSafeSerializer("k", serializer=Upper)
    assert serializer.loads(serializer.dumps("abc")) == "abc"
    sorted_serializer = Serializer("k", serializer_kwargs={"sort_keys": True})
    assert sorted_serializer.dumps({"b": 1, "a": 2}).startswith('{"a": 2, "b": 1}.')
    assert sorted_serializer.load_payload(b"[1]", serializer=Upper) == [1]


def test_dump_and_load_files():
    serializer = Serializer("k")
    text_file = io.StringIO()
    serializer.dump({"a": 1}, text_file)
    text_file.seek(0)
    assert serializer.load(text_file) == {"a": 1}
    text_file = io.StringIO(serializer.dumps(2) + "x")
    assert serializer.load_unsafe(text_file) == (False, 2)
    bytes_serializer = Serializer("k", serializer=pickle)
    binary = io.BytesIO()
    bytes_serializer.dump([1], binary)
    binary.seek(0)
    assert bytes_serializer.load(binary) == [1]


def test_dump_payload_and_load_payload():
    serializer = URLSafeSerializer("k")
    assert serializer.dump_payload({"a": 1}) == base64_encode(b'{"a":1}')
    assert serializer.load_payload(serializer.dump_payload([1, 2])) == [1, 2]
    assert Serializer("k").dump_payload([1, 2]) == b"[1, 2]"


# -- fuzzing: bad input only ever raises BadData -------------------------------


def _mutations(token, rng):
    token = bytearray(token)
    choice = rng.randrange(6)
    if choice == 0 and token:
        del token[rng.randrange(len(token)) :]
    elif choice == 1 and token:
        token[rng.randrange(len(token))] = rng.randrange(256)
    elif choice == 2:
        token.insert(rng.randrange(len(token) + 1), rng.choice(b".~:$=-_!\x00\xff"))
    elif choice == 3 and token:
        del token[rng.randrange(len(token))]
    elif choice == 4:
        token = bytearray(rng.randrange(256) for _ in range(rng.randrange(40)))
    else:
        token = token.replace(b".", rng.choice([b"", b"..", b":", b"."]))
    return bytes(token)


def test_fuzzed_tokens_only_raise_bad_data(frozen_time):
    rng = random.Random(1234)
    makers = [
        (URLSafeTimedSerializer("k"), lambda s, v: s.loads(v, max_age=100)),
        (URLSafeSerializer("k"), lambda s, v: s.loads(v)),
        (TimedSerializer("k"), lambda s, v: s.loads(v, max_age=100)),
        (Serializer("k"), lambda s, v: s.loads(v)),
    ]
    signers = [
        (Signer("k"), lambda s, v: s.unsign(v)),
        (TimestampSigner("k"), lambda s, v: s.unsign(v, max_age=100, return_timestamp=True)),
    ]
    payload = {"user": "alice", "items": list(range(30)), "text": "x" * 80}
    cases = [(s, load, want_bytes(s.dumps(payload))) for s, load in makers]
    cases += [(s, unsign, s.sign(b"some value")) for s, unsign in signers]
    for instance, load, token in cases:
        for _ in range(400):
            mutated = _mutations(token, rng)
            for candidate in (mutated, mutated.decode("latin-1")):
                try:
                    load(instance, candidate)
                except BadData:
                    pass
        for special in (b"", b".", b"..", b"...", "", "\x00", b"\xff.\xff", ".x.y"):
            with pytest.raises(BadData):
                load(instance, special)


def test_digest_given_as_plain_function_signs_like_the_hash_itself():
    def sha1_function(data=b""):
        return hashlib.sha1(data)

    def keyed_blake2b(data=b""):
        return hashlib.blake2b(data, key=b"pepper")

    for derivation in ("hmac", "django-concat"):
        by_function = Signer("k", key_derivation=derivation, digest_method=sha1_function)
        by_constructor = Signer("k", key_derivation=derivation, digest_method=hashlib.sha1)
        assert by_function.sign("v") == by_constructor.sign("v")
    keyed = Signer("k", digest_method=keyed_blake2b)
    assert keyed.sign("v") != Signer("k", digest_method=hashlib.blake2b).sign("v")
    assert keyed.unsign(keyed.sign("v")) == b"v"
    import hmac

    expected = hmac.new(keyed.derive_key(), b"v", keyed_blake2b).digest()
    assert keyed.sign("v") == b"v." + base64_encode(expected)


def test_serializer_notices_changed_settings_between_calls():
    serializer = URLSafeSerializer("k", salt="s")
    token = serializer.dumps([1])
    serializer.signer_kwargs["key_derivation"] = "hmac"
    changed = serializer.dumps([1])
    assert changed != token
    assert changed == URLSafeSerializer(
        "k", salt="s", signer_kwargs={"key_derivation": "hmac"}
    ).dumps([1])
    serializer.secret_keys[-1] = b"other"
    assert serializer.dumps([1]) == URLSafeSerializer(
        "other", salt="s", signer_kwargs={"key_derivation": "hmac"}
    ).dumps([1])
    serializer.salt = b"t"
    with pytest.raises(BadSignature):
        serializer.loads(changed)

    class NoPayloadOnError(Signer):
        def unsign(self, signed_value):
            try:
                return super().unsign(signed_value)
            except BadSignature as error:
                error.payload = None
                raise

    plain = Serializer("k")
    bad = plain.dumps({"a": 1})[:-1]
    assert plain.loads_unsafe(bad) == (False, {"a": 1})
    plain.signer = NoPayloadOnError
    assert plain.loads_unsafe(bad) == (False, None)


# -- what signers remember, and for how long --------------------------------------
#
# A signer derives each key once and keeps a keyed HMAC per key; a serializer
# keeps its signer while its settings stay the same.  Each memo lives on its
# instance: what it gives must be exactly what a fresh computation gives.

DERIVATIONS = ["concat", "django-concat", "hmac", "none"]


def derive_by_hand(secret, salt, derivation, digest):
    if derivation == "concat":
        return digest(salt + secret).digest()
    if derivation == "django-concat":
        return digest(salt + b"signer" + secret).digest()
    if derivation == "hmac":
        import hmac

        return hmac.new(secret, salt, digest).digest()
    return secret


@pytest.mark.parametrize("derivation", DERIVATIONS)
@pytest.mark.parametrize("digest", [hashlib.sha1, hashlib.sha256])
def test_remembered_keys_and_signatures_equal_fresh_ones(derivation, digest):
    import hmac

    signer = Signer(["old", "new"], salt="s", key_derivation=derivation, digest_method=digest)
    for _ in range(3):  # the first call computes, the next ones remember
        for secret in (b"old", b"new"):
            key = derive_by_hand(secret, b"s", derivation, digest)
            assert signer.derive_key(secret) == key
            expected = hmac.new(key, b"value", digest).digest()
            assert signer.algorithm.get_signature(key, b"value") == expected
        assert signer.sign("value") == b"value." + base64_encode(expected)


def test_changing_a_signer_after_use_forgets_what_it_derived():
    import hmac

    signer = Signer("k", salt="s", key_derivation="hmac")
    signer.sign("v")
    for attribute, value in [
        ("salt", b"t"),
        ("key_derivation", "concat"),
        ("digest_method", hashlib.sha256),
        ("secret_keys", [b"k2"]),
    ]:
        setattr(signer, attribute, value)
        key = derive_by_hand(signer.secret_keys[-1], signer.salt, signer.key_derivation,
                             signer.digest_method)
        assert signer.derive_key() == key
    algorithm = HMACAlgorithm()
    first = algorithm.get_signature(b"key", b"v")
    algorithm.digest_method = hashlib.sha256
    assert algorithm.get_signature(b"key", b"v") == hmac.new(b"key", b"v", hashlib.sha256).digest()
    assert first == hmac.new(b"key", b"v", hashlib.sha1).digest()


def test_memos_stay_small_when_fed_ever_new_keys():
    import hmac

    signer = Signer("k")
    algorithm = HMACAlgorithm(hashlib.sha256)
    for number in range(200):
        secret = b"secret-%d" % number
        assert signer.derive_key(secret) == derive_by_hand(
            secret, signer.salt, "django-concat", hashlib.sha1
        )
        assert (
            algorithm.get_signature(secret, b"v") == hmac.new(secret, b"v", hashlib.sha256).digest()
        )
    assert len(signer._derived_keys[1]) <= 16
    assert len(algorithm._pad_state_memo[1]) <= 16


def test_serializer_reuses_its_signer_only_while_nothing_changed():
    serializer = URLSafeTimedSerializer("k", salt="s")
    token = serializer.dumps({"a": 1})
    assert serializer.loads(token) == {"a": 1}
    assert serializer.loads(serializer.dumps(2, salt="other"), salt="other") == 2
    assert serializer.dumps({"a": 1}) == URLSafeTimedSerializer("k", salt="s").dumps({"a": 1})
    serializer.secret_keys.append(b"newer")
    assert serializer.loads(token) == {"a": 1}  # the old key still verifies
    assert serializer.dumps(1) == URLSafeTimedSerializer(["k", "newer"], salt="s").dumps(1)


def test_serializer_calls_an_overridden_make_signer_every_time():
    made = []

    class CountingSerializer(URLSafeSerializer):
        def make_signer(self, salt=None):
            made.append(salt)
            return super().make_signer(salt)

    serializer = CountingSerializer("k")
    serializer.loads(serializer.dumps(1))
    serializer.loads(serializer.dumps(1))
    assert len(made) == 4


def test_no_secret_outlives_its_signers():
    import gc

    def sign_with_a_fresh_secret():
        secret = os.urandom(16).hex().encode()
        watched = {secret}
        for derivation in DERIVATIONS:
            for digest in (hashlib.sha1, hashlib.sha256):
                options = {"key_derivation": derivation, "digest_method": digest}
                serializer = URLSafeTimedSerializer(secret, salt="s", signer_kwargs=options)
                assert serializer.loads(serializer.dumps({"a": 1})) == {"a": 1}
                watched.add(derive_by_hand(secret, b"s", derivation, digest))
                signer = Signer(secret, **options)
                assert signer.unsign(signer.sign("v")) == b"v"
                watched.add(derive_by_hand(secret, signer.salt, derivation, digest))
        return frozenset(watched)

    watched = sign_with_a_fresh_secret()
    gc.collect()
    holders = [
        type(holder).__name__
        for holder in gc.get_objects()
        if holder is not watched
        and any(type(item) is bytes and item in watched for item in gc.get_referents(holder))
    ]
    assert holders == []


def test_signing_uses_no_private_cpython_hooks():
    # These exist only in CPython's C accelerators (not on PyPy); signing
    # must work with the public hmac, hashlib and json APIs alone.
    package = pathlib.Path(__file__).parent.parent / "microflask" / "signing"
    private_hooks = ["._hmac", "c_make_encoder", "scan_once", "encode_basestring", "_hashlib"]
    for path in sorted(package.glob("*.py")):
        source = path.read_text("utf-8")
        for hook in private_hooks:
            assert hook not in source, (path.name, hook)


@pytest.mark.parametrize(
    "digest_method", [hashlib.sha1, hashlib.sha256, hashlib.sha512, "sha384", "md5"]
)
@pytest.mark.parametrize("key", [b"", b"k", b"secret-key" * 3, b"x" * 64, b"long" * 50])
def test_hmac_from_pad_states_is_hmac(digest_method, key):
    algorithm = HMACAlgorithm(digest_method)
    for message in (b"", b"value", b"v" * 1000):
        expected = hmac.new(key, message, digest_method).digest()
        assert algorithm.get_signature(key, message) == expected
