"""Keeping compiled templates between processes (Jinja's ``jinja2.bccache``).

An environment built with ``bytecode_cache=...`` asks the cache for a
template's code object before compiling it: the loader hands the template's
name, file name and source to :meth:`BytecodeCache.get_bucket`, which returns
a :class:`Bucket` whose ``code`` is the cached code object, or ``None`` when
nothing usable is stored.  After compiling, the loader puts the code in the
bucket and gives it back with :meth:`BytecodeCache.set_bucket`.

A bucket stores a header, then ``marshal`` data: the source checksum and
the code object.  The header names the cache format and the Python that
wrote it, so a file written by another interpreter (or by Jinja itself, or
an older microflask) is never loaded; a different checksum means the source
changed.  In both cases the bucket is reset and the template compiles again.

The code objects keep what the compiler gave them: template line numbers
and readable function names, so tracebacks of a cached template point at
the template as usual.

Two caches are included: :class:`FileSystemBytecodeCache` (one file per
template in a directory) and :class:`MemcachedBytecodeCache` (any client with
memcached's ``get``/``set``).  Subclass :class:`BytecodeCache` and implement
``load_bytecode`` and ``dump_bytecode`` for another store.
"""

from __future__ import annotations

import io
import os
import sys
import types
import typing as t

__all__ = [
    "Bucket",
    "BytecodeCache",
    "FileSystemBytecodeCache",
    "MemcachedBytecodeCache",
]

#: Bump when the stored layout or the generated code's runtime names change
#: in a way older cached code could not run with.
_BYTECODE_FORMAT_VERSION = 1

_bytecode_cache_header: list[bytes] = []


def _bytecode_header() -> bytes:
    """The bytes every cache entry starts with.

    They name this format, microflask's version and the exact Python
    (implementation, major and minor version): ``marshal`` data is only
    readable by the Python that wrote it.  The header ends with a NUL byte,
    so a header that merely starts like this one does not match.
    """
    if not _bytecode_cache_header:
        package = sys.modules.get(__name__.partition(".")[0])
        version = getattr(package, "__version__", "")
        text = "microflask-templates %d %s %s-%d.%d" % (
            _BYTECODE_FORMAT_VERSION,
            version,
            sys.implementation.name,
            sys.version_info[0],
            sys.version_info[1],
        )
        _bytecode_cache_header.append(text.encode("ascii", "replace") + b"\x00")
    return _bytecode_cache_header[0]


class Bucket:
    """The cached code of one template.

    The cache creates it with the template's ``key`` and the ``checksum`` of
    its current source; :meth:`load_bytecode` fills ``code`` only if what it
    reads was written by this Python for this very source.
    """

    def __init__(self, environment: t.Any, key: str, checksum: str) -> None:
        self.environment = environment
        self.key = key
        self.checksum = checksum
        self.code: types.CodeType | None = None

    def reset(self) -> None:
        """Forget the code (the template will be compiled)."""
        self.code = None

    def load_bytecode(self, f: t.BinaryIO) -> None:
        """Read a stored entry from a binary file object.

        A foreign header, a different source checksum or unreadable data
        leaves the bucket empty.
        """
        import marshal

        header = _bytecode_header()
        if f.read(len(header)) != header:
            self.reset()
            return
        try:
            stored = marshal.loads(f.read())
        except (EOFError, ValueError, TypeError):
            self.reset()
            return
        if (
            type(stored) is not tuple
            or len(stored) != 2
            or stored[0] != self.checksum
            or not isinstance(stored[1], types.CodeType)
        ):
            self.reset()
            return
        self.code = stored[1]

    def write_bytecode(self, f: t.IO[bytes]) -> None:
        """Write the header, the checksum and the code to a binary file object."""
        import marshal

        if self.code is None:
            raise TypeError("can't write empty bucket")
        f.write(_bytecode_header())
        f.write(marshal.dumps((self.checksum, self.code)))

    def bytecode_from_string(self, string: bytes) -> None:
        """:meth:`load_bytecode` from bytes."""
        self.load_bytecode(io.BytesIO(string))

    def bytecode_to_string(self) -> bytes:
        """What :meth:`write_bytecode` writes, as bytes."""
        out = io.BytesIO()
        self.write_bytecode(out)
        return out.getvalue()


class BytecodeCache:
    """Base class of bytecode caches.

    Subclasses implement :meth:`load_bytecode` (fill the bucket from the
    store, or leave it alone when nothing is stored) and
    :meth:`dump_bytecode` (store the bucket, raising if that fails), and
    may implement :meth:`clear`.  Keys and checksums are SHA-1 hex digests
    of the template name (and file name) and of the source.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        """Load the stored entry for ``bucket.key`` into the bucket, if any."""
        raise NotImplementedError()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Store the bucket's code under ``bucket.key``."""
        raise NotImplementedError()

    def clear(self) -> None:
        """Remove every entry (the engine never calls it; applications may)."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """The key a template is stored under: from its name and file name."""
        from hashlib import sha1

        digest = sha1(name.encode("utf-8"))
        if filename is not None:
            digest.update(("|" + filename).encode("utf-8"))
        return digest.hexdigest()

    def get_source_checksum(self, source: str) -> str:
        """A checksum of the template source: stored code must match it."""
        from hashlib import sha1

        return sha1(source.encode("utf-8")).hexdigest()

    def get_bucket(
        self, environment: t.Any, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The bucket for a template, filled from the cache when it holds
        code compiled from this same source."""
        bucket = Bucket(
            environment, self.get_cache_key(name, filename), self.get_source_checksum(source)
        )
        self.load_bytecode(bucket)
        return bucket

    def set_bucket(self, bucket: Bucket) -> None:
        """Store a bucket the loader has put freshly compiled code in."""
        self.dump_bytecode(bucket)


def _default_bytecode_cache_dir() -> str:
    """A cache directory only the current user can use, created if needed.

    Under the system temp directory: on POSIX ``_microflask-jinja2-cache-<uid>``,
    made with mode 0700 and refused (``RuntimeError``) unless it is a real
    directory (not a symlink) owned by this user with no access for others;
    on Windows (whose temp directory is per user) ``_microflask-jinja2-cache``.
    The name differs from Jinja's own cache directory so the two engines
    do not overwrite each other's entries.
    """
    import stat
    import tempfile

    temp_dir = tempfile.gettempdir()
    if os.name == "nt":
        directory = os.path.join(temp_dir, "_microflask-jinja2-cache")
        os.makedirs(directory, exist_ok=True)
        return directory
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        raise RuntimeError(
            "Cannot determine a safe temp directory for the bytecode cache;"
            " pass a directory explicitly."
        )
    uid = getuid()
    directory = os.path.join(temp_dir, "_microflask-jinja2-cache-%d" % uid)
    try:
        os.mkdir(directory, stat.S_IRWXU)
    except FileExistsError:
        pass

    def is_owned_directory(info: os.stat_result) -> bool:
        return stat.S_ISDIR(info.st_mode) and info.st_uid == uid

    info = os.lstat(directory)
    if is_owned_directory(info) and stat.S_IMODE(info.st_mode) != stat.S_IRWXU:
        os.chmod(directory, stat.S_IRWXU)
        info = os.lstat(directory)
    if not is_owned_directory(info) or stat.S_IMODE(info.st_mode) != stat.S_IRWXU:
        raise RuntimeError(
            "Cannot determine a safe temp directory for the bytecode cache"
            " (%r is not a private directory of this user); pass a directory"
            " explicitly." % directory
        )
    return directory


class FileSystemBytecodeCache(BytecodeCache):
    """Store compiled templates as files in ``directory``.

    Each template is one file named ``pattern % key``; several caches can
    share a directory with different patterns.  Without a directory, a
    private per-user directory under the system temp directory is used
    (created when the cache is created, never on import).  Files are written
    to a temporary name and renamed, so a reader never sees half a file.
    :meth:`clear` removes the files matching the pattern.

    >>> bcc = FileSystemBytecodeCache('/tmp/jinja_cache', '%s.cache')
    """

    def __init__(self, directory: str | None = None, pattern: str = "__jinja2_%s.cache") -> None:
        if directory is None:
            directory = _default_bytecode_cache_dir()
        self.directory = directory
        self.pattern = pattern

    def _get_cache_filename(self, bucket: Bucket) -> str:
        return os.path.join(self.directory, self.pattern % (bucket.key,))

    def load_bytecode(self, bucket: Bucket) -> None:
        # Open without checking first: the file may go away in between.
        try:
            cache_file = open(self._get_cache_filename(bucket), "rb")
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return
        with cache_file:
            bucket.load_bytecode(cache_file)

    def dump_bytecode(self, bucket: Bucket) -> None:
        import tempfile

        filename = self._get_cache_filename(bucket)
        descriptor, temporary = tempfile.mkstemp(
            suffix=".tmp",
            prefix=os.path.basename(filename),
            dir=os.path.dirname(filename),
        )

        def remove_temporary() -> None:
            try:
                os.remove(temporary)
            except OSError:
                pass  # cleared meanwhile, or held open by another program

        try:
            with os.fdopen(descriptor, "wb") as out:
                bucket.write_bytecode(out)
        except BaseException:
            remove_temporary()
            raise
        try:
            os.replace(temporary, filename)
        except OSError:
            # Another process cleared the directory, or (on Windows) holds
            # the file open: this entry is simply not stored.
            remove_temporary()
        except BaseException:
            remove_temporary()
            raise

    def clear(self) -> None:
        from fnmatch import fnmatch

        wanted = self.pattern % ("*",)
        for entry in os.listdir(self.directory):
            if fnmatch(entry, wanted):
                try:
                    os.remove(os.path.join(self.directory, entry))
                except OSError:
                    pass


class MemcachedBytecodeCache(BytecodeCache):
    """Store compiled templates in memcached (or anything with its API).

    ``client`` needs ``get(key)`` (``None`` when missing) and
    ``set(key, value[, timeout])`` with bytes values: python-memcached,
    pymemcache, cachelib's caches...  Keys are ``prefix + key``; ``timeout``
    is passed to ``set`` when given.  With ``ignore_memcache_errors`` (the
    default) a failing client is treated as an empty cache.  :meth:`clear`
    does nothing.
    """

    def __init__(
        self,
        client: t.Any,
        prefix: str = "jinja2/bytecode/",
        timeout: int | None = None,
        ignore_memcache_errors: bool = True,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.timeout = timeout
        self.ignore_memcache_errors = ignore_memcache_errors

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            value = self.client.get(self.prefix + bucket.key)
        except Exception:
            if not self.ignore_memcache_errors:
                raise
            return
        if value:
            bucket.bytecode_from_string(value)

    def dump_bytecode(self, bucket: Bucket) -> None:
        arguments: list[t.Any] = [self.prefix + bucket.key, bucket.bytecode_to_string()]
        if self.timeout is not None:
            arguments.append(self.timeout)
        try:
            self.client.set(*arguments)
        except Exception:
            if not self.ignore_memcache_errors:
                raise
