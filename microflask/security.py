"""Password hashing and safe path joining: part of Werkzeug's role.

``generate_password_hash`` / ``check_password_hash`` read and write
Werkzeug 3's hash format (``method$salt$hexdigest``), so a user database
made with Werkzeug keeps working.  ``safe_join`` joins untrusted path
parts to a trusted directory, refusing anything that could leave it.

scrypt, the default, needs ``hashlib.scrypt``, which PyPy and Pythons
built without OpenSSL 1.1+ lack.  There the default method becomes
``pbkdf2:sha256`` (Werkzeug would fail with ``AttributeError``), while
asking for scrypt by name, or checking a scrypt hash, raises a
``RuntimeError`` that names the pbkdf2 alternative.

Peer: ``werkzeug.security`` (import ``microflask.security`` instead).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import posixpath
import secrets
import typing as t

__all__ = [
    "DEFAULT_PBKDF2_ITERATIONS",
    "SALT_CHARS",
    "check_password_hash",
    "gen_salt",
    "generate_password_hash",
    "safe_join",
]

#: Characters a salt is made of.
SALT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#: PBKDF2 rounds when a ``pbkdf2`` method names none (Werkzeug 3.1's value).
DEFAULT_PBKDF2_ITERATIONS = 1_000_000

# scrypt cost when a ``scrypt`` method names none: n=2**15, r=8, p=1.
_DEFAULT_SCRYPT_PARAMETERS = (2**15, 8, 1)

# Path separators other than "/" on this OS (the backslash on Windows).
# Read at call time, so it can be changed for testing.
_os_alt_seps: list[str] = [
    sep for sep in (os.sep, os.path.altsep) if sep is not None and sep != "/"
]

# Names Windows maps to devices in every directory ("CON", "nul.txt", ...).
_windows_device_files = frozenset(
    ["CON", "CONIN$", "CONOUT$", "PRN", "AUX", "NUL"]
    + ["%s%s" % (port, digit) for port in ("COM", "LPT") for digit in "123456789\u00b9\u00b2\u00b3"]
)


def gen_salt(length: int) -> str:
    """A random string of ``length`` letters and digits, from ``secrets``."""
    if length <= 0:
        raise ValueError("Salt length must be at least 1.")
    return "".join([secrets.choice(SALT_CHARS) for _ in range(length)])


def _scrypt_function() -> t.Callable[..., bytes]:
    """``hashlib.scrypt``, looked up when needed; a clear error without it."""
    scrypt = getattr(hashlib, "scrypt", None)
    if scrypt is None:
        raise RuntimeError(
            "scrypt is not available in this Python (hashlib.scrypt needs"
            " OpenSSL 1.1 or later, and PyPy has none); hash passwords with"
            " method='pbkdf2:sha256' instead."
        )
    return scrypt


def _default_password_method() -> str:
    """scrypt where this Python has it, else PBKDF2 with SHA-256."""
    return "scrypt" if hasattr(hashlib, "scrypt") else "pbkdf2:sha256"


def _hash_password_with_method(method: str, salt: str, password: str) -> tuple[str, str]:
    """Hex digest of ``password`` and the full method string to store.

    ``method`` is ``scrypt[:n:r:p]`` or ``pbkdf2[:hash[:iterations]]``;
    missing parameters take the defaults, and the returned method spells
    them out.  Bad methods raise ``ValueError``.
    """
    name, *args = method.split(":")
    salt_bytes = salt.encode()
    password_bytes = password.encode() if isinstance(password, str) else bytes(password)

    if name == "scrypt":
        if not args:
            n, r, p = _DEFAULT_SCRYPT_PARAMETERS
        else:
            try:
                n, r, p = map(int, args)
            except ValueError:
                raise ValueError("'scrypt' takes 3 arguments.") from None
        # OpenSSL needs about 128 * n * r * p bytes; allow a little more.
        digest = _scrypt_function()(
            password_bytes, salt=salt_bytes, n=n, r=r, p=p, maxmem=132 * n * r * p
        )
        return digest.hex(), "scrypt:%d:%d:%d" % (n, r, p)

    if name == "pbkdf2":
        if len(args) == 0:
            hash_name, iterations = "sha256", DEFAULT_PBKDF2_ITERATIONS
        elif len(args) == 1:
            hash_name, iterations = args[0], DEFAULT_PBKDF2_ITERATIONS
        elif len(args) == 2:
            hash_name, iterations = args[0], int(args[1])
        else:
            raise ValueError("'pbkdf2' takes 2 arguments.")
        digest = hashlib.pbkdf2_hmac(hash_name, password_bytes, salt_bytes, iterations)
        return digest.hex(), "pbkdf2:%s:%d" % (hash_name, iterations)

    raise ValueError("Invalid hash method '%s'." % name)


# Werkzeug's name for the same helper.
_hash_internal = _hash_password_with_method


def generate_password_hash(
    password: str, method: str | None = None, salt_length: int = 16
) -> str:
    """Hash a password for storage as ``method$salt$hexdigest``.

    ``method`` is ``"scrypt"`` (optionally ``"scrypt:n:r:p"``) or
    ``"pbkdf2"`` (optionally ``"pbkdf2:hash_name:iterations"``).  Left out,
    it is scrypt, or ``pbkdf2:sha256`` with ``DEFAULT_PBKDF2_ITERATIONS``
    on a Python without ``hashlib.scrypt`` (PyPy).  An unknown method
    raises ``ValueError``; scrypt by name where it is missing raises
    ``RuntimeError``.
    """
    if method is None:
        method = _default_password_method()
    salt = gen_salt(salt_length)
    digest, full_method = _hash_password_with_method(method, salt, password)
    return "%s$%s$%s" % (full_method, salt, digest)


def check_password_hash(pwhash: str, password: str) -> bool:
    """Whether ``password`` matches a hash from :func:`generate_password_hash`.

    Comparison is constant-time.  A malformed hash is simply ``False``
    (Werkzeug raises for some).  A scrypt hash on a Python without
    ``hashlib.scrypt`` raises ``RuntimeError``: it cannot be checked there,
    which is not the same as a wrong password.
    """
    try:
        method, salt, expected = pwhash.split("$", 2)
        digest = _hash_password_with_method(method, salt, password)[0]
        return hmac.compare_digest(digest.encode(), expected.encode())
    except (ValueError, TypeError, AttributeError, UnicodeError, OverflowError, MemoryError):
        return False


def _is_unsafe_path_part(filename: str) -> bool:
    """Whether a normalized untrusted path part could leave its directory
    (or is not a usable file name at all)."""
    if (
        "\x00" in filename
        or any(sep in filename for sep in _os_alt_seps)
        or os.path.isabs(filename)
        # Windows' isabs misses "/x" on old Pythons; it is rooted everywhere.
        or filename.startswith("/")
        or filename == ".."
        or filename.startswith("../")
    ):
        return True
    if os.name == "nt":
        # Windows ignores an extension, surrounding spaces and an NTFS
        # stream marker after a device name: "nul.txt", "CON ", "con:".
        for segment in filename.split("/"):
            stem = segment.partition(".")[0].partition(":")[0].strip().upper()
            if stem in _windows_device_files:
                return True
    return False


def safe_join(directory: str, *untrusted: str) -> str | None:
    """Join untrusted path parts onto a trusted ``directory``.

    Returns ``None`` if any part is absolute, climbs out with ``..``,
    contains a NUL byte or a separator other than ``/`` for this OS (the
    backslash on Windows), or names a Windows device on Windows.  An empty
    ``directory`` means ``"."``.
    """
    if not directory:
        # Without this, the first untrusted part would become the root.
        directory = "."
    parts = [directory]
    for filename in untrusted:
        if filename == "":
            continue  # adds nothing (not even a trailing slash)
        filename = posixpath.normpath(filename)
        if _is_unsafe_path_part(filename):
            return None
        parts.append(filename)
    return posixpath.join(*parts)
