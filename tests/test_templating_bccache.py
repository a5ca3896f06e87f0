"""Bytecode caches (microflask.templating.bccache, Jinja's jinja2.bccache).

A template loaded through a loader is looked up in the environment's
``bytecode_cache`` before it is compiled; a second environment sharing the
cache runs the stored code object without compiling (counted here by an
environment that records its ``compile`` calls).  Stale, foreign or broken
entries are ignored and replaced.
"""

import hashlib
import marshal
import os
import pickle
import subprocess
import sys
import traceback

import pytest

import microflask
from microflask.templating import (
    BytecodeCache,
    DictLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    MemcachedBytecodeCache,
)
from microflask.templating.bccache import Bucket

PAGE = "first\n{% block body %}body {{ x }}{% endblock %}\n"
FAILING = "line one\nline two\n{{ 1 // x }}\n"


class CountingEnvironment(Environment):
    """An environment that records the name of every template it compiles."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compiled = []

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        self.compiled.append(name)
        return super().compile(source, name, filename, raw, defer_init)


class DictMemcacheClient:
    """memcached's minimal client interface, backed by a dict."""

    def __init__(self):
        self.data = {}
        self.set_calls = []

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, *timeout):
        self.set_calls.append((key, timeout))
        self.data[key] = value


class BrokenMemcacheClient:
    def get(self, key):
        raise ConnectionError("memcached is down")

    def set(self, key, value, *timeout):
        raise ConnectionError("memcached is down")


@pytest.fixture
def site(tmp_path):
    """A template folder and an (empty) cache folder."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(PAGE, encoding="utf-8")
    (templates / "failing.html").write_text(FAILING, encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    return templates, cache


def environment_for(site, **options):
    templates, cache = site
    options.setdefault("bytecode_cache", FileSystemBytecodeCache(str(cache)))
    return CountingEnvironment(loader=FileSystemLoader(str(templates)), **options)


def cache_files(cache):
    return sorted(p.name for p in cache.iterdir())


def only_cache_file(cache):
    (name,) = cache_files(cache)
    return cache / name


# -- the file system cache -------------------------------------------------------------


def test_second_environment_loads_from_the_cache_without_compiling(site):
    templates, cache = site
    first = environment_for(site)
    assert first.get_template("page.html").render(x=1) == "first\nbody 1"
    assert first.compiled == ["page.html"]
    filename = str(templates / "page.html")
    key = hashlib.sha1(("page.html|" + filename).encode("utf-8")).hexdigest()
    assert cache_files(cache) == ["__jinja2_%s.cache" % key]

    second = environment_for(site)
    template = second.get_template("page.html")
    assert second.compiled == []
    assert template.render(x=2) == "first\nbody 2"
    assert template.filename == filename
    assert list(template.blocks) == ["body"]


def test_a_changed_source_is_compiled_again_and_stored(site):
    templates, cache = site
    environment_for(site).get_template("page.html")
    (templates / "page.html").write_text("changed {{ x }}", encoding="utf-8")

    second = environment_for(site)
    assert second.get_template("page.html").render(x=3) == "changed 3"
    assert second.compiled == ["page.html"]
    third = environment_for(site)
    assert third.get_template("page.html").render(x=4) == "changed 4"
    assert third.compiled == []


def test_auto_reload_recompiles_a_changed_file_through_the_cache(site):
    templates, cache = site
    env = environment_for(site, auto_reload=True)
    assert env.get_template("page.html").render(x=1) == "first\nbody 1"
    path = templates / "page.html"
    path.write_text("reloaded {{ x }}", encoding="utf-8")
    later = os.path.getmtime(str(path)) + 10
    os.utime(str(path), (later, later))
    assert env.get_template("page.html").render(x=1) == "reloaded 1"
    assert env.compiled == ["page.html", "page.html"]
    # The new code replaced the old entry.
    assert len(cache_files(cache)) == 1
    fresh = environment_for(site)
    assert fresh.get_template("page.html").render(x=5) == "reloaded 5"
    assert fresh.compiled == []


def test_a_cached_template_reports_template_lines_in_tracebacks(site):
    templates, cache = site
    environment_for(site).get_template("failing.html")
    env = environment_for(site)
    template = env.get_template("failing.html")
    assert env.compiled == []
    with pytest.raises(ZeroDivisionError) as info:
        template.render(x=0)
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert tb.tb_frame.f_code.co_filename == str(templates / "failing.html")
    assert tb.tb_lineno == 3
    assert tb.tb_frame.f_code.co_name == "top-level template code"
    text = "".join(
        traceback.format_exception(type(info.value), info.value, info.value.__traceback__)
    )
    assert "failing.html\", line 3, in top-level template code" in text
    assert "{{ 1 // x }}" in text


def test_a_cached_block_reports_its_template_line(site):
    templates, _ = site
    (templates / "block.html").write_text(
        "a\n{% block main %}\nb\n{{ 1 // x }}\n{% endblock %}\n", encoding="utf-8"
    )
    environment_for(site).get_template("block.html")
    env = environment_for(site)
    template = env.get_template("block.html")
    assert env.compiled == []
    with pytest.raises(ZeroDivisionError) as info:
        template.render(x=0)
    frames = traceback.extract_tb(info.value.__traceback__)
    assert (frames[-1].name, frames[-1].lineno) == ("block 'main'", 4)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"not a cache file at all",
        lambda data: data[: len(data) // 2],
        lambda data: data[: data.index(b"\x00") + 1] + b"\xff\x00garbage",
    ],
    ids=["empty", "junk", "truncated", "garbage-after-header"],
)
def test_a_damaged_cache_file_is_ignored_and_rewritten(site, damage):
    _, cache = site
    environment_for(site).get_template("page.html")
    entry = only_cache_file(cache)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))

    env = environment_for(site)
    assert env.get_template("page.html").render(x=1) == "first\nbody 1"
    assert env.compiled == ["page.html"]
    # Rewritten whole: a fresh environment loads it without compiling.  (Not
    # byte-compared with the first file: marshal's reference flags may differ
    # between two dumps of the same code, as on Python 3.9.)
    assert entry.read_bytes() != damage(good)
    again = environment_for(site)
    assert again.get_template("page.html").render(x=2) == "first\nbody 2"
    assert again.compiled == []


def test_an_entry_written_by_another_python_is_ignored(site):
    _, cache = site
    environment_for(site).get_template("page.html")
    entry = only_cache_file(cache)
    data = entry.read_bytes()
    this_python = b"%s-%d.%d\x00" % (
        sys.implementation.name.encode("ascii"), sys.version_info[0], sys.version_info[1]
    )
    other_python = b"%s-%d.%d\x00" % (
        sys.implementation.name.encode("ascii"), sys.version_info[0], sys.version_info[1] + 1
    )
    header_end = data.index(b"\x00") + 1
    assert data[:header_end].endswith(this_python)
    entry.write_bytes(data[:header_end].replace(this_python, other_python) + data[header_end:])

    env = environment_for(site)
    assert env.get_template("page.html").render(x=1) == "first\nbody 1"
    assert env.compiled == ["page.html"]


def test_an_entry_in_jinjas_own_format_is_ignored(site):
    templates, cache = site
    environment_for(site).get_template("page.html")
    entry = only_cache_file(cache)
    # What Jinja 3.1 writes: its magic (format 5 + this Python), the
    # pickled checksum, then the marshalled code object.
    jinja_magic = (
        b"j2"
        + pickle.dumps(5, 2)
        + pickle.dumps((sys.version_info[0] << 24) | sys.version_info[1], 2)
    )
    checksum = hashlib.sha1(PAGE.encode("utf-8")).hexdigest()
    code = compile("x = 1", str(templates / "page.html"), "exec")
    entry.write_bytes(jinja_magic + pickle.dumps(checksum, 2) + marshal.dumps(code))

    env = environment_for(site)
    assert env.get_template("page.html").render(x=1) == "first\nbody 1"
    assert env.compiled == ["page.html"]


def test_pattern_and_clear(site):
    templates, cache = site
    (cache / "unrelated.txt").write_text("keep me", encoding="utf-8")
    env = environment_for(site, bytecode_cache=FileSystemBytecodeCache(str(cache), "%s.tpl"))
    env.get_template("page.html")
    env.get_template("failing.html")
    assert len([name for name in cache_files(cache) if name.endswith(".tpl")]) == 2
    env.bytecode_cache.clear()
    assert cache_files(cache) == ["unrelated.txt"]


def test_no_temporary_files_are_left_behind(site):
    _, cache = site
    env = environment_for(site)
    env.get_template("page.html")
    env.get_template("failing.html")
    assert all(name.endswith(".cache") for name in cache_files(cache))


@pytest.mark.skipif(os.name == "nt" or not hasattr(os, "getuid"), reason="POSIX permissions")
def test_default_directory_is_a_private_per_user_directory(tmp_path, monkeypatch):
    import stat
    import tempfile

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    expected = tmp_path / ("_microflask-jinja2-cache-%d" % os.getuid())
    cache = FileSystemBytecodeCache()
    assert cache.directory == str(expected)
    assert cache.pattern == "__jinja2_%s.cache"
    assert stat.S_IMODE(os.lstat(str(expected)).st_mode) == 0o700

    os.chmod(str(expected), 0o755)
    FileSystemBytecodeCache()
    assert stat.S_IMODE(os.lstat(str(expected)).st_mode) == 0o700

    expected.rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    expected.symlink_to(elsewhere)
    with pytest.raises(RuntimeError, match="pass a directory explicitly"):
        FileSystemBytecodeCache()


def _source_root():
    path = os.path.abspath(microflask.__file__)
    if os.path.basename(path) == "microflask.py":  # the single-file bundle
        return os.path.dirname(path)
    return os.path.dirname(os.path.dirname(path))


def test_importing_the_cache_writes_nothing_and_loads_no_tempfile(tmp_path):
    code = (
        "import sys; sys.path.insert(0, %r); "
        "import microflask.templating.bccache as b, microflask.templating as m; "
        "assert m.FileSystemBytecodeCache is b.FileSystemBytecodeCache; "
        "print('tempfile' in sys.modules)" % _source_root()
    )
    before = sorted(os.listdir(str(tmp_path)))
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", code],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert sorted(os.listdir(str(tmp_path))) == before


# -- memcached ---------------------------------------------------------------------------


def test_memcached_cache_round_trip():
    client = DictMemcacheClient()
    loader = DictLoader({"hello.txt": "Hello {{ name }}!"})
    first = CountingEnvironment(loader=loader, bytecode_cache=MemcachedBytecodeCache(client))
    assert first.get_template("hello.txt").render(name="a") == "Hello a!"
    key = "jinja2/bytecode/" + hashlib.sha1(b"hello.txt").hexdigest()
    assert list(client.data) == [key]
    assert client.set_calls == [(key, ())]  # no timeout argument unless one is set

    second = CountingEnvironment(loader=loader, bytecode_cache=MemcachedBytecodeCache(client))
    assert second.get_template("hello.txt").render(name="b") == "Hello b!"
    assert second.compiled == []


def test_memcached_prefix_and_timeout():
    client = DictMemcacheClient()
    cache = MemcachedBytecodeCache(client, prefix="site/", timeout=300)
    env = CountingEnvironment(loader=DictLoader({"a": "A"}), bytecode_cache=cache)
    env.get_template("a")
    assert client.set_calls == [("site/" + hashlib.sha1(b"a").hexdigest(), (300,))]
    cache.clear()  # a no-op for memcached
    assert len(client.data) == 1


def test_memcached_errors_are_ignored_unless_asked_not_to():
    loader = DictLoader({"a": "A {{ 1 + 1 }}"})
    env = Environment(loader=loader, bytecode_cache=MemcachedBytecodeCache(BrokenMemcacheClient()))
    assert env.get_template("a").render() == "A 2"
    strict = Environment(
        loader=loader,
        bytecode_cache=MemcachedBytecodeCache(BrokenMemcacheClient(), ignore_memcache_errors=False),
    )
    with pytest.raises(ConnectionError):
        strict.get_template("a")


def test_memcached_value_from_elsewhere_is_ignored():
    client = DictMemcacheClient()
    client.data["jinja2/bytecode/" + hashlib.sha1(b"a").hexdigest()] = b"something else"
    env = CountingEnvironment(
        loader=DictLoader({"a": "A"}), bytecode_cache=MemcachedBytecodeCache(client)
    )
    assert env.get_template("a").render() == "A"
    assert env.compiled == ["a"]


# -- buckets and the base class ----------------------------------------------------------


def test_bucket_round_trip_and_checksum():
    code = compile("value = 42", "<bucket>", "exec")
    bucket = Bucket(None, "key", "checksum-1")
    assert bucket.code is None
    with pytest.raises(TypeError):
        bucket.bytecode_to_string()
    bucket.code = code
    data = bucket.bytecode_to_string()

    same = Bucket(None, "key", "checksum-1")
    same.bytecode_from_string(data)
    namespace = {}
    exec(same.code, namespace)
    assert namespace["value"] == 42

    stale = Bucket(None, "key", "checksum-2")
    stale.bytecode_from_string(data)
    assert stale.code is None

    same.reset()
    assert same.code is None


def test_keys_and_checksums_are_sha1_hex_digests():
    cache = BytecodeCache()
    assert cache.get_cache_key("a.html") == hashlib.sha1(b"a.html").hexdigest()
    assert (
        cache.get_cache_key("a.html", "/t/a.html") == hashlib.sha1(b"a.html|/t/a.html").hexdigest()
    )
    assert cache.get_source_checksum("\u00e9") == hashlib.sha1("\u00e9".encode("utf-8")).hexdigest()
    with pytest.raises(NotImplementedError):
        cache.load_bytecode(Bucket(None, "k", "c"))
    with pytest.raises(NotImplementedError):
        cache.dump_bytecode(Bucket(None, "k", "c"))
    assert cache.clear() is None


def test_a_custom_cache_subclass():
    class DictBytecodeCache(BytecodeCache):
        def __init__(self):
            self.store = {}

        def load_bytecode(self, bucket):
            if bucket.key in self.store:
                bucket.bytecode_from_string(self.store[bucket.key])

        def dump_bytecode(self, bucket):
            self.store[bucket.key] = bucket.bytecode_to_string()

    cache = DictBytecodeCache()
    loader = DictLoader({"m.html": "{% macro hi(n) %}hi {{ n }}{% endmacro %}{{ hi(who) }}"})
    CountingEnvironment(loader=loader, bytecode_cache=cache).get_template("m.html")
    env = CountingEnvironment(loader=loader, bytecode_cache=cache)
    template = env.get_template("m.html")
    assert template.render(who="you") == "hi you"
    assert template.module.hi("me") == "hi me"
    assert env.compiled == []
    bucket = cache.get_bucket(env, "m.html", None, loader.mapping["m.html"])
    assert bucket.environment is env
    assert bucket.key == cache.get_cache_key("m.html")
    assert bucket.code is not None


def test_overlay_keeps_or_replaces_the_cache(site):
    env = environment_for(site)
    assert env.overlay().bytecode_cache is env.bytecode_cache
    other = MemcachedBytecodeCache(DictMemcacheClient())
    assert env.overlay(bytecode_cache=other).bytecode_cache is other
