"""Where templates come from (what Jinja calls ``jinja2.loaders``).

A loader turns a template name into its source text: from directories
(:class:`FileSystemLoader`), from a Python package even inside a zip file
(:class:`PackageLoader`), from a dict, a function, or by combining other
loaders.  ``load`` then asks the environment to compile the source;
:class:`ModuleLoader` instead loads templates compiled ahead of time.
"""

from __future__ import annotations

import os
import posixpath
import re
import typing as t
from collections import abc

from microflask.templating.exceptions import TemplateNotFound

__all__ = [
    "split_template_path",
    "BaseLoader",
    "FileSystemLoader",
    "PackageLoader",
    "DictLoader",
    "FunctionLoader",
    "PrefixLoader",
    "ChoiceLoader",
    "ModuleLoader",
]

SourceTriple = tuple[str, t.Optional[str], t.Optional[t.Callable[[], bool]]]

# "C:" as a first segment would make os.path.join() on Windows drop the
# search path; refused everywhere so behaviour does not depend on the OS.
_TEMPLATE_DRIVE_SEGMENT = re.compile(r"^[A-Za-z]:")


def split_template_path(template: str) -> list[str]:
    """Split a ``/``-separated template name into path segments.

    Empty and ``.`` segments are dropped.  A name that could reach outside the
    search path (``..``, backslashes or other OS separators, a drive letter,
    a NUL byte) raises :class:`TemplateNotFound`.
    """
    if "\x00" in template or "\\" in template:
        raise TemplateNotFound(template)
    segments = []
    for segment in template.split("/"):
        if (
            segment == ".."
            or os.path.sep in segment
            or (os.path.altsep and os.path.altsep in segment)
        ):
            raise TemplateNotFound(template)
        if segment and segment != ".":
            if not segments and _TEMPLATE_DRIVE_SEGMENT.match(segment):
                raise TemplateNotFound(template)
            segments.append(segment)
    return segments


class BaseLoader:
    """Base class for loaders: subclasses override :meth:`get_source`.

    ``get_source`` returns ``(source, filename, uptodate)``: the template's
    text, the file it came from (or ``None``), and a callable that tells
    whether a cached compiled template is still current (or ``None``).
    """

    #: Whether :meth:`get_source` can work; loaders that only hand out
    #: compiled code set this to ``False``.
    has_source_access = True

    def get_source(self, environment: t.Any, template: str) -> SourceTriple:
        """Find ``template`` and return ``(source, filename, uptodate)``."""
        if not self.has_source_access:
            raise RuntimeError("%s cannot provide access to the source" % type(self).__name__)
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        """The sorted names of every template this loader can find."""
        raise TypeError("this loader cannot iterate over all templates")

    def load(
        self,
        environment: t.Any,
        name: str,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> t.Any:
        """Get the source, compile it (through the bytecode cache if the
        environment has one) and return a template object."""
        if globals is None:
            globals = {}
        source, filename, uptodate = self.get_source(environment, name)
        bytecode_cache = getattr(environment, "bytecode_cache", None)
        code = None
        bucket = None
        if bytecode_cache is not None:
            bucket = bytecode_cache.get_bucket(environment, name, filename, source)
            code = bucket.code
        if code is None:
            code = environment.compile(source, name, filename)
            if bucket is not None and bucket.code is None:
                bucket.code = code
                bytecode_cache.set_bucket(bucket)
        return environment.template_class.from_code(environment, code, globals, uptodate)


def _loader_search_paths(paths: t.Any) -> list[str]:
    if not isinstance(paths, abc.Iterable) or isinstance(paths, (str, bytes)):
        paths = [paths]
    return [os.fspath(path) for path in paths]


def _loader_mtime_checker(filename: str) -> t.Callable[[], bool]:
    """A callable that stays true while the file's modification time holds."""
    mtime = os.path.getmtime(filename)

    def uptodate() -> bool:
        try:
            return os.path.getmtime(filename) == mtime
        except OSError:
            return False

    return uptodate


def _zip_archive_holding(path: str) -> str | None:
    """The zip file a path points inside (``app.zip/pkg/templates``), if any."""
    head = os.path.abspath(path)
    while True:
        if os.path.isfile(head):
            import zipfile

            return head if zipfile.is_zipfile(head) else None
        parent = os.path.dirname(head)
        if parent == head:
            return None
        head = parent


class FileSystemLoader(BaseLoader):
    """Load templates from one or more directories, searched in order.

    ``searchpath`` is a path or a list of paths (str or ``os.PathLike``).
    """

    def __init__(
        self,
        searchpath: str | os.PathLike[str] | t.Sequence[str | os.PathLike[str]],
        encoding: str = "utf-8",
        followlinks: bool = False,
    ) -> None:
        self.searchpath = _loader_search_paths(searchpath)
        self.encoding = encoding
        self.followlinks = followlinks

    def get_source(self, environment: t.Any, template: str) -> SourceTriple:
        segments = split_template_path(template)
        for directory in self.searchpath:
            # posixpath.join keeps "/" in template names on every OS.
            filename = posixpath.join(directory, *segments)
            if os.path.isfile(filename):
                break
        else:
            plural = "path" if len(self.searchpath) == 1 else "paths"
            shown = ", ".join(repr(path) for path in self.searchpath)
            message = "%r not found in search %s: %s" % (template, plural, shown)
            archive = next(filter(None, map(_zip_archive_holding, self.searchpath)), None)
            if archive is not None:
                message += (
                    ". The templates are inside the zip file %r, which FileSystemLoader cannot"
                    " read: load them with PackageLoader (a Flask app: jinja_loader ="
                    " PackageLoader('your_package'))" % archive
                )
            raise TemplateNotFound(template, message)
        with open(filename, encoding=self.encoding) as source_file:
            source = source_file.read()
        return source, os.path.normpath(filename), _loader_mtime_checker(filename)

    def list_templates(self) -> list[str]:
        found = set()
        for directory in self.searchpath:
            for dirpath, _, filenames in os.walk(directory, followlinks=self.followlinks):
                for filename in filenames:
                    relative = os.path.join(dirpath, filename)[len(directory) :]
                    name = relative.strip(os.path.sep).replace(os.path.sep, "/")
                    if name[:2] == "./":
                        name = name[2:]
                    found.add(name)
        return sorted(found)


class PackageLoader(BaseLoader):
    """Load templates from a directory inside an importable package.

    Works for packages on disk and for packages imported from a zip file.
    """

    def __init__(
        self,
        package_name: str,
        package_path: str = "templates",
        encoding: str = "utf-8",
    ) -> None:
        import importlib.util
        import zipimport
        from importlib import import_module

        package_path = os.path.normpath(package_path).rstrip(os.path.sep)
        if package_path == os.path.curdir:
            package_path = ""
        elif package_path[:2] == os.path.curdir + os.path.sep:
            package_path = package_path[2:]
        self.package_path = package_path
        self.package_name = package_name
        self.encoding = encoding

        # Importing first makes sure namespace packages and zip imports are
        # set up before the spec is inspected.
        package = import_module(package_name)
        spec = importlib.util.find_spec(package_name)
        if spec is None:
            raise ValueError("The %r package could not be found." % package_name)
        loader = spec.loader
        self._loader = loader
        self._archive: str | None = None
        template_root = None
        if isinstance(loader, zipimport.zipimporter):
            self._archive = loader.archive
            package_dir = next(iter(spec.submodule_search_locations or ()), None)
            if package_dir is None:
                package_dir = os.path.dirname(spec.origin or "")
            template_root = os.path.join(package_dir, package_path).rstrip(os.path.sep)
        else:
            roots: list[str] = []
            if spec.submodule_search_locations:
                roots.extend(spec.submodule_search_locations)
            elif spec.origin is not None:
                roots.append(os.path.dirname(spec.origin))
            if not roots:
                # A module aliased under another name: ask the module itself.
                roots.extend(getattr(package, "__path__", ()) or ())
                if not roots and getattr(package, "__file__", None):
                    roots.append(os.path.dirname(package.__file__))
            for root in roots:
                candidate = os.path.join(root, package_path)
                if os.path.isdir(candidate):
                    template_root = candidate
                    break
            else:
                if roots:
                    raise ValueError(
                        "PackageLoader could not find a %r directory in the %r package."
                        % (package_path, package_name)
                    )
        if template_root is None:
            raise ValueError(
                "The %r package was not installed in a way that PackageLoader understands."
                % package_name
            )
        self._template_root = template_root

    def get_source(self, environment: t.Any, template: str) -> SourceTriple:
        path = os.path.normpath(
            posixpath.join(self._template_root, *split_template_path(template))
        )
        uptodate: t.Callable[[], bool] | None
        if self._archive is None:
            if not os.path.isfile(path):
                raise TemplateNotFound(template)
            with open(path, "rb") as source_file:
                data = source_file.read()
            mtime = os.path.getmtime(path)

            def uptodate() -> bool:
                return os.path.isfile(path) and os.path.getmtime(path) == mtime

        else:
            try:
                data = self._loader.get_data(path)  # type: ignore[union-attr]
            except OSError as error:
                raise TemplateNotFound(template) from error
            # A zip file does not change while it is imported from.
            uptodate = None
        return data.decode(self.encoding), path, uptodate

    def list_templates(self) -> list[str]:
        if self._archive is None:
            root = self._template_root
            found = []
            for dirpath, _, filenames in os.walk(root):
                relative_dir = dirpath[len(root) :].lstrip(os.path.sep)
                found.extend(
                    os.path.join(relative_dir, name).replace(os.path.sep, "/")
                    for name in filenames
                )
            found.sort()
            return found
        import zipfile

        inside = self._template_root[len(self._archive) :].lstrip(os.path.sep)
        prefix = inside.replace(os.path.sep, "/").rstrip("/") + "/"
        with zipfile.ZipFile(self._archive) as archive:
            names = [
                member[len(prefix) :]
                for member in archive.namelist()
                if member.startswith(prefix) and not member.endswith("/")
            ]
        names.sort()
        return names


class DictLoader(BaseLoader):
    """Load templates from a dict of name -> source (handy in tests)."""

    def __init__(self, mapping: t.Mapping[str, str]) -> None:
        self.mapping = mapping

    def get_source(self, environment: t.Any, template: str) -> SourceTriple:
        if template in self.mapping:
            source = self.mapping[template]
            return source, None, lambda: source == self.mapping.get(template)
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        return sorted(self.mapping)


class FunctionLoader(BaseLoader):
    """Load templates by calling a function with the name.

    The function returns the source string, a ``(source, filename,
    uptodate)`` tuple, or ``None`` when there is no such template.
    """

    def __init__(self, load_func: t.Callable[[str], t.Any]) -> None:
        self.load_func = load_func

    def get_source(self, environment: t.Any, template: str) -> SourceTriple:
        result = self.load_func(template)
        if result is None:
            raise TemplateNotFound(template)
        if isinstance(result, str):
            return result, None, None
        return result


class PrefixLoader(BaseLoader):
    """Pick a loader by the name's prefix: ``"app/index.html"`` asks the
    loader under ``"app"`` for ``"index.html"``."""

    def __init__(self, mapping: t.Mapping[str, BaseLoader], delimiter: str = "/") -> None:
        self.mapping = mapping
        self.delimiter = delimiter

    def get_loader(self, template: str) -> tuple[BaseLoader, str]:
        """The loader responsible for ``template`` and the name it knows it by."""
        try:
            prefix, name = template.split(self.delimiter, 1)
            loader = self.mapping[prefix]
        except (ValueError, KeyError) as error:
            raise TemplateNotFound(template) from error
        return loader, name

    def get_source(self, environment: t.Any, template: str) -> SourceTriple:
        loader, name = self.get_loader(template)
        try:
            return loader.get_source(environment, name)
        except TemplateNotFound as error:
            # Report the full name, not the prefix-less one.
            raise TemplateNotFound(template) from error

    def load(
        self,
        environment: t.Any,
        name: str,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> t.Any:
        loader, local_name = self.get_loader(name)
        try:
            return loader.load(environment, local_name, globals)
        except TemplateNotFound as error:
            raise TemplateNotFound(name) from error

    def list_templates(self) -> list[str]:
        names = []
        for prefix, loader in self.mapping.items():
            for template in loader.list_templates():
                names.append(prefix + self.delimiter + template)
        return names


class ChoiceLoader(BaseLoader):
    """Try several loaders in order; the first that finds the name wins."""

    def __init__(self, loaders: t.Sequence[BaseLoader]) -> None:
        self.loaders = loaders

    def get_source(self, environment: t.Any, template: str) -> SourceTriple:
        for loader in self.loaders:
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                pass
        raise TemplateNotFound(template)

    def load(
        self,
        environment: t.Any,
        name: str,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> t.Any:
        for loader in self.loaders:
            try:
                return loader.load(environment, name, globals)
            except TemplateNotFound:
                pass
        raise TemplateNotFound(name)

    def list_templates(self) -> list[str]:
        found = set()
        for loader in self.loaders:
            found.update(loader.list_templates())
        return sorted(found)



class ModuleLoader(BaseLoader):
    """Load templates that were compiled ahead of time to Python modules.

    Each template ``name`` is the file ``tmpl_<sha1 of name>.py`` in one of
    the given directories or zip files; the file holds the Python source the
    environment's compiler produced (``environment.compile(..., raw=True)``).
    Unlike Jinja, the module is executed in the environment's template
    namespace instead of being imported, because compiled templates here take
    their runtime names from that namespace.
    """

    has_source_access = False

    def __init__(self, path: t.Any) -> None:
        import sys
        import types
        import weakref

        self.paths = _loader_search_paths(path)
        # Like Jinja, a package module named after this loader stands for the
        # compiled templates in sys.modules (``module.__path__`` lists the
        # search paths) and leaves sys.modules when the loader is collected.
        package_name = "_microflask_module_templates_%x" % id(self)
        module = types.ModuleType(package_name)
        module.__path__ = list(self.paths)
        sys.modules[package_name] = module
        weakref.finalize(self, sys.modules.pop, package_name, None)
        self.module = module
        self.package_name = package_name

    @staticmethod
    def get_template_key(name: str) -> str:
        """The module name a template is stored under."""
        from hashlib import sha1

        return "tmpl_" + sha1(name.encode("utf-8")).hexdigest()

    @staticmethod
    def get_module_filename(name: str) -> str:
        """The file name a template's module is stored under."""
        return ModuleLoader.get_template_key(name) + ".py"

    def _read_compiled_module(self, name: str) -> tuple[str, str]:
        module_filename = self.get_module_filename(name)
        for path in self.paths:
            if os.path.isdir(path):
                candidate = os.path.join(path, module_filename)
                if os.path.isfile(candidate):
                    with open(candidate, encoding="utf-8") as module_file:
                        return module_file.read(), candidate
            elif os.path.isfile(path):
                import zipfile

                try:
                    with zipfile.ZipFile(path) as archive:
                        data = archive.read(module_filename)
                except (KeyError, zipfile.BadZipFile):
                    continue
                return data.decode("utf-8"), os.path.join(path, module_filename)
        raise TemplateNotFound(name)

    def load(
        self,
        environment: t.Any,
        name: str,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> t.Any:
        if globals is None:
            globals = {}
        source, filename = self._read_compiled_module(name)
        code = compile(source, filename, "exec")
        # The code object (not the template, which would keep the
        # environment and this loader alive) is what the module holds.
        setattr(self.module, self.get_template_key(name), code)
        return environment.template_class.from_code(environment, code, globals, None)
