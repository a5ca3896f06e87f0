"""Template loaders of microflask.templating.loaders.

Loaders are exercised through ``get_source``/``list_templates`` directly and
through ``load`` with a small recording environment, so these tests do not
depend on the compiler.
"""

import hashlib
import os
import pathlib
import sys
import time
import zipfile

import pytest

from microflask.templating.exceptions import TemplateNotFound
from microflask.templating.loaders import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    FunctionLoader,
    ModuleLoader,
    PackageLoader,
    PrefixLoader,
    split_template_path,
)


class RecordingTemplate:
    def __init__(self, environment, code, globals, uptodate):
        self.environment = environment
        self.code = code
        self.globals = globals
        self.uptodate = uptodate

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        return cls(environment, code, globals, uptodate)


class RecordingEnvironment:
    """Compiles by recording what it was asked to compile."""

    template_class = RecordingTemplate
    bytecode_cache = None

    def compile(self, source, name=None, filename=None):
        return ("compiled", source, name, filename)


@pytest.fixture()
def template_dirs(tmp_path):
    first = tmp_path / "first"
    second = tmp_path / "second"
    (first / "sub").mkdir(parents=True)
    second.mkdir()
    (first / "index.html").write_text("first index", encoding="utf-8")
    (first / "sub" / "page.txt").write_text("sub page ü", encoding="utf-8")
    (second / "index.html").write_text("second index", encoding="utf-8")
    (second / "only.html").write_text("only in second", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    return first, second


# -- split_template_path ------------------------------------------------------------


def test_split_template_path_drops_empty_and_dot_segments():
    assert split_template_path("a/./b//c.html") == ["a", "b", "c.html"]
    assert split_template_path("/a.html") == ["a.html"]


@pytest.mark.parametrize(
    "name", ["../x", "a/../../x", "..", "a\\..\\x", "C:/x", "c:x", "a\x00b", "a/\\x"]
)
def test_split_template_path_refuses_escapes(name):
    with pytest.raises(TemplateNotFound):
        split_template_path(name)


# -- BaseLoader --------------------------------------------------------------------------


def test_base_loader_defaults():
    loader = BaseLoader()
    assert loader.has_source_access is True
    with pytest.raises(TemplateNotFound):
        loader.get_source(None, "x")
    with pytest.raises(TypeError, match="this loader cannot iterate over all templates"):
        loader.list_templates()


def test_base_loader_without_source_access():
    class CodeOnly(BaseLoader):
        has_source_access = False

    with pytest.raises(RuntimeError, match="CodeOnly cannot provide access to the source"):
        CodeOnly().get_source(None, "x")


def test_load_compiles_and_builds_template():
    loader = DictLoader({"a.html": "hello"})
    template = loader.load(RecordingEnvironment(), "a.html", {"g": 1})
    assert template.code == ("compiled", "hello", "a.html", None)
    assert template.globals == {"g": 1}
    assert template.uptodate() is True
    assert loader.load(RecordingEnvironment(), "a.html").globals == {}


def test_load_uses_bytecode_cache():
    class Bucket:
        code = None

    class Cache:
        def __init__(self):
            self.bucket = Bucket()
            self.stored = []

        def get_bucket(self, environment, name, filename, source):
            return self.bucket

        def set_bucket(self, bucket):
            self.stored.append(bucket.code)

    environment = RecordingEnvironment()
    environment.bytecode_cache = Cache()
    loader = DictLoader({"a": "src"})
    loader.load(environment, "a")
    assert environment.bytecode_cache.stored == [("compiled", "src", "a", None)]
    environment.bytecode_cache.bucket.code = "cached"
    assert loader.load(environment, "a").code == "cached"


# -- FileSystemLoader -------------------------------------------------------------------


def test_filesystem_loader_finds_first_match(template_dirs):
    first, second = template_dirs
    loader = FileSystemLoader([str(first), second])
    source, filename, uptodate = loader.get_source(None, "index.html")
    assert source == "first index"
    assert filename == os.path.normpath(str(first / "index.html"))
    assert uptodate() is True
    assert loader.get_source(None, "only.html")[0] == "only in second"
    assert loader.get_source(None, "sub/page.txt")[0] == "sub page ü"
    assert loader.get_source(None, "./sub//page.txt")[0] == "sub page ü"


def test_filesystem_loader_accepts_single_pathlike(template_dirs):
    first, _ = template_dirs
    loader = FileSystemLoader(pathlib.Path(first))
    assert loader.searchpath == [str(first)]
    assert loader.get_source(None, "index.html")[0] == "first index"


def test_filesystem_loader_uptodate_follows_mtime(template_dirs):
    first, _ = template_dirs
    loader = FileSystemLoader(first)
    _, filename, uptodate = loader.get_source(None, "index.html")
    later = time.time() + 10
    os.utime(filename, (later, later))
    assert uptodate() is False
    os.remove(filename)
    assert uptodate() is False


def test_filesystem_loader_not_found_message(template_dirs):
    first, second = template_dirs
    with pytest.raises(TemplateNotFound) as info:
        FileSystemLoader(str(first)).get_source(None, "nope.html")
    assert str(info.value) == "'nope.html' not found in search path: %r" % str(first)
    assert info.value.name == "nope.html"
    with pytest.raises(TemplateNotFound) as info:
        FileSystemLoader([str(first), str(second)]).get_source(None, "nope.html")
    assert "search paths: %r, %r" % (str(first), str(second)) in str(info.value)


@pytest.mark.parametrize("name", ["../secret.txt", "sub/../../secret.txt", "..\\secret.txt"])
def test_filesystem_loader_refuses_traversal(template_dirs, name):
    first, _ = template_dirs
    with pytest.raises(TemplateNotFound):
        FileSystemLoader(first).get_source(None, name)


def test_filesystem_loader_refuses_directories(template_dirs):
    first, _ = template_dirs
    with pytest.raises(TemplateNotFound):
        FileSystemLoader(first).get_source(None, "sub")


def test_filesystem_loader_encoding(tmp_path):
    (tmp_path / "l1.txt").write_bytes("café".encode("latin-1"))
    loader = FileSystemLoader(tmp_path, encoding="latin-1")
    assert loader.get_source(None, "l1.txt")[0] == "café"


def test_filesystem_loader_list_templates(template_dirs):
    first, second = template_dirs
    loader = FileSystemLoader([first, second])
    assert loader.list_templates() == ["index.html", "only.html", "sub/page.txt"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_filesystem_loader_followlinks(template_dirs, tmp_path):
    first, second = template_dirs
    try:
        os.symlink(second, first / "linked")
    except OSError:
        pytest.skip("cannot create symlinks here")
    assert "linked/only.html" not in FileSystemLoader(first).list_templates()
    assert "linked/only.html" in FileSystemLoader(first, followlinks=True).list_templates()


# -- PackageLoader -------------------------------------------------------------------------


def _forget_package(name):
    for module_name in list(sys.modules):
        if module_name == name or module_name.startswith(name + "."):
            del sys.modules[module_name]


def test_package_loader_on_disk(tmp_path, monkeypatch):
    package = tmp_path / "mf_disk_pkg"
    (package / "templates" / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "templates" / "a.html").write_text("disk a", encoding="utf-8")
    (package / "templates" / "sub" / "b.html").write_text("disk b", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        loader = PackageLoader("mf_disk_pkg")
        source, filename, uptodate = loader.get_source(None, "a.html")
        assert source == "disk a"
        assert filename == os.path.normpath(str(package / "templates" / "a.html"))
        assert uptodate() is True
        assert loader.get_source(None, "sub/b.html")[0] == "disk b"
        assert loader.list_templates() == ["a.html", "sub/b.html"]
        with pytest.raises(TemplateNotFound):
            loader.get_source(None, "missing.html")
        with pytest.raises(TemplateNotFound):
            loader.get_source(None, "../__init__.py")
        assert PackageLoader("mf_disk_pkg", "./templates/").get_source(None, "a.html")[0] == (
            "disk a"
        )
        assert PackageLoader("mf_disk_pkg", ".").get_source(None, "templates/a.html")[0] == (
            "disk a"
        )
        with pytest.raises(ValueError, match="could not find a 'no_such_dir' directory"):
            PackageLoader("mf_disk_pkg", "no_such_dir")
    finally:
        _forget_package("mf_disk_pkg")


def test_package_loader_inside_zip(tmp_path, monkeypatch):
    archive_path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("mf_zip_pkg/__init__.py", "")
        archive.writestr("mf_zip_pkg/templates/a.html", "zipped a ü".encode("utf-8"))
        archive.writestr("mf_zip_pkg/templates/sub/b.html", "zipped b")
        archive.writestr("mf_zip_pkg/other.txt", "not a template")
    monkeypatch.syspath_prepend(str(archive_path))
    try:
        loader = PackageLoader("mf_zip_pkg")
        source, filename, uptodate = loader.get_source(None, "a.html")
        assert source == "zipped a ü"
        assert filename.endswith(os.path.join("mf_zip_pkg", "templates", "a.html"))
        assert uptodate is None
        assert loader.get_source(None, "sub/b.html")[0] == "zipped b"
        assert loader.list_templates() == ["a.html", "sub/b.html"]
        with pytest.raises(TemplateNotFound):
            loader.get_source(None, "missing.html")
        template = loader.load(RecordingEnvironment(), "a.html")
        assert template.code[1] == "zipped a ü"
    finally:
        _forget_package("mf_zip_pkg")


def test_package_loader_unknown_package():
    with pytest.raises(ImportError):
        PackageLoader("mf_no_such_package_anywhere")


# -- DictLoader, FunctionLoader ---------------------------------------------------------


def test_dict_loader():
    mapping = {"b.html": "B", "a.html": "A"}
    loader = DictLoader(mapping)
    source, filename, uptodate = loader.get_source(None, "a.html")
    assert (source, filename) == ("A", None)
    assert uptodate() is True
    mapping["a.html"] = "changed"
    assert uptodate() is False
    assert loader.list_templates() == ["a.html", "b.html"]
    with pytest.raises(TemplateNotFound):
        loader.get_source(None, "c.html")


def test_function_loader_forms():
    def load(name):
        if name == "str":
            return "plain"
        if name == "tuple":
            return "full", "/virtual/tuple", lambda: True
        return None

    loader = FunctionLoader(load)
    assert loader.get_source(None, "str") == ("plain", None, None)
    source, filename, uptodate = loader.get_source(None, "tuple")
    assert (source, filename, uptodate()) == ("full", "/virtual/tuple", True)
    with pytest.raises(TemplateNotFound):
        loader.get_source(None, "other")
    with pytest.raises(TypeError):
        loader.list_templates()


# -- PrefixLoader, ChoiceLoader -----------------------------------------------------------


def test_prefix_loader():
    loader = PrefixLoader(
        {"app": DictLoader({"index.html": "app index"}), "admin": DictLoader({"x": "X"})}
    )
    assert loader.get_source(None, "app/index.html")[0] == "app index"
    assert loader.get_loader("admin/x")[1] == "x"
    assert loader.list_templates() == ["app/index.html", "admin/x"]
    for name in ("nope/index.html", "app/missing.html", "noprefix"):
        with pytest.raises(TemplateNotFound) as info:
            loader.get_source(None, name)
        assert info.value.name == name
    assert loader.load(RecordingEnvironment(), "admin/x").code[2] == "x"
    with pytest.raises(TemplateNotFound) as info:
        loader.load(RecordingEnvironment(), "admin/y")
    assert info.value.name == "admin/y"


def test_prefix_loader_custom_delimiter():
    loader = PrefixLoader({"app": DictLoader({"a": "A"})}, delimiter=":")
    assert loader.get_source(None, "app:a")[0] == "A"
    assert loader.list_templates() == ["app:a"]


def test_choice_loader():
    loader = ChoiceLoader([DictLoader({"a": "first a"}), DictLoader({"a": "2a", "b": "2b"})])
    assert loader.get_source(None, "a")[0] == "first a"
    assert loader.get_source(None, "b")[0] == "2b"
    assert loader.list_templates() == ["a", "b"]
    assert loader.load(RecordingEnvironment(), "b").code[1] == "2b"
    with pytest.raises(TemplateNotFound) as info:
        loader.get_source(None, "c")
    assert info.value.name == "c"
    with pytest.raises(TemplateNotFound):
        loader.load(RecordingEnvironment(), "c")


# -- with the real environment ---------------------------------------------------------


def real_environment(**options):
    environment_module = pytest.importorskip("microflask.templating.environment")
    return environment_module.Environment(**options)


def test_environment_renders_from_filesystem_and_reloads(template_dirs):
    first, second = template_dirs
    (first / "page.html").write_text("{{ x }}|{% include 'only.html' %}", encoding="utf-8")
    env = real_environment(loader=FileSystemLoader([first, second]))
    assert env.get_template("page.html").render(x=1) == "1|only in second"
    template = env.get_template("page.html")
    assert env.get_template("page.html") is template
    (first / "page.html").write_text("changed {{ x }}", encoding="utf-8")
    later = time.time() + 10
    os.utime(first / "page.html", (later, later))
    assert env.get_template("page.html").render(x=2) == "changed 2"
    assert "sub/page.txt" in env.list_templates()
    with pytest.raises(TemplateNotFound):
        env.get_template("../secret.txt")


def test_environment_with_prefix_choice_and_function_loaders():
    loader = ChoiceLoader(
        [
            PrefixLoader({"p": DictLoader({"a.html": "P{{ 1 + 1 }}"})}),
            FunctionLoader(lambda name: "F:" + name if name.startswith("f") else None),
        ]
    )
    env = real_environment(loader=loader)
    assert env.get_template("p/a.html").render() == "P2"
    assert env.get_template("fun").render() == "F:fun"
    with pytest.raises(TemplateNotFound):
        env.get_template("nothing")


def test_environment_renders_from_zipped_package(tmp_path, monkeypatch):
    archive_path = tmp_path / "site.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("mf_zip_site/__init__.py", "")
        archive.writestr("mf_zip_site/templates/base.html", "<h1>{{ title|upper }}</h1>")
    monkeypatch.syspath_prepend(str(archive_path))
    try:
        env = real_environment(loader=PackageLoader("mf_zip_site"))
        assert env.get_template("base.html").render(title="hi") == "<h1>HI</h1>"
        # No uptodate callable: the cached template is simply reused.
        assert env.get_template("base.html") is env.get_template("base.html")
    finally:
        _forget_package("mf_zip_site")


def _write_compiled_templates(env, templates, target_dir):
    for name, source in templates.items():
        python_source = env.compile(source, name, raw=True)
        (target_dir / ModuleLoader.get_module_filename(name)).write_text(
            python_source, encoding="utf-8"
        )


def test_module_loader_names():
    assert ModuleLoader.get_template_key("a.html") == (
        "tmpl_" + hashlib.sha1(b"a.html").hexdigest()
    )
    assert ModuleLoader.get_module_filename("a.html").endswith(".py")
    assert ModuleLoader.has_source_access is False
    with pytest.raises(RuntimeError):
        ModuleLoader([]).get_source(None, "a.html")


def test_module_loader_from_directory_and_zip(tmp_path):
    compiler_env = real_environment()
    templates = {
        "base.html": "<{% block body %}base{% endblock %}>",
        "page.html": "{% extends 'base.html' %}{% block body %}{{ x|upper }}{% endblock %}",
        "inc.html": "[{% include 'base.html' %}]",
    }
    compiled_dir = tmp_path / "compiled"
    compiled_dir.mkdir()
    _write_compiled_templates(compiler_env, templates, compiled_dir)
    env = real_environment(loader=ModuleLoader(compiled_dir))
    assert env.get_template("page.html").render(x="hi") == "<HI>"
    assert env.get_template("inc.html").render() == "[<base>]"
    with pytest.raises(TemplateNotFound):
        env.get_template("missing.html")

    archive_path = tmp_path / "compiled.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for module_file in compiled_dir.iterdir():
            archive.write(module_file, module_file.name)
    env = real_environment(
        loader=ChoiceLoader([ModuleLoader([str(tmp_path / "empty"), archive_path]),
                             DictLoader({"d.html": "dict"})])
    )
    assert env.get_template("inc.html").render() == "[<base>]"
    assert env.get_template("d.html").render() == "dict"


def test_compile_templates_feeds_module_loader(tmp_path):
    env = real_environment(
        loader=DictLoader({"a.html": "A{{ 1 + 1 }}", "b.txt": "B", "bad.html": "{% if %}"})
    )
    log = []
    folder = tmp_path / "compiled"
    env.compile_templates(folder, zip=None, log_function=log.append)
    archive = tmp_path / "compiled.zip"
    env.compile_templates(archive, zip="stored", extensions=["html"])
    assert log[0] == "Compiling into folder %r" % str(folder)
    assert 'Compiled "a.html" as %s' % ModuleLoader.get_module_filename("a.html") in log
    assert any(line.startswith('Could not compile "bad.html": ') for line in log)
    assert log[-1] == "Finished compiling templates"
    with zipfile.ZipFile(archive) as opened:
        assert opened.namelist() == [ModuleLoader.get_module_filename("a.html")]
    for where in (folder, pathlib.Path(archive)):
        compiled_env = real_environment(loader=ModuleLoader(where))
        assert compiled_env.get_template("a.html").render() == "A2"
    with pytest.raises(Exception, match="Expected an expression"):
        env.compile_templates(tmp_path / "strict", zip=None, ignore_errors=False)
    with pytest.raises(ValueError):
        env.compile_templates(tmp_path / "x.zip", zip="bzip")


def test_module_loader_registers_a_package_module_while_alive(tmp_path):
    import gc

    loader = ModuleLoader([tmp_path])
    name = loader.module.__name__
    assert sys.modules[name] is loader.module
    assert loader.module.__path__ == [str(tmp_path)]
    del loader
    gc.collect()
    assert name not in sys.modules
