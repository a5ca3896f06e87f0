"""Benchmark: microflask.signing against ItsDangerous, side by side.

Run with system ``python3`` where ItsDangerous is installed.  Short rounds
of each implementation are interleaved and the best round is kept, so machine
noise hits both sides alike; rounds are timed in CPU time of this process,
so time spent waiting while other processes run is not counted.  Prints
operations per second and the ratio microflask / peer (above 1.0 means
microflask is faster).  ``BENCH_ROUNDS`` and ``BENCH_NUMBER`` shorten it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itsdangerous  # noqa: E402

from microflask import signing  # noqa: E402

NUMBER = int(os.environ.get("BENCH_NUMBER", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))

SESSION = {
    "user_id": 42,
    "username": "alice",
    "csrf_token": "8f14e45fceea167a5a36dedd4bea2543",
    "roles": ["admin", "editor"],
    "_fresh": True,
    "_permanent": True,
    "theme": "dark",
    "locale": "en_GB",
    "cart": [1, 2, 3, 5, 8],
    "visits": 17,
}

# Flask's SecureCookieSessionInterface settings.
FLASK_SIGNER_KWARGS = {"key_derivation": "hmac", "digest_method": hashlib.sha1}


def best_rates(cases):
    """Run every (name, callable) ROUNDS times, interleaved; best ops/s each."""
    best = {name: 0.0 for name, _ in cases}
    for _ in range(ROUNDS):
        for name, func in cases:
            elapsed = timeit.timeit(func, number=NUMBER, timer=time.process_time)
            best[name] = max(best[name], NUMBER / elapsed)
    return best


def report(title, ours, theirs):
    rates = best_rates([("microflask", ours), ("itsdangerous", theirs)])
    print(title)
    print("  %-14s %10.0f ops/s" % ("microflask", rates["microflask"]))
    print(
        "  %-14s %10.0f ops/s   microflask/itsdangerous = %.2fx"
        % ("itsdangerous", rates["itsdangerous"], rates["microflask"] / rates["itsdangerous"])
    )


def round_trip(module, **kwargs):
    serializer = module.URLSafeTimedSerializer("secret-key", salt="cookie-session", **kwargs)

    def run():
        return serializer.loads(serializer.dumps(SESSION), max_age=3600)

    return run


def round_trip_new_serializer(module):
    # Flask builds a fresh serializer for every request that touches the session.
    def run():
        serializer = module.URLSafeTimedSerializer(
            "secret-key", salt="cookie-session", signer_kwargs=FLASK_SIGNER_KWARGS
        )
        return serializer.loads(serializer.dumps(SESSION), max_age=3600)

    return run


def sign_unsign(module):
    signer = module.Signer("secret-key")

    def run():
        return signer.unsign(signer.sign(b"user-42"))

    return run


def main():
    assert round_trip(signing)() == round_trip(itsdangerous)() == SESSION
    # Each side reads the other's tokens (the compressed bytes differ).
    ours = signing.URLSafeTimedSerializer("secret-key", salt="cookie-session")
    theirs = itsdangerous.URLSafeTimedSerializer("secret-key", salt="cookie-session")
    assert theirs.loads(ours.dumps(SESSION)) == ours.loads(theirs.dumps(SESSION)) == SESSION
    report(
        "URLSafeTimedSerializer dumps+loads, session dict (default options)",
        round_trip(signing),
        round_trip(itsdangerous),
    )
    report(
        "URLSafeTimedSerializer dumps+loads, Flask session options",
        round_trip(signing, signer_kwargs=FLASK_SIGNER_KWARGS),
        round_trip(itsdangerous, signer_kwargs=FLASK_SIGNER_KWARGS),
    )
    report(
        "same, new serializer per round trip (as Flask does per request)",
        round_trip_new_serializer(signing),
        round_trip_new_serializer(itsdangerous),
    )
    report("Signer sign+unsign", sign_unsign(signing), sign_unsign(itsdangerous))


if __name__ == "__main__":
    main()
