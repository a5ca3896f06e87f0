"""The single-file bundler: writes the package as one readable module.

Flask has no counterpart; this plays the part of Bottle's ``bottle.py``
distribution.  ``python -m microflask bundle -o microflask.py [--profile core]``
(or ``python -m microflask.bundle ...``) reads the package sources, orders the
modules by their import graph (then by their layers), and writes them one after
another as sections of one file, comments and docstrings kept.

- Profiles.  ``full`` keeps every module; ``core`` keeps those that
  ``_layers.part_of`` calls core, what an app serving requests with templates,
  sessions and JSON needs, and leaves out the tools and compat parts.  From a
  core file, importing a left-out module, or using a name that needs one
  (``app.cli``, ``app.run()``, a name its package re-exports), raises an
  ImportError naming the module and the command that writes the full file.
- Imports between the package's own modules become ``_bundle_require(module)``
  (which runs that module's section, the way an import runs a module) and plain
  assignments; names that would mean two things in one namespace (stdlib
  ``json`` and ``microflask.json``, two modules' ``SecurityError``, a class
  named like the builtin ``NotImplemented``) are renamed in that section.
- A section is the module's source, so rewritten, kept as a string literal
  under its banner.  It is compiled (under the file's name, with its lines
  numbered as in the file, for tracebacks and linecache) and run in the file's
  one namespace the first time its module is used; it ends by handing its
  names to a module object (``microflask.templating``...) registered in
  ``sys.modules``, so every import path of the package keeps working.
  ``import microflask`` itself runs no section: the package's names are found
  through a module ``__getattr__`` that runs the package's own section.

Why text.  Where Python cannot cache bytecode (a read-only folder, a zip on
``sys.path``, ``PYTHONDONTWRITEBYTECODE``) it compiles a file at every import,
and compiling is the cost: about 0.25 ms per KB of code, while reading a string
literal costs about 1/50 of that.  Written as code, the 1.5 MB file took
0.38 s to import from a folder and 0.73 s from a zip (5.7 and 7.7 times
``bottle.py``); as text, 15 and 36 ms (the core file 12 and 29 ms, against
67 and 96 ms for ``bottle.py``: ``benchmarks/bench_import.py``).  A first
request then compiles what it uses, as the package does without
``__pycache__``.  Where Python does cache bytecode, each compiled section is
cached beside the file's own ``.pyc`` (under the same rules; checked against
Python's magic number, the file's path and the section's text), so a first
request costs what it did when the file was code.  The other way measured,
shipping compiled code (``marshal``) with a source fallback: the core file's
sections compiled are 1.5 MB (2 MB as base64); reading and loading that takes
about 25 ms where compiling them from text takes about 150 ms, so a first
request without a cache would cost about what ``bottle.py``'s does, but only on
the Python version that wrote the file, and the file would carry code nobody
can read in a file meant to be read.  Not taken.

The bundler runs none of the package's code but ``_layers.py`` (a table);
it reads the sources with ``ast`` and writes text.
"""

from __future__ import annotations

import ast
import builtins
import functools
import os
import sys
from collections.abc import Iterable, Sequence
from types import ModuleType

__all__ = [
    "BUNDLE_PROFILES", "BundleError", "build_bundle", "bundle_module_order", "main",
    "write_bundle",
]

BUNDLE_PACKAGE_NAME = "microflask"
BUNDLE_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

# Modules that only make sense as files of the source tree.
BUNDLE_EXCLUDED_MODULES = {"microflask.bundle", "microflask.__main__"}

# Names the package-names test lets every module define for itself.
BUNDLE_PER_MODULE_NAMES = {
    "__all__", "__doc__", "__version__", "__getattr__", "__dir__", "TYPE_CHECKING",
}

# The parts (``_layers.part_of``) each profile keeps: ``full`` every module,
# ``core`` only what an app serving requests needs.
BUNDLE_PROFILES: dict[str, tuple[str, ...] | None] = {
    "full": None,
    "core": ("core",),
}


class BundleError(Exception):
    """The package cannot be written as one file (a cycle, an odd import...)."""


# -- reading the package ---------------------------------------------------


class BundleSourceModule:
    """One module of the package: its dotted name, source and syntax tree."""

    def __init__(self, dotted: str, path: str, is_package: bool) -> None:
        self.dotted = dotted
        self.path = path
        self.is_package = is_package
        with open(path, encoding="utf-8") as source_file:
            self.source = source_file.read()
        self.tree = ast.parse(self.source, filename=path)
        self.lines = self.source.splitlines(keepends=True)
        # The package this module's relative imports start from.
        self.package = dotted if is_package else dotted.rpartition(".")[0]

    def __repr__(self) -> str:
        return "<BundleSourceModule %s>" % self.dotted


def find_package_modules(package_dir: str = BUNDLE_PACKAGE_DIR) -> dict[str, BundleSourceModule]:
    """Every module of the package, by dotted name (bundler files excluded)."""
    modules: dict[str, BundleSourceModule] = {}
    root = os.path.dirname(package_dir)
    for directory, subdirs, files in os.walk(package_dir):
        subdirs[:] = sorted(
            d for d in subdirs
            if d != "__pycache__" and os.path.exists(os.path.join(directory, d, "__init__.py"))
        )
        for filename in sorted(files):
            if not filename.endswith(".py"):
                continue
            path = os.path.join(directory, filename)
            parts = os.path.relpath(path, root)[:-3].split(os.sep)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            dotted = ".".join(parts)
            if dotted in BUNDLE_EXCLUDED_MODULES:
                continue
            modules[dotted] = BundleSourceModule(dotted, path, is_package)
    return modules


def load_package_layers(package_dir: str = BUNDLE_PACKAGE_DIR) -> ModuleType | None:
    """The ``_layers`` module of the package being bundled (its layers and
    parts: the one table that says which module is core, tools or compat),
    read from ``package_dir``; None when that package has no such table."""
    import importlib.util

    path = os.path.join(package_dir, "_layers.py")
    if not os.path.isfile(path):
        return None
    spec = importlib.util.spec_from_file_location("_bundle_package_layers", path)
    layers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layers)  # type: ignore[union-attr]
    return layers


def modules_in_profile(modules: Iterable[str], profile: str,
                       layers: ModuleType | None) -> set[str]:
    """The modules a profile keeps (without a ``_layers`` table, every module is core)."""
    if profile not in BUNDLE_PROFILES:
        raise BundleError("unknown profile %r (choose from %s)"
                          % (profile, ", ".join(BUNDLE_PROFILES)))
    parts = BUNDLE_PROFILES[profile]
    if parts is None:
        return set(modules)
    return {
        dotted for dotted in modules
        if (layers.part_of(dotted) if layers is not None else "core") in parts
    }


def _is_type_checking_test(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` / ``if t.TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:``."""
    if isinstance(node, ast.Name):
        return node.id == "TYPE_CHECKING"
    return isinstance(node, ast.Attribute) and node.attr == "TYPE_CHECKING"


def _is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":``."""
    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def iter_module_level_statements(body: Sequence[ast.stmt]) -> Iterable[ast.stmt]:
    """Statements that run when the module is imported, outside any def or
    class, descending into ``if``/``try``/``with`` blocks but skipping
    ``if TYPE_CHECKING:`` blocks (never run) and ``__main__`` guards."""
    for node in body:
        if isinstance(node, ast.If):
            if _is_type_checking_test(node.test) or _is_main_guard(node):
                continue
            yield from iter_module_level_statements(node.body)
            yield from iter_module_level_statements(node.orelse)
        elif isinstance(node, ast.Try):
            yield from iter_module_level_statements(node.body)
            for handler in node.handlers:
                yield from iter_module_level_statements(handler.body)
            yield from iter_module_level_statements(node.orelse)
            yield from iter_module_level_statements(node.finalbody)
        elif isinstance(node, (ast.With, ast.For, ast.While)):
            yield node
            yield from iter_module_level_statements(node.body)
            yield from iter_module_level_statements(getattr(node, "orelse", []))
        else:
            yield node


# -- what each name means ----------------------------------------------------
#
# A "target" says what a top-level name is bound to:
#   ("def", module, name)      defined by that module (def, class, assignment)
#   ("ext", module, attr)      a standard-library import (attr is None for
#                              ``import module``)
#   ("mod", dotted)            one of the package's own modules
#   ("builtin", name)          a builtin the module uses without binding it


BundleTarget = tuple


class BundleNameResolver:
    """Finds what every top-level name of every module refers to."""

    def __init__(self, modules: dict[str, BundleSourceModule]) -> None:
        self.modules = modules
        # module -> name -> raw binding (before following imports)
        self.raw_bindings: dict[str, dict[str, tuple]] = {}
        for module in modules.values():
            self.raw_bindings[module.dotted] = self._collect_bindings(module)

    # Relative and absolute intra-package import names.
    def absolute_module(self, module: BundleSourceModule, node: ast.ImportFrom) -> str:
        if node.level == 0:
            return node.module or ""
        base = module.package.split(".")
        if node.level > 1:
            base = base[: len(base) - (node.level - 1)]
        if node.module:
            base = base + node.module.split(".")
        return ".".join(base)

    @staticmethod
    def is_package_module_name(dotted: str) -> bool:
        return dotted == BUNDLE_PACKAGE_NAME or dotted.startswith(BUNDLE_PACKAGE_NAME + ".")

    def _collect_bindings(self, module: BundleSourceModule) -> dict[str, tuple]:
        bindings: dict[str, tuple] = {}
        for node in iter_module_level_statements(module.tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if self.is_package_module_name(alias.name):
                        if alias.asname:
                            bindings[alias.asname] = ("mod", alias.name)
                        else:
                            bindings[BUNDLE_PACKAGE_NAME] = ("mod", BUNDLE_PACKAGE_NAME)
                    elif alias.asname:
                        bindings[alias.asname] = ("ext", alias.name, None)
                    else:
                        top = alias.name.split(".")[0]
                        bindings[top] = ("ext", top, None)
            elif isinstance(node, ast.ImportFrom):
                if node.module == "__future__":
                    continue
                source = self.absolute_module(module, node)
                for alias in node.names:
                    if alias.name == "*":
                        raise BundleError("%s: star imports cannot be bundled" % module.dotted)
                    name = alias.asname or alias.name
                    if self.is_package_module_name(source):
                        bindings[name] = ("import", source, alias.name)
                    else:
                        bindings[name] = ("ext", source, alias.name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bindings[node.name] = ("def", module.dotted, node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                for target in targets:
                    if isinstance(target, ast.Name) and isinstance(value, ast.Name) \
                            and isinstance(node, ast.Assign) and target.id != value.id:
                        bindings.setdefault(target.id, ("alias", value.id))
                        continue
                    for name_node in ast.walk(target):
                        if isinstance(name_node, ast.Name):
                            bindings[name_node.id] = ("def", module.dotted, name_node.id)
            else:
                for child in ast.walk(node):
                    if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                        bindings.setdefault(child.id, ("def", module.dotted, child.id))
        return bindings

    def resolve(self, dotted: str, name: str, seen: set | None = None) -> BundleTarget:
        """The target of ``name`` as module ``dotted`` binds it."""
        seen = seen if seen is not None else set()
        if (dotted, name) in seen:
            raise BundleError("import cycle on the name %s.%s" % (dotted, name))
        seen.add((dotted, name))
        raw = self.raw_bindings.get(dotted, {}).get(name)
        if raw is None:
            # ``from package import submodule``
            if dotted + "." + name in self.modules:
                return ("mod", dotted + "." + name)
            raise KeyError((dotted, name))
        kind = raw[0]
        if kind == "import":
            source, attr = raw[1], raw[2]
            if source not in self.modules:
                raise KeyError((source, attr))
            if source + "." + attr in self.modules:
                return ("mod", source + "." + attr)
            return self.resolve(source, attr, seen)
        if kind == "alias":
            try:
                return self.resolve(dotted, raw[1], seen)
            except KeyError:
                # an alias of a builtin (``bytes_type = bytes``) is a definition
                return ("def", dotted, name)
        return raw

    def resolved_bindings(self, dotted: str) -> dict[str, BundleTarget]:
        resolved = {}
        for name in self.raw_bindings[dotted]:
            try:
                resolved[name] = self.resolve(dotted, name)
            except KeyError:
                resolved[name] = ("missing", dotted, name)
        return resolved


# -- scopes: which Name nodes mean the module-level name ---------------------


_SCOPE_NODE_TYPES = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
)


class _BundleScope:
    """Names bound in one function, class or comprehension scope."""

    def __init__(self, node: ast.AST, parent: _BundleScope | None) -> None:
        self.node = node
        self.parent = parent
        self.is_class = isinstance(node, ast.ClassDef)
        self.bound: set[str] = set()
        self.declared_global: set[str] = set()
        self.declared_nonlocal: set[str] = set()
        own_name = getattr(node, "name", "<%s>" % type(node).__name__.lower())
        if parent is None:
            self.qualname = own_name
        elif parent.is_class:
            self.qualname = parent.qualname + "." + own_name
        else:
            self.qualname = parent.qualname + ".<locals>." + own_name

    def refers_to_module_level(self, name: str, bound: set[str] | None = None) -> bool:
        """Does a use of ``name`` directly in this scope mean the global?
        ``bound`` replaces the names this scope binds itself, to ask about
        the scope as the bundler rewrites it."""
        if name in self.declared_global:
            return True
        if name in (self.bound if bound is None else bound) or name in self.declared_nonlocal:
            return False
        return self.enclosing_refers_to_module_level(name)

    def enclosing_refers_to_module_level(self, name: str) -> bool:
        """Would ``name``, free in this scope, mean the global?  (Enclosing
        defs are searched; enclosing class bodies are not visible here.)"""
        scope = self.parent
        while scope is not None:
            if not scope.is_class:
                if name in scope.declared_global:
                    return True
                if name in scope.bound or name in scope.declared_nonlocal:
                    return False
            scope = scope.parent
        return True


class BundleGlobalNameFinder:
    """Lists every ``Name`` node (and ``global`` statement) that refers to a
    module-level name, with the names each module uses without binding."""

    def __init__(self, tree: ast.Module) -> None:
        self.global_name_nodes: list[ast.Name] = []
        self.global_statements: list[ast.Global] = []
        self.module_bound: set[str] = set()
        # id(def, class, lambda or comprehension node) -> its scope
        self.scopes: dict[int, _BundleScope] = {}
        # id(import statement inside a def or class) -> the scope it binds in
        self.import_scopes: dict[int, _BundleScope] = {}
        self._collect_module_bound(tree)
        self._visit_body(tree, None)

    def _collect_module_bound(self, tree: ast.Module) -> None:
        for node in _walk_same_scope(tree):
            for name in _names_bound_by(node):
                self.module_bound.add(name)

    def _visit_body(self, node: ast.AST, scope: _BundleScope | None) -> None:
        for child in ast.iter_child_nodes(node):
            self._visit(child, scope)

    def _new_scope(self, node: ast.AST, parent: _BundleScope | None) -> _BundleScope:
        scope = _BundleScope(node, parent)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = node.args
            for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs:
                scope.bound.add(arg.arg)
            if arguments.vararg:
                scope.bound.add(arguments.vararg.arg)
            if arguments.kwarg:
                scope.bound.add(arguments.kwarg.arg)
            body: Iterable[ast.AST] = node.body if isinstance(node.body, list) else [node.body]
        elif isinstance(node, ast.ClassDef):
            body = node.body
        else:
            body = node.generators
            for generator in node.generators:
                for target_name in ast.walk(generator.target):
                    if isinstance(target_name, ast.Name):
                        scope.bound.add(target_name.id)
            body = []
        for statement in body:
            for inner in _walk_same_scope(statement):
                if isinstance(inner, ast.Global):
                    scope.declared_global.update(inner.names)
                elif isinstance(inner, ast.Nonlocal):
                    scope.declared_nonlocal.update(inner.names)
                else:
                    scope.bound.update(_names_bound_by(inner))
        scope.bound -= scope.declared_global
        self.scopes[id(node)] = scope
        return scope

    def _visit(self, node: ast.AST, scope: _BundleScope | None) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # decorators, defaults, bases and annotations run in the outer scope
            for decorator in node.decorator_list:
                self._visit(decorator, scope)
            if isinstance(node, ast.ClassDef):
                for base in node.bases:
                    self._visit(base, scope)
                for keyword in node.keywords:
                    self._visit(keyword, scope)
            else:
                self._visit_arguments(node.args, scope)
                if node.returns is not None:
                    self._visit(node.returns, scope)
            inner = self._new_scope(node, scope)
            for statement in node.body:
                self._visit(statement, inner)
            return
        if isinstance(node, ast.Lambda):
            self._visit_arguments(node.args, scope)
            self._visit(node.body, self._new_scope(node, scope))
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # the first iterable runs in the enclosing scope
            self._visit(node.generators[0].iter, scope)
            inner = self._new_scope(node, scope)
            for index, generator in enumerate(node.generators):
                self._visit(generator.target, inner)
                if index:
                    self._visit(generator.iter, inner)
                for condition in generator.ifs:
                    self._visit(condition, inner)
            if isinstance(node, ast.DictComp):
                self._visit(node.key, inner)
                self._visit(node.value, inner)
            else:
                self._visit(node.elt, inner)
            return
        if isinstance(node, ast.Name):
            if scope is None or scope.refers_to_module_level(node.id):
                self.global_name_nodes.append(node)
            return
        if isinstance(node, ast.Global):
            self.global_statements.append(node)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)) and scope is not None:
            self.import_scopes[id(node)] = scope
        self._visit_body(node, scope)

    def _visit_arguments(self, arguments: ast.arguments, scope: _BundleScope | None) -> None:
        for default in arguments.defaults + [d for d in arguments.kw_defaults if d is not None]:
            self._visit(default, scope)
        for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [
            arguments.vararg, arguments.kwarg
        ]:
            if arg is not None and arg.annotation is not None:
                self._visit(arg.annotation, scope)

    def free_names(self) -> set[str]:
        """Global names used but never bound at module level (builtins)."""
        return {
            node.id for node in self.global_name_nodes
            if isinstance(node.ctx, ast.Load) and node.id not in self.module_bound
        }


def _walk_same_scope(node: ast.AST) -> Iterable[ast.AST]:
    """``node`` and its descendants, not entering nested scopes (a nested
    def or class still yields itself, since it binds its name here)."""
    yield node
    if isinstance(node, _SCOPE_NODE_TYPES) and not isinstance(node, ast.Module):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # walrus targets in comprehensions bind in the enclosing scope
            for child in ast.walk(node):
                if isinstance(child, ast.NamedExpr):
                    yield child
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk_same_scope(child)


def _names_bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
        return [node.target.id]
    # ``match`` captures (Python 3.10+ sources): ``case x``, ``case [*rest]``, ``**rest``
    kind = type(node).__name__
    if kind in ("MatchAs", "MatchStar") and getattr(node, "name", None):
        return [node.name]
    if kind == "MatchMapping" and getattr(node, "rest", None):
        return [node.rest]
    return []


# -- ordering ----------------------------------------------------------------


def _layer_rank(dotted: str, layers: ModuleType | None) -> tuple[int, int, str]:
    """Sort key among modules ready at the same time: the layer, then the
    module's place in its layer's list in ``_layers`` (so the file reads bottom
    up, as the design lists the layers); the package's own section comes last."""
    last = sys.maxsize
    if dotted == BUNDLE_PACKAGE_NAME:
        return (last, last, dotted)
    rank = layers.rank_of(dotted) if layers is not None else None
    if rank is None:
        return (last - 1, 0, dotted)
    return (rank[0], rank[1], dotted)


def module_dependencies(
    module: BundleSourceModule, resolver: BundleNameResolver
) -> set[str]:
    """The package modules ``module`` needs at import time."""
    needed: set[str] = set()
    modules = resolver.modules
    for node in iter_module_level_statements(module.tree.body):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            source = resolver.absolute_module(module, node)
            if not resolver.is_package_module_name(source):
                continue
            for alias in node.names:
                submodule = source + "." + alias.name
                if submodule in modules:
                    needed.add(submodule)
                elif source in modules:
                    needed.add(source)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if resolver.is_package_module_name(alias.name) and alias.name in modules:
                    needed.add(alias.name)
    needed.discard(module.dotted)
    return needed


def bundle_module_order(modules: dict[str, BundleSourceModule],
                        resolver: BundleNameResolver | None = None,
                        layers: ModuleType | None = None) -> list[str]:
    """Modules in an order where each comes after everything it imports at
    module level; among ready modules, lower layers first.  A cycle is an
    error."""
    import heapq

    resolver = resolver or BundleNameResolver(modules)
    rank = functools.partial(_layer_rank, layers=layers)
    dependencies = {name: module_dependencies(module, resolver)
                    for name, module in modules.items()}
    dependents: dict[str, set[str]] = {name: set() for name in modules}
    for name, needed in dependencies.items():
        for other in needed:
            dependents[other].add(name)
    waiting = {name: len(needed) for name, needed in dependencies.items()}
    ready = [rank(name) for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)[2]
        order.append(name)
        for other in dependents[name]:
            waiting[other] -= 1
            if waiting[other] == 0:
                heapq.heappush(ready, rank(other))
    if len(order) != len(modules):
        stuck = sorted(set(modules) - set(order))
        cycle = ", ".join("%s -> %s" % (name, sorted(dependencies[name] & set(stuck)))
                          for name in stuck)
        raise BundleError("import cycle between modules: " + cycle)
    return order


# -- naming: one namespace for all modules -----------------------------------


def _mangled(dotted: str, name: str) -> str:
    return "_%s_%s" % (dotted.replace(".", "_").strip("_"), name.strip("_"))


class BundleNamePlan:
    """Decides the name every binding gets in the shared namespace."""

    def __init__(self, modules: dict[str, BundleSourceModule], resolver: BundleNameResolver):
        self.modules = modules
        self.resolver = resolver
        self.bindings = {name: resolver.resolved_bindings(name) for name in modules}
        self.finders = {name: BundleGlobalNameFinder(m.tree) for name, m in modules.items()}
        # the package's direct submodules are attributes of the bundle itself
        root_children = {
            dotted.split(".")[1]: ("mod", dotted)
            for dotted in modules if dotted.count(".") == 1
        }
        self.root_children = root_children
        claims: dict[str, set[tuple]] = {}
        for dotted, bindings in self.bindings.items():
            for name, target in bindings.items():
                claims.setdefault(name, set()).add(target)
        for name, target in root_children.items():
            claims.setdefault(name, set()).add(target)
        self.builtin_uses: dict[str, set[str]] = {}
        for dotted, finder in self.finders.items():
            for name in finder.free_names():
                if hasattr(builtins, name):
                    self.builtin_uses.setdefault(dotted, set()).add(name)
                    claims.setdefault(name, set()).add(("builtin", name))
        self.claims = claims
        self.keeper: dict[str, tuple] = {}
        root_bindings = self.bindings.get(BUNDLE_PACKAGE_NAME, {})
        for name, targets in claims.items():
            if name in BUNDLE_PER_MODULE_NAMES and any(
                t[0] == "def" and t[1] != BUNDLE_PACKAGE_NAME for t in targets
            ):
                # every module has its own; only the package's is the bundle's
                self.keeper[name] = root_bindings.get(name, ("nobody",))
                continue
            if len(targets) == 1:
                self.keeper[name] = next(iter(targets))
                continue
            own = sorted(t for t in targets if t[0] == "def" and t[2] == name)
            if name in root_bindings:
                self.keeper[name] = root_bindings[name]
            elif name in root_children:
                self.keeper[name] = root_children[name]
            elif own:
                self.keeper[name] = own[0]
            else:
                self.keeper[name] = ("nobody",)

    def bundle_name(self, dotted: str, name: str, target: tuple) -> str:
        """The shared-namespace name of ``target``, bound as ``name`` by
        module ``dotted``."""
        kind = target[0]
        if kind == "def":
            defining_module, defined_name = target[1], target[2]
            if self.keeper.get(defined_name) == target:
                return defined_name
            return _mangled(defining_module, defined_name)
        if kind == "builtin":
            if self.keeper.get(name) == target:
                return name
            return "_builtin_" + name
        if self.keeper.get(name) == target:
            return name
        if kind == "ext":
            return "_stdlib_" + target[1].replace(".", "_") + (
                "_" + target[2] if target[2] else "")
        if kind == "mod":
            return "_module_" + target[1].replace(".", "_")
        return _mangled(dotted, name)

    def renames_for(self, dotted: str) -> dict[str, str]:
        """Module-level names of ``dotted`` that must be spelled differently in
        its section (name -> bundle name)."""
        renames = {}
        for name, target in self.bindings[dotted].items():
            if self.keeper.get(name) != target:
                renames[name] = self.bundle_name(dotted, name, target)
        for name in self.builtin_uses.get(dotted, ()):
            new = self.bundle_name(dotted, name, ("builtin", name))
            if new != name:
                renames[name] = new
        return renames


# -- rewriting one module ------------------------------------------------------


class BundleLocalImport:
    """An import inside a def or class body, as the bundler rewrote it: the
    lines that replace it (without indentation) and the names whose import
    was simply dropped."""

    def __init__(self, node: ast.stmt, scope: _BundleScope, lines: list[str],
                 dropped: list[str]) -> None:
        self.node = node
        self.scope = scope
        self.lines = lines
        self.dropped = dropped

    def __repr__(self) -> str:
        return "<BundleLocalImport line %d in %s: %s>" % (
            self.node.lineno, self.scope.qualname, "; ".join(self.lines) or "dropped")


class BundleSectionWriter:
    """Rewrites one module's source for its place in the bundle."""

    def __init__(self, module: BundleSourceModule, plan: BundleNamePlan,
                 lazy_modules: Iterable[str] = (), left_out: Iterable[str] = ()) -> None:
        self.module = module
        # modules whose sections run on first use: an import of one becomes
        # ``_bundle_require(name)``, which runs it (or refuses a left-out one)
        self.lazy_modules = set(lazy_modules)
        # modules the profile leaves out of the file
        self.left_out = set(left_out)
        # names this module imports at module level from a left-out module:
        # name -> that module (its module object refuses them by name)
        self.left_out_names: dict[str, str] = {}
        self.plan = plan
        self.resolver = plan.resolver
        self.renames = plan.renames_for(module.dotted)
        # (start_line, end_line) -> replacement lines, 1-based inclusive
        self.statement_edits: dict[tuple[int, int], list[str]] = {}
        self.exported: dict[str, str] = {}
        # imports inside a def or class body, as rewritten: see _check_local_imports
        self.local_imports: list[BundleLocalImport] = []
        self._dropped_by_scope: dict[int, set[str]] = {}
        # source line -> line of the written section, for lines kept as they were
        self.output_line_of: dict[int, int] = {}

    # statement replacements

    def _indent_of(self, node: ast.stmt) -> str:
        line = self.module.lines[node.lineno - 1]
        return line[: len(line) - len(line.lstrip())]

    def _check_whole_lines(self, node: ast.stmt) -> None:
        first = self.module.lines[node.lineno - 1].encode("utf-8")
        last = self.module.lines[node.end_lineno - 1].encode("utf-8")
        before = first[: node.col_offset]
        after = last[node.end_col_offset:].strip()
        if before.strip() or (after and not after.startswith(b"#")):
            raise BundleError("%s:%d: statement shares its line with another"
                              % (self.module.path, node.lineno))

    def replace_statement(self, node: ast.stmt, new_lines: list[str]) -> None:
        self._check_whole_lines(node)
        indent = self._indent_of(node)
        self.statement_edits[(node.lineno, node.end_lineno)] = [
            indent + line + "\n" for line in new_lines
        ]

    def _view_expression(self, dotted: str) -> str:
        return "_bundle_module_views[%r]" % dotted

    def rewrite_import(self, node: ast.stmt, at_module_level: bool) -> None:
        resolver = self.resolver
        module = self.module
        if isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                self.replace_statement(node, [])
                return
            source = resolver.absolute_module(module, node)
            if not resolver.is_package_module_name(source):
                if at_module_level:
                    self._rewrite_external_from(node, source)
                return
            scope = None if at_module_level else self._local_import_scope(node)
            lines = []
            dropped = []
            for alias in node.names:
                local = alias.asname or alias.name
                target = self._resolve_package_alias(source, alias)
                left_out_home = self._left_out_home(source, target)
                if at_module_level and left_out_home is not None:
                    self.left_out_names[local] = left_out_home
                    continue
                if target is None:
                    if source in resolver.modules:
                        # provided at run time (a module ``__getattr__``)
                        bound = self.renames.get(local, local) if at_module_level else local
                        lines.append("%s = %s.%s" % (bound, self._view_expression(source),
                                                     alias.name))
                        continue
                    # not part of this tree: leave a real (absolute) import
                    lines.append("from %s import %s" % (
                        source, alias.name + (" as " + alias.asname if alias.asname else "")))
                    continue
                defined_in = target[1] if target[0] in ("def", "mod") else source
                for name in dict.fromkeys([source, defined_in]):
                    # that section runs on first use: make sure it has run
                    line = "_bundle_require(%r)" % name
                    if name in self.lazy_modules and line not in lines \
                            and not (name != defined_in and self._is_ancestor(name)):
                        lines.append(line)
                if scope is None:
                    lines.extend(self._binding_lines(local, target, at_module_level))
                    continue
                binding = self._local_binding_lines(scope, local, target)
                if not binding:
                    dropped.append(local)
                lines.extend(binding)
            if scope is not None:
                self.local_imports.append(BundleLocalImport(node, scope, lines, dropped))
            self.replace_statement(node, lines)
            return
        # ast.Import
        scope = None if at_module_level else self._local_import_scope(node)
        lines = []
        external = []
        for alias in node.names:
            if resolver.is_package_module_name(alias.name):
                if at_module_level and alias.name in self.left_out:
                    raise BundleError("%s:%d: imports %s, which the profile leaves out, at "
                                      "import time" % (module.path, node.lineno, alias.name))
                if alias.name not in resolver.modules:
                    lines.append("import " + alias.name + (
                        " as " + alias.asname if alias.asname else ""))
                else:
                    if alias.name in self.lazy_modules and not self._is_ancestor(alias.name):
                        lines.append("_bundle_require(%r)" % alias.name)
                    if alias.asname and scope is None:
                        lines.extend(self._binding_lines(alias.asname, ("mod", alias.name),
                                                         at_module_level))
                    elif alias.asname:
                        lines.append("%s = %s" % (self._local_target(scope, alias.asname),
                                                  self._view_expression(alias.name)))
                    else:
                        bound = BUNDLE_PACKAGE_NAME
                        if scope is not None:
                            bound = self._local_target(scope, bound)
                        lines.append(bound + " = " + self._view_expression(BUNDLE_PACKAGE_NAME))
            else:
                external.append(alias)
        if not at_module_level:
            if len(external) == len(node.names):
                return
            if scope is not None:
                self.local_imports.append(BundleLocalImport(node, scope, lines, []))
            lines = ["import " + _alias_text(alias) for alias in external] + lines
            self.replace_statement(node, lines)
            return
        renamed = False
        for alias in external:
            bound = alias.asname or alias.name.split(".")[0]
            if bound in self.renames:
                renamed = True
            lines.extend(self._external_import_lines(alias))
        if renamed or len(external) != len(node.names):
            self.replace_statement(node, lines)

    def _is_ancestor(self, dotted: str) -> bool:
        """Is ``dotted`` a package this module is in?  The package imports
        those before the module, so an import of one from inside it runs
        nothing (``from . import json``); requiring the package's section
        there could only run it in the middle of this one."""
        return self.module.dotted.startswith(dotted + ".")

    def _left_out_home(self, source: str, target: tuple | None) -> str | None:
        """The left-out module that ``from source import ...`` (bound to
        ``target``) needs, or None when everything it needs is in the file."""
        if source in self.left_out:
            return source
        if target is not None and target[0] in ("def", "mod") and target[1] in self.left_out:
            return target[1]
        return None

    def _check_left_out_names_unused(self, finder: BundleGlobalNameFinder) -> None:
        """A name imported from a left-out module may only be passed on (the
        package's ``__init__`` re-exporting it); code that uses it needs that
        module, so the profile cannot leave it out."""
        used = {
            node.id for node in finder.global_name_nodes
            if isinstance(node.ctx, ast.Load) and node.id in self.left_out_names
        }
        if used:
            name = sorted(used)[0]
            raise BundleError(
                "%s uses %s from %s, which the profile leaves out: import it inside the "
                "function that needs it, or give %s the same part in _layers.py"
                % (self.module.path, name, self.left_out_names[name], self.module.dotted))

    def _external_import_lines(self, alias: ast.alias) -> list[str]:
        """``import x`` for one name, bound under its shared-namespace name."""
        bound = alias.asname or alias.name.split(".")[0]
        new = self.renames.get(bound)
        if not new:
            return ["import " + _alias_text(alias)]
        if alias.asname:
            return ["import %s as %s" % (alias.name, new)]
        lines = ["import %s as %s" % (alias.name.split(".")[0], new)]
        if "." in alias.name:
            # ``import a.b`` also imported the submodule; keep that effect
            lines.append("import %s as _stdlib_%s" % (alias.name, alias.name.replace(".", "_")))
        return lines

    def _rewrite_external_from(self, node: ast.ImportFrom, source: str) -> None:
        if not any((alias.asname or alias.name) in self.renames for alias in node.names):
            return
        parts = []
        for alias in node.names:
            bound = alias.asname or alias.name
            new = self.renames.get(bound)
            if new:
                parts.append("%s as %s" % (alias.name, new))
            else:
                parts.append(_alias_text(alias))
        module_text = "." * node.level + (node.module or "")
        self.replace_statement(node, ["from %s import %s" % (module_text, ", ".join(parts))])

    def _binding_lines(self, local: str, target: tuple, at_module_level: bool) -> list[str]:
        """Lines that bind ``local`` the way an intra-package import did."""
        if at_module_level:
            bound = self.renames.get(local, local)
        else:
            bound = local
        if target[0] == "mod":
            if target[1] == BUNDLE_PACKAGE_NAME:
                return ["%s = %s" % (bound, self._view_expression(BUNDLE_PACKAGE_NAME))]
            return ["%s = %s" % (bound, self._view_expression(target[1]))]
        shared = self.plan.bundle_name(self.module.dotted, local, target)
        if shared == bound:
            return []
        return ["%s = %s" % (bound, shared)]

    # imports inside a def or class body
    #
    # ``from .x import name as local`` inside a function becomes ``local =
    # shared`` (``shared`` being the name ``x.name`` has in the one namespace),
    # or nothing at all when ``shared`` is ``local``.  Both forms assume that
    # ``shared`` read there means the module-level object.  That is false when
    # the function binds ``shared`` itself (a parameter, ``*args``/``**kwargs``,
    # an assignment, a ``for``/``with``/``except`` target, a nested def or
    # class, another import, ``nonlocal``) or takes it from an enclosing
    # function: ``run_app(app, ..., load_dotenv=True)`` importing
    # ``load_dotenv as load_env_files`` turned into ``load_env_files =
    # load_dotenv``, the boolean parameter.  The bundler does not refuse such
    # code, it makes it correct: the binding then reads the module-level object
    # out of the namespace dict, ``load_env_files = _bundle_namespace["load_dotenv"]``,
    # which means the global whatever the function binds.  The plain forms stay
    # wherever the scope analysis (``ast``, the rules of ``symtable``) shows
    # them right, so the file reads like the package.  As a safety net,
    # ``_check_local_imports`` analyses each written section again and refuses
    # to bundle, naming file, line, function and name, if a rewritten import
    # there still reads a name its scope binds (the bundler's own
    # ``_bundle_*`` helpers, say, which nothing can rescue).

    def _resolve_package_alias(self, source: str, alias: ast.alias) -> tuple | None:
        """What ``from source import alias.name`` binds; None when the name
        is not a module-level name of the tree (a module ``__getattr__``, or
        a module outside the tree)."""
        resolver = self.resolver
        if source + "." + alias.name in resolver.modules:
            return ("mod", source + "." + alias.name)
        try:
            return resolver.resolve(source, alias.name)
        except KeyError:
            return None

    def _local_import_scope(self, node: ast.stmt) -> _BundleScope | None:
        """The def or class body an import binds in (None for the module's
        ``if TYPE_CHECKING:`` blocks, which go)."""
        return self.plan.finders[self.module.dotted].import_scopes.get(id(node))

    def _local_target(self, scope: _BundleScope, local: str) -> str:
        """The name a local import assigns: a ``global`` declaration makes it
        the module-level name (renamed like the module's others)."""
        if local in scope.declared_global:
            return self.renames.get(local, local)
        return local

    def _local_binding_lines(self, scope: _BundleScope, local: str, target: tuple) -> list[str]:
        """Lines that bind ``local`` the way an import inside ``scope`` did."""
        if target[0] == "mod":
            return ["%s = %s" % (self._local_target(scope, local),
                                  self._view_expression(target[1]))]
        shared = self.plan.bundle_name(self.module.dotted, local, target)
        dropped = self._dropped_local_imports(scope)
        if local in dropped:
            return []
        if scope.refers_to_module_level(shared, scope.bound - dropped):
            value = shared
        else:
            value = "_bundle_namespace[%r]" % shared
        return ["%s = %s" % (self._local_target(scope, local), value)]

    def _import_keeps_its_name(self, node: ast.ImportFrom, alias: ast.alias) -> bool:
        """Is ``alias`` of this package import bound in the one namespace
        under the very name the import binds (so the import could go)?"""
        source = self.resolver.absolute_module(self.module, node)
        if node.module == "__future__" or not self.resolver.is_package_module_name(source):
            return False
        target = self._resolve_package_alias(source, alias)
        if target is None or target[0] == "mod":
            return False
        local = alias.asname or alias.name
        return self.plan.bundle_name(self.module.dotted, local, target) == local

    def _dropped_local_imports(self, scope: _BundleScope) -> set[str]:
        """Names whose imports in ``scope`` can simply be dropped: every
        binding of the name there is such an import, and once dropped, the
        name read in the function (or the defs nested in it) means the
        module-level object."""
        key = id(scope)
        if key in self._dropped_by_scope:
            return self._dropped_by_scope[key]
        function = scope.node
        dropped: set[str] = set()
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # name -> for each binding of it in this scope: could it go?
            droppable: dict[str, list[bool]] = {}
            arguments = function.args
            for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [
                arguments.vararg, arguments.kwarg
            ]:
                if arg is not None:
                    droppable.setdefault(arg.arg, []).append(False)
            for statement in function.body:
                for inner in _walk_same_scope(statement):
                    if isinstance(inner, ast.ImportFrom):
                        for alias in inner.names:
                            droppable.setdefault(alias.asname or alias.name, []).append(
                                self._import_keeps_its_name(inner, alias))
                    else:
                        for name in _names_bound_by(inner):
                            droppable.setdefault(name, []).append(False)
            # ``nonlocal name`` in a nested def needs the binding kept here
            nested_nonlocal = {
                name for inner in ast.walk(function) if isinstance(inner, ast.Nonlocal)
                for name in inner.names
            }
            dropped = {
                name for name, flags in droppable.items()
                if all(flags)
                and name not in scope.declared_global
                and name not in scope.declared_nonlocal
                and name not in nested_nonlocal
                and scope.enclosing_refers_to_module_level(name)
            }
        # (an import in a class body makes a class attribute: it never goes)
        self._dropped_by_scope[key] = dropped
        return dropped

    def _check_local_imports(self, text: str) -> list[str]:
        """Analyse the written section again: every name a rewritten local
        import reads, and every name whose import was dropped, must mean the
        module-level object in that scope.  Returns the problems found."""
        if not self.local_imports:
            return []
        finder = BundleGlobalNameFinder(ast.parse(text))
        scope_at_line = {
            scope.node.lineno: scope for scope in finder.scopes.values()
            if isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        }
        problems = []
        for record in self.local_imports:
            written_line = self.output_line_of.get(record.scope.node.lineno)
            if written_line is None:
                continue  # the whole def went (an ``if TYPE_CHECKING:`` block)
            written_scope = scope_at_line.get(written_line)
            if written_scope is None:
                problems.append("%s:%d: cannot find %s in the written section"
                                % (self.module.path, record.node.lineno, record.scope.qualname))
                continue
            reads = [
                inner.id for inner in ast.walk(ast.parse("\n".join(record.lines)))
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load)
            ]
            nested_nonlocal = {
                name for inner in ast.walk(written_scope.node) if isinstance(inner, ast.Nonlocal)
                for name in inner.names
            }
            where = "%s:%d: in %s: %r" % (
                self.module.path, record.node.lineno, record.scope.qualname,
                ast.get_source_segment(self.module.source, record.node))
            for name in dict.fromkeys(reads):
                if not written_scope.refers_to_module_level(name):
                    problems.append(
                        "%s is written as %r, which reads %r; but %s binds %r itself or "
                        "takes it from an enclosing function (rename that local name)"
                        % (where, "; ".join(record.lines), name, record.scope.qualname, name))
            for name in record.dropped:
                if not written_scope.refers_to_module_level(name) or name in nested_nonlocal:
                    problems.append(
                        "%s is dropped, so %r there is no longer the imported object: "
                        "%s binds it otherwise, takes it from an enclosing function, or a "
                        "nested function declares it nonlocal (rename that local name)"
                        % (where, name, record.scope.qualname))
        return problems

    # the whole section

    def section_text(self) -> str:
        module = self.module
        tree = module.tree
        finder = self.plan.finders[module.dotted]
        module_level_ids = {id(node) for node in iter_module_level_statements(tree.body)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.rewrite_import(node, id(node) in module_level_ids)
        for node in tree.body:
            if isinstance(node, ast.If) and (
                _is_type_checking_test(node.test) or _is_main_guard(node)
            ):
                if node.orelse:
                    raise BundleError("%s:%d: an else branch after TYPE_CHECKING"
                                      % (module.path, node.lineno))
                self.statement_edits = {
                    span: lines for span, lines in self.statement_edits.items()
                    if not (node.lineno <= span[0] <= node.end_lineno)
                }
                self.replace_statement(node, [])
        # a top-level alias line whose name is renamed away is dropped
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) \
                    and isinstance(node.value, ast.Name):
                name = node.targets[0].id
                target = self.plan.bindings[module.dotted].get(name)
                if name in self.renames and target != ("def", module.dotted, name):
                    self.replace_statement(node, [])
        self._check_left_out_names_unused(finder)
        self._keep_blocks_non_empty(tree)
        name_edits = self._name_edits(finder)
        text = self._apply_edits(name_edits)
        problems = self._check_local_imports(text)
        if problems:
            raise BundleError("a rewritten import would read the wrong object:\n  "
                              + "\n  ".join(problems))
        return text

    def _keep_blocks_non_empty(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            for field in ("body", "orelse", "finalbody"):
                body = getattr(node, field, None)
                if not isinstance(body, list) or not body or isinstance(node, ast.Module):
                    continue
                if not isinstance(body[0], ast.stmt):
                    continue
                if all(self._statement_vanishes(stmt) for stmt in body):
                    first = body[0]
                    self.statement_edits[(first.lineno, first.end_lineno)] = [
                        self._indent_of(first) + "pass\n"
                    ]
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    if all(self._statement_vanishes(stmt) for stmt in handler.body):
                        first = handler.body[0]
                        self.statement_edits[(first.lineno, first.end_lineno)] = [
                            self._indent_of(first) + "pass\n"
                        ]

    def _statement_vanishes(self, node: ast.stmt) -> bool:
        edit = self.statement_edits.get((node.lineno, node.end_lineno))
        return edit is not None and not edit

    def _name_edits(self, finder: BundleGlobalNameFinder) -> list[tuple[int, int, int, str]]:
        edits = []
        renames = self.renames
        dotted = self.module.dotted
        for node in finder.global_name_nodes:
            if node.id == "__name__" and dotted != BUNDLE_PACKAGE_NAME:
                if isinstance(node.ctx, ast.Load):
                    edits.append((node.lineno, node.col_offset, node.end_col_offset,
                                  repr(dotted)))
                continue
            new = renames.get(node.id)
            if new:
                edits.append((node.lineno, node.col_offset, node.end_col_offset, new))
        for node in iter_module_level_statements(self.module.tree.body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and node.name in renames:
                line = self.module.lines[node.lineno - 1].encode("utf-8")
                keyword = b"class " if isinstance(node, ast.ClassDef) else b"def "
                start = line.find(keyword + node.name.encode("utf-8"))
                if start < 0:
                    raise BundleError("%s:%d: cannot find the name of %s"
                                      % (self.module.path, node.lineno, node.name))
                start += len(keyword)
                edits.append((node.lineno, start, start + len(node.name.encode("utf-8")),
                              renames[node.name]))
        for node in finder.global_statements:
            if any(name in renames for name in node.names):
                self._check_whole_lines(node)
                self.statement_edits[(node.lineno, node.end_lineno)] = [
                    self._indent_of(node) + "global " + ", ".join(
                        renames.get(name, name) for name in node.names) + "\n"
                ]
        return edits

    def _apply_edits(self, name_edits: list[tuple[int, int, int, str]]) -> str:
        lines = [line.encode("utf-8") for line in self.module.lines]
        by_line: dict[int, list[tuple[int, int, str]]] = {}
        for lineno, start, end, text in name_edits:
            old = lines[lineno - 1][start:end].decode("utf-8")
            if not old.isidentifier():
                raise BundleError("%s:%d: cannot rename %r (column %d)"
                                  % (self.module.path, lineno, old, start))
            by_line.setdefault(lineno, []).append((start, end, text))
        replaced_lines: set[int] = set()
        for start, end in self.statement_edits:
            replaced_lines.update(range(start, end + 1))
        for lineno, edits in by_line.items():
            if lineno in replaced_lines:
                continue
            line = lines[lineno - 1]
            for start, end, text in sorted(edits, reverse=True):
                line = line[:start] + text.encode("utf-8") + line[end:]
            lines[lineno - 1] = line
        text_lines = [line.decode("utf-8") for line in lines]
        output: list[str] = []
        starts = {start: (end, new) for (start, end), new in self.statement_edits.items()}
        lineno = 1
        while lineno <= len(text_lines):
            if lineno in starts:
                end, new = starts[lineno]
                output.extend(new)
                lineno = end + 1
                continue
            output.append(text_lines[lineno - 1])
            self.output_line_of[lineno] = len(output)
            lineno += 1
        if output and not output[-1].endswith("\n"):
            output[-1] += "\n"
        return "".join(output)

    # exports: what the module object for this section holds

    def export_map(self) -> dict[str, str]:
        """Public attribute name -> shared-namespace name, for the view."""
        exports = {}
        for name, target in self.plan.bindings[self.module.dotted].items():
            if target[0] == "missing" or name in self.left_out_names:
                continue
            if target[0] == "mod":
                continue  # bound by the module view machinery itself
            exports[name] = self.renames.get(name, name)
        return exports

    def module_submodule_names(self) -> dict[str, str]:
        return {
            name: target[1]
            for name, target in self.plan.bindings[self.module.dotted].items()
            if target[0] == "mod" and target[1] not in self.left_out
        }

    def defined_names(self) -> list[str]:
        """Functions and classes this module defines (their ``__module__``
        becomes the module's dotted name, as in the package)."""
        return [
            node.name for node in iter_module_level_statements(self.module.tree.body)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        ]

    def rebound_names(self) -> set[str]:
        """Names a function of this module rebinds with ``global``."""
        names: set[str] = set()
        for node in self.plan.finders[self.module.dotted].global_statements:
            names.update(node.names)
        return names


def _alias_text(alias: ast.alias) -> str:
    return alias.name + (" as " + alias.asname if alias.asname else "")


# -- the file ------------------------------------------------------------------


_BUNDLE_HEADER = '''\
"""microflask as one file: Flask, rebuilt from nothing but the standard library.

Written by ``python -m microflask bundle --profile {profile}`` from the
microflask package (version {version}); edit the package, not this file.
{profile_note}
Each module of the package is a section below, under a banner with its name,
in import order.  A section is the module's source kept as text, rewritten only
where one namespace needs it: imports between modules become plain names, and
a name that would mean two things is renamed in that section.  A section is
compiled and run the first time its module is used, so ``import {package}``
compiles next to nothing even where Python cannot cache bytecode (a read-only
folder, a zip, ``PYTHONDONTWRITEBYTECODE``); where it can, each compiled
section is cached beside this file's own ``.pyc``.  The end of each section
hands its names to the module object ``{package}.<name>``, so every import
path of the package works from this file.{main_note}
"""

from __future__ import annotations

import sys as _bundle_sys
import types as _bundle_types

_bundle_prefix = "{package}" if __name__ == "__main__" else __name__
# Like a package, with no directory to look in: ``import {package}.x`` finds the
# module objects registered below, and a missing one fails cleanly.
__path__ = []
_bundle_namespace = globals()
_bundle_profile = "{profile}"
# The package's modules this profile leaves out, each with its part.
_bundle_left_out = {left_out}


class _BundleModuleView(_bundle_types.ModuleType):
    """A module of the package, as a view on this file's namespace.

    The first look-up of a name it lacks runs its section; its names are
    copied in on first use after that.  Setting one of the module's own names
    writes through to the shared namespace, so patching
    ``{package}.helpers.send_file`` reaches the code that calls it; names the
    module rebinds at run time are read live.
    """

    def __setattr__(self, name, value):
        _bundle_complete_module(self.__name__)
        live = _bundle_live_names.get(self.__name__, {}).get(name)
        if live is not None:
            _bundle_namespace[live] = value
            return
        super().__setattr__(name, value)
        shared = _bundle_shared_names.get(self.__name__, {}).get(name)
        if shared is not None:
            _bundle_namespace[shared] = value

    def __delattr__(self, name):
        _bundle_complete_module(self.__name__)
        live = _bundle_live_names.get(self.__name__, {}).get(name)
        if live is not None:
            del _bundle_namespace[live]
            return
        super().__delattr__(name)
        shared = _bundle_shared_names.get(self.__name__, {}).get(name)
        if shared is not None:
            _bundle_namespace.pop(shared, None)

    def __getattr__(self, name):
        full_name = self.__name__
        if _bundle_complete_module(full_name):
            return getattr(self, name)
        live = _bundle_live_names.get(full_name, {}).get(name)
        if live is not None and live in _bundle_namespace:
            return _bundle_namespace[live]
        left_out = _bundle_left_out_names.get(full_name, {}).get(name)
        if left_out is not None:
            raise _bundle_left_out_error(left_out, full_name + "." + name)
        raise AttributeError("module %r has no attribute %r" % (full_name, name))

    def __dir__(self):
        _bundle_complete_module(self.__name__)
        return sorted(set(self.__dict__) | set(_bundle_live_names.get(self.__name__, ())))


# Sections not run yet: module -> (the line of this file its text starts on, the text).
_bundle_sections = {}
_bundle_lock = __import__("_thread").RLock()
_bundle_future_flags = __import__("__future__").annotations.compiler_flag


def _bundle_section(dotted, line, text):
    """Register the section of module ``dotted``: it runs on first use."""
    _bundle_sections[dotted] = (line, text)


def _bundle_require(dotted):
    """What importing module ``dotted`` does in the package: run its section
    unless it has run (a module this profile left out is refused)."""
    if dotted in _bundle_sections:
        _bundle_run_section(dotted)
    elif dotted in _bundle_left_out:
        raise _bundle_left_out_error(dotted)


def _bundle_run_section(dotted):
    """Compile and run the section of ``dotted`` in this namespace, once."""
    with _bundle_lock:
        section = _bundle_sections.pop(dotted, None)
        if section is None:
            return  # it has run, or is running (an import cycle, as in the package)
        try:
            exec(_bundle_section_code(dotted, *section), _bundle_namespace)
        except BaseException:
            _bundle_sections[dotted] = section
            raise


def _bundle_section_code(dotted, line, text):
    """The section's text compiled as if it stood in place: under this file's
    name and with its line numbers, so tracebacks, linecache and the debugger
    point into this file.  (``pass`` comes first so that the module's
    docstring stays an expression, not this namespace's ``__doc__``.)"""
    source = "pass" + "\\n" * (line - 1) + text
    cache_file = _bundle_cache_file(dotted)
    if cache_file is None:
        return compile(source, __file__, "exec", _bundle_future_flags, True)
    import marshal

    stamp = _bundle_cache_stamp(line, text)
    try:
        with open(cache_file, "rb") as cached:
            data = cached.read()
        if data[:len(stamp)] == stamp:
            return marshal.loads(data[len(stamp):])
    except (OSError, EOFError, ValueError, TypeError):
        pass  # no cache, or a bad one: compile
    code = compile(source, __file__, "exec", _bundle_future_flags, True)
    if not _bundle_sys.dont_write_bytecode:
        _bundle_write_cache(cache_file, stamp + marshal.dumps(code))
    return code


def _bundle_cache_file(dotted):
    """Where section ``dotted`` is cached compiled: beside this file's own
    ``.pyc``; None where Python caches no bytecode for this file (a zip,
    ``python microflask.py``)."""
    cached = _bundle_namespace.get("__cached__")
    if not (isinstance(cached, str) and cached.endswith(".pyc")):
        return None
    return "%s.%s.pyc" % (cached[:-len(".pyc")], dotted)


def _bundle_cache_stamp(line, text):
    """What a cached section must match: this Python's bytecode, this file's
    path, and the section's place and text."""
    from binascii import crc32
    from importlib.util import MAGIC_NUMBER

    checksum = crc32(text.encode("utf-8"))
    return MAGIC_NUMBER + ("%d %d %08x %s\\n" % (line, len(text), checksum, __file__)).encode()


def _bundle_write_cache(path, data):
    """Write a cache file whole or not at all (never fails the import)."""
    import os

    temporary = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as cache:
            cache.write(data)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _bundle_left_out_error(dotted, wanted=None):
    """The ImportError for module ``dotted``, which this profile left out
    (``wanted``: the name that needed it)."""
    full_name = _bundle_prefix + dotted[len("{package}"):]
    subject = "%s needs %s, which" % (wanted, full_name) if wanted else full_name
    return ImportError(
        "%s is not in this single file (%s): it was bundled with the %s profile, which "
        "leaves out the %s modules; for the whole package, bundle it with "
        "'python -m microflask bundle --profile full -o microflask.py'"
        % (subject, __file__, _bundle_profile, _bundle_left_out[dotted]),
        name=full_name,
        path=__file__,
    )


class _BundleLeftOutFinder:
    """Answers ``import {package}.x`` for a module this profile left out with
    an ImportError that says so, instead of "No module named"."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if fullname.startswith(_bundle_prefix + "."):
            dotted = "{package}" + fullname[len(_bundle_prefix):]
            if dotted in _bundle_left_out:
                raise _bundle_left_out_error(dotted)
        return None


if _bundle_left_out:
    _bundle_sys.meta_path.append(_BundleLeftOutFinder)


def __getattr__(name):
    """The package's own section runs on the first look-up of a name this
    file does not hold yet: ``import {package}`` alone compiles next to nothing."""
    if "{package}" in _bundle_sections:
        _bundle_run_section("{package}")
        if name in _bundle_namespace:
            return _bundle_namespace[name]
        if _bundle_namespace["__getattr__"] is not _bundle_package_getattr:
            return _bundle_namespace["__getattr__"](name)  # the package's own
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def __dir__():
    """The package's names, once its section has run (as after ``import`` of the package)."""
    if "{package}" in _bundle_sections:
        _bundle_run_section("{package}")
    return sorted(_bundle_namespace)


_bundle_package_getattr = __getattr__
_bundle_module_views = {"{package}": _bundle_sys.modules.get(__name__)}
# module object name -> module, for the module objects below
_bundle_dotted_names = {}
_bundle_shared_names = {}
_bundle_live_names = {}
_bundle_left_out_names = {}
# Module objects are filled on their first use (most programs never touch them).
_bundle_pending_views = {}


def _bundle_register_module(dotted, is_package):
    full_name = _bundle_prefix + dotted[len("{package}"):]
    view = _BundleModuleView(full_name)
    attributes = {"__file__": __file__, "__package__": full_name.rpartition(".")[0]}
    if is_package:
        attributes.update(__package__=full_name, __path__=[])
    view.__dict__.update(attributes)
    _bundle_module_views[dotted] = view
    _bundle_dotted_names[full_name] = dotted
    _bundle_sys.modules[full_name] = view


def _bundle_complete_module(full_name):
    """Run a module's section, or fill its module object, if either is still
    to do; True if something was done."""
    dotted = _bundle_dotted_names.get(full_name)
    if dotted in _bundle_sections:
        _bundle_run_section(dotted)
        return True
    if full_name in _bundle_pending_views:
        with _bundle_lock:
            pending = _bundle_pending_views.pop(full_name, None)
            if pending is not None:
                _bundle_fill_view(full_name, *pending)
        return True
    return False


def _bundle_fill_module(dotted, names, renamed, live, children, defined, left_out=None):
    """A section has run: name its classes and functions after their module,
    and copy its names into the module object when that is first used."""
    full_name = _bundle_module_views[dotted].__name__
    namespace = _bundle_namespace
    for name in defined.split():
        namespace[renamed.get(name, name)].__module__ = full_name
    if left_out:
        _bundle_left_out_names[full_name] = left_out
    _bundle_pending_views[full_name] = (names, renamed, live, children)


def _bundle_fill_view(full_name, names, renamed, live, children):
    view = _bundle_sys.modules.get(full_name)
    if not isinstance(view, _BundleModuleView):
        return
    namespace = _bundle_namespace
    get = renamed.get
    shared = {name: get(name, name) for name in names.split()}
    live_names = live.split()
    for name in live_names:
        del shared[name]
    values = view.__dict__
    values.update(
        {name: namespace[shared_name] for name, shared_name in shared.items()
         if shared_name in namespace}
    )
    if live_names:
        _bundle_live_names[full_name] = {name: get(name, name) for name in live_names}
    for name, child in children.items():
        values[name] = _bundle_module_views[child]
    _bundle_shared_names[full_name] = shared

'''


def _fill_template(template: str, **values: str) -> str:
    """``template`` with each ``{key}`` replaced (other braces are code)."""
    for key, value in values.items():
        template = template.replace("{%s}" % key, value)
    return template


def _profile_note(profile: str, left_out: dict[str, str]) -> str:
    """The header's lines on what this profile left out."""
    if not left_out:
        return "The full profile: every module of the package.\n"
    names = ", ".join(sorted(left_out))
    text = (
        "The %s profile: what an app serving requests with templates, sessions and "
        "JSON needs.  Left out (importing one raises an ImportError that says so): %s."
        % (profile, names)
    )
    import textwrap

    return "\n".join(textwrap.wrap(text, 78)) + "\n"


def _section_banner(module: BundleSourceModule) -> str:
    rule = "# " + "=" * 76 + "\n"
    relative = os.path.relpath(module.path, os.path.dirname(BUNDLE_PACKAGE_DIR)).replace(
        os.sep, "/"
    )
    return "\n\n" + rule + "# %s  (%s)\n" % (module.dotted, relative) + rule + "\n"


def _package_version(modules: dict[str, BundleSourceModule]) -> str:
    for node in modules[BUNDLE_PACKAGE_NAME].tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ) and isinstance(node.value, ast.Constant):
            return str(node.value.value)
    return "unknown"


def _format_names(names: Iterable[str], indent: str = "    ") -> str:
    """Space-separated names wrapped to the line length, as string literals."""
    lines: list[str] = []
    current = ""
    for name in names:
        if current and len(current) + len(name) + 1 > 80:
            lines.append(current)
            current = name
        else:
            current = (current + " " + name) if current else name
    if current:
        lines.append(current)
    if not lines:
        return '""'
    if len(lines) == 1:
        return repr(lines[0])
    return "(\n" + "".join("%s%r\n" % (indent * 2, line + " ") for line in lines) + indent + ")"


def _format_dict(values: dict[str, str]) -> str:
    """A dict literal, one item a line, sorted."""
    if not values:
        return "{}"
    return "{\n" + "".join("    %r: %r,\n" % item for item in sorted(values.items())) + "}"


def _text_literal(text: str) -> str:
    """``text`` as a string literal that shows it as it is: raw and
    triple-quoted, each line of text one line of the file.  A text holding
    both kinds of triple quote (or a carriage return) is escaped instead,
    still line for line."""
    if "\r" not in text and not text.endswith("\\"):
        for quote in ("'''", '"""'):
            if quote not in text:
                return "r" + quote + text + quote
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\r", "\\r")
    return "'''" + escaped + "'''"


def build_bundle(package_dir: str = BUNDLE_PACKAGE_DIR, profile: str = "full") -> str:
    """The text of the single-file bundle of the package in ``package_dir``,
    with the modules ``profile`` keeps (see ``BUNDLE_PROFILES``)."""
    modules = find_package_modules(package_dir)
    if BUNDLE_PACKAGE_NAME not in modules:
        raise BundleError("no %s/__init__.py under %s" % (BUNDLE_PACKAGE_NAME, package_dir))
    layers = load_package_layers(package_dir)
    kept = modules_in_profile(modules, profile, layers)
    if BUNDLE_PACKAGE_NAME not in kept:
        raise BundleError("the %s profile leaves out the package itself" % profile)
    left_out = {
        dotted: layers.part_of(dotted) if layers is not None else "core"
        for dotted in set(modules) - kept
    }
    # Names are planned over the whole package, so every profile spells them alike.
    resolver = BundleNameResolver(modules)
    plan = BundleNamePlan(modules, resolver)
    order = [dotted for dotted in bundle_module_order(modules, resolver, layers)
             if dotted in kept]
    header = _fill_template(
        _BUNDLE_HEADER,
        profile=profile,
        version=_package_version(modules),
        package=BUNDLE_PACKAGE_NAME,
        profile_note=_profile_note(profile, left_out),
        left_out=_format_dict(left_out),
        main_note=("  ``python microflask.py`` is the ``microflask`` command."
                   if BUNDLE_PACKAGE_NAME + ".cli" in kept else ""),
    )
    _check_header_builtins(header, plan, kept)
    parts = [header]
    for dotted in order:
        if dotted != BUNDLE_PACKAGE_NAME:
            parts.append("_bundle_register_module(%r, %r)\n"
                         % (dotted, modules[dotted].is_package))
    builtin_names = sorted({
        plan.renames_for(dotted)[name]
        for dotted, names in plan.builtin_uses.items() if dotted in kept
        for name in names if name in plan.renames_for(dotted)
    })
    if builtin_names:
        parts.append("\n# Builtins that a module of the package shadows, kept for the others.\n")
        for name in builtin_names:
            parts.append("%s = %s\n" % (name, name[len("_builtin_"):]))
    line_count = sum(part.count("\n") for part in parts)
    for dotted in order:
        writer = BundleSectionWriter(modules[dotted], plan, lazy_modules=modules,
                                     left_out=left_out)
        text = writer.section_text()
        if dotted != BUNDLE_PACKAGE_NAME:
            text += _fill_call(dotted, writer, modules)
        try:
            ast.parse(text)  # each section must at least be valid Python
        except SyntaxError as error:
            raise BundleError("%s: the written section is not valid Python: %s"
                              % (modules[dotted].path, error)) from None
        banner = _section_banner(modules[dotted])
        line = line_count + banner.count("\n") + 1
        call = "_bundle_section(%r, %d, %s)\n" % (dotted, line, _text_literal("\n" + text))
        parts += [banner, call]
        line_count = line + call.count("\n") - 1
    parts.append(_root_tail(plan, kept))
    return "".join(parts)


def _check_header_builtins(header: str, plan: BundleNamePlan, kept: set[str]) -> None:
    """The file's own functions read builtins (``compile``, ``open``...) from
    the namespace every module shares: no module may bind one of those names."""
    binders = {
        name: target[1] if target[0] == "def" else dotted
        for dotted in sorted(kept) for name, target in plan.bindings[dotted].items()
        if plan.bundle_name(dotted, name, target) == name
    }
    for node in ast.parse(header).body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            continue
        finder = BundleGlobalNameFinder(ast.Module(body=[node], type_ignores=[]))
        for name in sorted(finder.free_names()):
            if hasattr(builtins, name) and name in binders:
                raise BundleError("%s binds %s, a builtin the single file's own %s reads; "
                                  "rename it there" % (binders[name], name, node.name))


def _fill_call(dotted: str, writer: BundleSectionWriter,
               modules: dict[str, BundleSourceModule]) -> str:
    """The end of a section: hand its names to its module object."""
    exports = writer.export_map()
    renamed = {name: shared for name, shared in exports.items() if name != shared}
    live = sorted(name for name in writer.rebound_names() if name in exports)
    children = {
        child.rpartition(".")[2]: child for child in modules
        if child.rpartition(".")[0] == dotted and child not in writer.left_out
    }
    children.update(writer.module_submodule_names())
    arguments = [repr(dotted), _format_names(sorted(exports)), repr(renamed),
                 repr(" ".join(live)), repr(children), _format_names(writer.defined_names())]
    if writer.left_out_names:
        arguments.append(repr(dict(sorted(writer.left_out_names.items()))))
    return "\n_bundle_fill_module(\n" + "".join("    %s,\n" % a for a in arguments) + ")\n"


def _root_tail(plan: BundleNamePlan, kept: set[str]) -> str:
    """Bind the package's direct submodules as attributes of the bundle."""
    lines = ["\n\n# The package's submodules, as attributes of the package.\n"]
    root_bindings = plan.bindings[BUNDLE_PACKAGE_NAME]
    for name, target in sorted(plan.root_children.items()):
        if name in root_bindings or target[1] not in kept:
            continue
        if plan.keeper.get(name) != target:
            print("microflask.bundle: warning: %s.%s is shadowed by %r"
                  % (BUNDLE_PACKAGE_NAME, name, plan.keeper.get(name)), file=sys.stderr)
            continue
        lines.append("%s = _bundle_module_views[%r]\n" % (name, target[1]))
    lines.append("del _bundle_register_module, _bundle_section\n")
    cli = BUNDLE_PACKAGE_NAME + ".cli"
    if cli in kept:
        lines.append(
            "\n\nif __name__ == \"__main__\":\n"
            "    # ``python microflask.py ...`` is the ``microflask`` command.\n"
            "    _bundle_sys.modules.setdefault(%r, _bundle_sys.modules[__name__])\n"
            "    _bundle_module_views[%r].main()\n" % (BUNDLE_PACKAGE_NAME, cli)
        )
    elif cli in plan.modules:
        lines.append(
            "\n\nif __name__ == \"__main__\":\n"
            "    # The ``microflask`` command is the CLI, which this profile left out.\n"
            "    raise SystemExit(str(_bundle_left_out_error(%r)))\n" % cli
        )
    return "".join(lines)


def write_bundle(output_path: str, package_dir: str = BUNDLE_PACKAGE_DIR,
                 profile: str = "full") -> int:
    """Write the bundle to ``output_path``; return its number of lines."""
    text = build_bundle(package_dir, profile)
    directory = os.path.dirname(os.path.abspath(output_path))
    os.makedirs(directory, exist_ok=True)
    with open(output_path, "w", encoding="utf-8") as output_file:
        output_file.write(text)
    return text.count("\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``bundle [-o FILE] [--profile full|core]`` (stdout when no file is given)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="microflask bundle",
        description="Write microflask as one Python file.",
    )
    parser.add_argument("-o", "--output", metavar="FILE", default="-",
                        help="where to write the bundle ('-' for stdout, the default)")
    parser.add_argument("--profile", choices=list(BUNDLE_PROFILES), default="full",
                        help="full: the whole package (the default); core: what an app "
                        "serving requests with templates, sessions and JSON needs")
    options = parser.parse_args(argv)
    try:
        if options.output == "-":
            sys.stdout.write(build_bundle(BUNDLE_PACKAGE_DIR, options.profile))
            return 0
        line_count = write_bundle(options.output, BUNDLE_PACKAGE_DIR, options.profile)
    except BundleError as error:
        print("microflask bundle: error: %s" % error, file=sys.stderr)
        return 1
    print("wrote %s (%s profile, %d lines)" % (options.output, options.profile, line_count),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
