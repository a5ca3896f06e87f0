"""The single-file bundler: writes the whole package as one readable module.

Flask has no counterpart; this plays the part of Bottle's ``bottle.py``
distribution.  ``python -m microflask.bundle -o microflask.py`` (or
``python -m microflask bundle -o FILE``) reads the package sources, orders the
modules by their import graph (layer by layer), and writes them one after
another as sections of one file, comments and docstrings kept.

- Imports between the package's own modules are removed or become plain
  assignments; names that would mean two things in one namespace (stdlib
  ``json`` and ``microflask.json``, two modules' ``SecurityError``, a class
  named like the builtin ``NotImplemented``) are renamed in that section.
- Modules that ``import microflask`` does not import in the package (the test
  client, the CLI, the signing layer...) become sections wrapped in a function
  that runs on the first use of their module, so the file imports as fast as
  the package.
- Each section ends by handing its names to a module object
  (``microflask.templating``, ``microflask.json.tag``...) registered in
  ``sys.modules``, so every import path of the package keeps working.

Only ``ast``, ``tokenize`` and text edits are used: no ``exec``, ``eval`` or
``compile`` of module sources.
"""

from __future__ import annotations

import ast
import builtins
import os
import sys
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

__all__ = ["BundleError", "build_bundle", "bundle_module_order", "main", "write_bundle"]

BUNDLE_PACKAGE_NAME = "microflask"
BUNDLE_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

# Modules that only make sense as files of the source tree.
BUNDLE_EXCLUDED_MODULES = {"microflask.bundle", "microflask.__main__"}

# Names the package-names test lets every module define for itself.
BUNDLE_PER_MODULE_NAMES = {
    "__all__", "__doc__", "__version__", "__getattr__", "__dir__", "TYPE_CHECKING",
}

# Sections are ordered by the import graph; among modules that are ready at
# the same time, the layer (then this list) decides, so the file reads bottom-up
# the way the design describes the layers.
BUNDLE_LAYER_ORDER = [
    ["markup", "signing"],
    ["http", "datastructures", "urls", "local"],
    ["exceptions", "security", "utils", "formparser", "routing"],
    ["wrappers", "templating"],
    ["config", "signals", "globals", "ctx", "json", "scaffold", "sessions", "logging",
     "helpers", "_app_templates", "_async", "views", "blueprints", "app", "testing"],
    ["serving", "cli", "debug", "middleware"],
]


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


def find_package_modules(package_dir: str = BUNDLE_PACKAGE_DIR) -> Dict[str, BundleSourceModule]:
    """Every module of the package, by dotted name (bundler files excluded)."""
    modules: Dict[str, BundleSourceModule] = {}
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


BundleTarget = Tuple


class BundleNameResolver:
    """Finds what every top-level name of every module refers to."""

    def __init__(self, modules: Dict[str, BundleSourceModule]) -> None:
        self.modules = modules
        # module -> name -> raw binding (before following imports)
        self.raw_bindings: Dict[str, Dict[str, tuple]] = {}
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

    def _collect_bindings(self, module: BundleSourceModule) -> Dict[str, tuple]:
        bindings: Dict[str, tuple] = {}
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

    def resolve(self, dotted: str, name: str, seen: Optional[Set] = None) -> BundleTarget:
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

    def resolved_bindings(self, dotted: str) -> Dict[str, BundleTarget]:
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

    def __init__(self, node: ast.AST, parent: Optional["_BundleScope"]) -> None:
        self.node = node
        self.parent = parent
        self.is_class = isinstance(node, ast.ClassDef)
        self.bound: Set[str] = set()
        self.declared_global: Set[str] = set()
        self.declared_nonlocal: Set[str] = set()
        own_name = getattr(node, "name", "<%s>" % type(node).__name__.lower())
        if parent is None:
            self.qualname = own_name
        elif parent.is_class:
            self.qualname = parent.qualname + "." + own_name
        else:
            self.qualname = parent.qualname + ".<locals>." + own_name

    def refers_to_module_level(self, name: str, bound: Optional[Set[str]] = None) -> bool:
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
        self.global_name_nodes: List[ast.Name] = []
        self.global_statements: List[ast.Global] = []
        self.module_bound: Set[str] = set()
        # id(def, class, lambda or comprehension node) -> its scope
        self.scopes: Dict[int, _BundleScope] = {}
        # id(import statement inside a def or class) -> the scope it binds in
        self.import_scopes: Dict[int, _BundleScope] = {}
        self._collect_module_bound(tree)
        self._visit_body(tree, None)

    def _collect_module_bound(self, tree: ast.Module) -> None:
        for node in _walk_same_scope(tree):
            for name in _names_bound_by(node):
                self.module_bound.add(name)

    def _visit_body(self, node: ast.AST, scope: Optional[_BundleScope]) -> None:
        for child in ast.iter_child_nodes(node):
            self._visit(child, scope)

    def _new_scope(self, node: ast.AST, parent: Optional[_BundleScope]) -> _BundleScope:
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

    def _visit(self, node: ast.AST, scope: Optional[_BundleScope]) -> None:
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

    def _visit_arguments(self, arguments: ast.arguments, scope: Optional[_BundleScope]) -> None:
        for default in arguments.defaults + [d for d in arguments.kw_defaults if d is not None]:
            self._visit(default, scope)
        for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [
            arguments.vararg, arguments.kwarg
        ]:
            if arg is not None and arg.annotation is not None:
                self._visit(arg.annotation, scope)

    def free_names(self) -> Set[str]:
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


def _names_bound_by(node: ast.AST) -> List[str]:
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


def _layer_rank(dotted: str) -> Tuple[int, int, str]:
    parts = dotted.split(".")
    if len(parts) == 1:
        return (len(BUNDLE_LAYER_ORDER) + 1, 0, dotted)
    first = parts[1]
    for layer_index, names in enumerate(BUNDLE_LAYER_ORDER):
        if first in names:
            return (layer_index, names.index(first), dotted)
    return (len(BUNDLE_LAYER_ORDER), 0, dotted)


def module_dependencies(
    module: BundleSourceModule, resolver: BundleNameResolver
) -> Set[str]:
    """The package modules ``module`` needs at import time."""
    needed: Set[str] = set()
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


def bundle_module_order(modules: Dict[str, BundleSourceModule],
                        resolver: Optional[BundleNameResolver] = None) -> List[str]:
    """Modules in an order where each comes after everything it imports at
    module level; among ready modules, lower layers first.  A cycle is an
    error."""
    import heapq

    resolver = resolver or BundleNameResolver(modules)
    dependencies = {name: module_dependencies(module, resolver)
                    for name, module in modules.items()}
    dependents: Dict[str, Set[str]] = {name: set() for name in modules}
    for name, needed in dependencies.items():
        for other in needed:
            dependents[other].add(name)
    waiting = {name: len(needed) for name, needed in dependencies.items()}
    ready = [_layer_rank(name) for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: List[str] = []
    while ready:
        name = heapq.heappop(ready)[2]
        order.append(name)
        for other in dependents[name]:
            waiting[other] -= 1
            if waiting[other] == 0:
                heapq.heappush(ready, _layer_rank(other))
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

    def __init__(self, modules: Dict[str, BundleSourceModule], resolver: BundleNameResolver):
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
        claims: Dict[str, Set[tuple]] = {}
        for dotted, bindings in self.bindings.items():
            for name, target in bindings.items():
                claims.setdefault(name, set()).add(target)
        for name, target in root_children.items():
            claims.setdefault(name, set()).add(target)
        self.builtin_uses: Dict[str, Set[str]] = {}
        for dotted, finder in self.finders.items():
            for name in finder.free_names():
                if hasattr(builtins, name):
                    self.builtin_uses.setdefault(dotted, set()).add(name)
                    claims.setdefault(name, set()).add(("builtin", name))
        self.claims = claims
        self.keeper: Dict[str, tuple] = {}
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

    def renames_for(self, dotted: str) -> Dict[str, str]:
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

    def __init__(self, node: ast.stmt, scope: _BundleScope, lines: List[str],
                 dropped: List[str]) -> None:
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
                 lazy_modules: Iterable[str] = ()) -> None:
        self.module = module
        # modules whose sections run on first use (as the package imports them)
        self.lazy_modules = set(lazy_modules)
        self.is_lazy = module.dotted in self.lazy_modules
        self.plan = plan
        self.resolver = plan.resolver
        self.renames = plan.renames_for(module.dotted)
        # (start_line, end_line) -> replacement lines, 1-based inclusive
        self.statement_edits: Dict[Tuple[int, int], List[str]] = {}
        self.exported: Dict[str, str] = {}
        # imports inside a def or class body, as rewritten: see _check_local_imports
        self.local_imports: List[BundleLocalImport] = []
        self._dropped_by_scope: Dict[int, Set[str]] = {}
        # source line -> line of the written section, for lines kept as they were
        self.output_line_of: Dict[int, int] = {}

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

    def replace_statement(self, node: ast.stmt, new_lines: List[str]) -> None:
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
                    if name in self.lazy_modules and line not in lines:
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
                if alias.name not in resolver.modules:
                    lines.append("import " + alias.name + (
                        " as " + alias.asname if alias.asname else ""))
                else:
                    if alias.name in self.lazy_modules:
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

    def _external_import_lines(self, alias: ast.alias) -> List[str]:
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

    def _binding_lines(self, local: str, target: tuple, at_module_level: bool) -> List[str]:
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

    def _resolve_package_alias(self, source: str, alias: ast.alias) -> Optional[tuple]:
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

    def _local_import_scope(self, node: ast.stmt) -> Optional[_BundleScope]:
        """The def or class body an import binds in (None for the module's
        ``if TYPE_CHECKING:`` blocks, which go)."""
        return self.plan.finders[self.module.dotted].import_scopes.get(id(node))

    def _local_target(self, scope: _BundleScope, local: str) -> str:
        """The name a local import assigns: a ``global`` declaration makes it
        the module-level name (renamed like the module's others)."""
        if local in scope.declared_global:
            return self.renames.get(local, local)
        return local

    def _local_binding_lines(self, scope: _BundleScope, local: str, target: tuple) -> List[str]:
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

    def _dropped_local_imports(self, scope: _BundleScope) -> Set[str]:
        """Names whose imports in ``scope`` can simply be dropped: every
        binding of the name there is such an import, and once dropped, the
        name read in the function (or the defs nested in it) means the
        module-level object."""
        key = id(scope)
        if key in self._dropped_by_scope:
            return self._dropped_by_scope[key]
        function = scope.node
        dropped: Set[str] = set()
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # name -> for each binding of it in this scope: could it go?
            droppable: Dict[str, List[bool]] = {}
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

    def _check_local_imports(self, text: str) -> List[str]:
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
        span_edits = self._module_level_annotation_edits() if self.is_lazy else []
        self._keep_blocks_non_empty(tree)
        name_edits = self._name_edits(finder)
        text = self._apply_edits(name_edits, span_edits)
        problems = self._check_local_imports(text)
        if problems:
            raise BundleError("a rewritten import would read the wrong object:\n  "
                              + "\n  ".join(problems))
        return text

    def _module_level_annotation_edits(self) -> List[Tuple[int, int, int, str]]:
        """A lazy section runs inside a function, where a name declared
        ``global`` cannot be annotated: ``x: T = v`` becomes ``x = v``."""
        edits = []
        for node in iter_module_level_statements(self.module.tree.body):
            if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
                continue
            if node.value is None:
                self.replace_statement(node, [])
                continue
            if node.value.lineno != node.target.lineno:
                raise BundleError("%s:%d: the annotation of %s spans lines"
                                  % (self.module.path, node.lineno, node.target.id))
            edits.append((node.lineno, node.target.end_col_offset, node.value.col_offset,
                          " = "))
        return edits

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

    def _name_edits(self, finder: BundleGlobalNameFinder) -> List[Tuple[int, int, int, str]]:
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

    def _apply_edits(self, name_edits: List[Tuple[int, int, int, str]],
                     span_edits: Sequence[Tuple[int, int, int, str]] = ()) -> str:
        lines = [line.encode("utf-8") for line in self.module.lines]
        by_line: Dict[int, List[Tuple[int, int, str]]] = {}
        for lineno, start, end, text in name_edits:
            old = lines[lineno - 1][start:end].decode("utf-8")
            if not old.isidentifier():
                raise BundleError("%s:%d: cannot rename %r (column %d)"
                                  % (self.module.path, lineno, old, start))
            by_line.setdefault(lineno, []).append((start, end, text))
        for lineno, start, end, text in span_edits:
            by_line.setdefault(lineno, []).append((start, end, text))
        replaced_lines: Set[int] = set()
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
        output: List[str] = []
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

    def export_map(self) -> Dict[str, str]:
        """Public attribute name -> shared-namespace name, for the view."""
        exports = {}
        for name, target in self.plan.bindings[self.module.dotted].items():
            if target[0] == "missing":
                continue
            if target[0] == "mod":
                continue  # bound by the module view machinery itself
            exports[name] = self.renames.get(name, name)
        return exports

    def module_submodule_names(self) -> Dict[str, str]:
        return {
            name: target[1]
            for name, target in self.plan.bindings[self.module.dotted].items()
            if target[0] == "mod"
        }

    def defined_names(self) -> List[str]:
        """Functions and classes this module defines (their ``__module__``
        becomes the module's dotted name, as in the package)."""
        return [
            node.name for node in iter_module_level_statements(self.module.tree.body)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        ]

    def rebound_names(self) -> Set[str]:
        """Names a function of this module rebinds with ``global``."""
        names: Set[str] = set()
        for node in self.plan.finders[self.module.dotted].global_statements:
            names.update(node.names)
        return names


def _alias_text(alias: ast.alias) -> str:
    return alias.name + (" as " + alias.asname if alias.asname else "")


# -- the file ------------------------------------------------------------------


_BUNDLE_HEADER = '''\
"""microflask as one file: Flask, rebuilt from nothing but the standard library.

Written by ``python -m microflask bundle`` from the microflask package
(version {version}); edit the package, not this file.  The modules follow one
another in import order, each under a banner with its name, all in this one
namespace (a name that would mean two things is renamed in its section).  The
end of each section hands its names to the module object
``{package}.<name>``, so every import path of the package works from this
file.  Modules the package imports only on demand (the test client, the CLI,
the signing layer...) are sections wrapped in a function that runs on the
first use of their module object, so importing this file costs no more than
importing the package.  ``python microflask.py`` is the ``microflask`` command.
"""

from __future__ import annotations

import sys as _bundle_sys
import types as _bundle_types

_bundle_prefix = "{package}" if __name__ == "__main__" else __name__
# Like a package, with no directory to look in: ``import {package}.x`` finds the
# module objects registered below, and a missing one fails cleanly.
__path__ = []
_bundle_namespace = globals()


class _BundleModuleView(_bundle_types.ModuleType):
    """A module of the package, as a view on this file's namespace.

    Its names are copied in when its section has run.  Setting one of the
    module's own names writes through to the shared namespace, so patching
    ``microflask.helpers.send_file`` reaches the code that calls it; names
    the module rebinds at run time are read live.
    """

    def __setattr__(self, name, value):
        if self.__name__ in _bundle_pending_views:
            _bundle_complete_view(self.__name__)
        live = _bundle_live_names.get(self.__name__, {{}}).get(name)
        if live is not None:
            _bundle_namespace[live] = value
            return
        super().__setattr__(name, value)
        shared = _bundle_shared_names.get(self.__name__, {{}}).get(name)
        if shared is not None:
            _bundle_namespace[shared] = value

    def __delattr__(self, name):
        if self.__name__ in _bundle_pending_views:
            _bundle_complete_view(self.__name__)
        live = _bundle_live_names.get(self.__name__, {{}}).get(name)
        if live is not None:
            del _bundle_namespace[live]
            return
        super().__delattr__(name)
        shared = _bundle_shared_names.get(self.__name__, {{}}).get(name)
        if shared is not None:
            _bundle_namespace.pop(shared, None)

    def __getattr__(self, name):
        if self.__name__ in _bundle_pending_views:
            _bundle_complete_view(self.__name__)
            return getattr(self, name)
        if self.__name__ in _bundle_lazy_sections:
            _bundle_run_lazy_section(self.__name__)
            return getattr(self, name)
        live = _bundle_live_names.get(self.__name__, {{}}).get(name)
        if live is not None and live in _bundle_namespace:
            return _bundle_namespace[live]
        raise AttributeError("module %r has no attribute %r" % (self.__name__, name))

    def __dir__(self):
        if self.__name__ in _bundle_lazy_sections:
            _bundle_run_lazy_section(self.__name__)
        if self.__name__ in _bundle_pending_views:
            _bundle_complete_view(self.__name__)
        return sorted(set(self.__dict__) | set(_bundle_live_names.get(self.__name__, ())))


_bundle_shared_names = {{}}
_bundle_live_names = {{}}
# Module objects are filled on their first use (most programs never touch them).
_bundle_pending_views = {{}}
# Sections the package imports only on demand (the test client, the CLI, the
# signing layer...) are functions here, run on the first use of their module.
_bundle_lazy_sections = {{}}
_bundle_lazy_lock = __import__("_thread").RLock()


def _bundle_run_lazy_section(full_name):
    with _bundle_lazy_lock:
        section = _bundle_lazy_sections.pop(full_name, None)
        if section is None:
            return
        try:
            section()
        except BaseException:
            _bundle_lazy_sections[full_name] = section
            raise


def _bundle_require(dotted):
    """Run the section of a module the package imports on demand, unless it
    has run already (what ``import`` of that module does in the package)."""
    full_name = _bundle_module_views[dotted].__name__
    if full_name in _bundle_lazy_sections:
        _bundle_run_lazy_section(full_name)


def _bundle_fix_qualname(obj, prefix):
    """Drop the section function's name from a qualified name."""
    qualname = getattr(obj, "__qualname__", None)
    if not (isinstance(qualname, str) and qualname.startswith(prefix)):
        return
    try:
        obj.__qualname__ = qualname[len(prefix):]
    except (AttributeError, TypeError):
        return
    if isinstance(obj, type):
        for member in list(vars(obj).values()):
            for inner in (member, getattr(member, "__func__", None),
                          getattr(member, "fget", None), getattr(member, "fset", None)):
                if inner is not None:
                    _bundle_fix_qualname(inner, prefix)
_bundle_module_views = {{"{package}": _bundle_sys.modules.get(__name__)}}


def _bundle_register_lazy_section(dotted, section):
    _bundle_lazy_sections[_bundle_module_views[dotted].__name__] = section


def _bundle_register_module(dotted, is_package):
    full_name = _bundle_prefix + dotted[len("{package}"):]
    view = _BundleModuleView(full_name)
    view.__file__ = __file__
    view.__package__ = full_name if is_package else full_name.rpartition(".")[0]
    if is_package:
        view.__path__ = []
    _bundle_module_views[dotted] = view
    _bundle_sys.modules[full_name] = view


def _bundle_fill_module(dotted, names, renamed, live, children, defined):
    """A section has run: name its classes and functions after their module,
    and copy its names into the module object when that is first used."""
    view = _bundle_module_views[dotted]
    namespace = _bundle_namespace
    full_name = view.__name__
    for name in defined.split():
        value = namespace[renamed.get(name, name)]
        value.__module__ = full_name
        qualname = getattr(value, "__qualname__", "")
        if qualname.startswith("_bundle_section_"):
            _bundle_fix_qualname(value, qualname.partition("<locals>.")[0] + "<locals>.")
    _bundle_pending_views[full_name] = (names, renamed, live, children)


def _bundle_complete_view(full_name):
    """Copy a finished section's names into its module object."""
    with _bundle_lazy_lock:
        pending = _bundle_pending_views.get(full_name)
        if pending is not None:
            _bundle_fill_view(full_name, *pending)
            del _bundle_pending_views[full_name]


def _bundle_fill_view(full_name, names, renamed, live, children):
    view = _bundle_sys.modules.get(full_name)
    if not isinstance(view, _BundleModuleView):
        return
    namespace = _bundle_namespace
    get = renamed.get
    shared = {{name: get(name, name) for name in names.split()}}
    live_names = live.split()
    for name in live_names:
        del shared[name]
    values = view.__dict__
    values.update(
        {{name: namespace[shared_name] for name, shared_name in shared.items()
         if shared_name in namespace}}
    )
    if live_names:
        _bundle_live_names[full_name] = {{name: get(name, name) for name in live_names}}
    for name, child in children.items():
        values[name] = _bundle_module_views[child]
    _bundle_shared_names[full_name] = shared


'''


def eagerly_imported_modules(modules: Dict[str, BundleSourceModule],
                              resolver: BundleNameResolver) -> Set[str]:
    """The modules ``import microflask`` runs in the package (the root, what it
    imports at module level, their parent packages, and so on)."""
    eager: Set[str] = set()
    pending = [BUNDLE_PACKAGE_NAME]
    while pending:
        dotted = pending.pop()
        if dotted in eager or dotted not in modules:
            continue
        eager.add(dotted)
        pending.extend(module_dependencies(modules[dotted], resolver))
        parent = dotted.rpartition(".")[0]
        if parent:
            pending.append(parent)
    return eager


def _section_banner(module: BundleSourceModule) -> str:
    rule = "# " + "=" * 76 + "\n"
    relative = os.path.relpath(module.path, os.path.dirname(BUNDLE_PACKAGE_DIR)).replace(os.sep, "/")
    return "\n\n" + rule + "# %s  (%s)\n" % (module.dotted, relative) + rule + "\n"


def _package_version(modules: Dict[str, BundleSourceModule]) -> str:
    for node in modules[BUNDLE_PACKAGE_NAME].tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ) and isinstance(node.value, ast.Constant):
            return str(node.value.value)
    return "unknown"


def _format_names(names: Iterable[str], indent: str = "    ") -> str:
    """Space-separated names wrapped to the line length, as string literals."""
    lines: List[str] = []
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


def build_bundle(package_dir: str = BUNDLE_PACKAGE_DIR) -> str:
    """The text of the single-file bundle of the package in ``package_dir``."""
    modules = find_package_modules(package_dir)
    if BUNDLE_PACKAGE_NAME not in modules:
        raise BundleError("no %s/__init__.py under %s" % (BUNDLE_PACKAGE_NAME, package_dir))
    resolver = BundleNameResolver(modules)
    order = bundle_module_order(modules, resolver)
    plan = BundleNamePlan(modules, resolver)
    eager = eagerly_imported_modules(modules, resolver)
    lazy_modules = set(modules) - eager
    parts = [_BUNDLE_HEADER.format(version=_package_version(modules), package=BUNDLE_PACKAGE_NAME)]
    for dotted in order:
        if dotted != BUNDLE_PACKAGE_NAME:
            parts.append("_bundle_register_module(%r, %r)\n"
                         % (dotted, modules[dotted].is_package))
    builtin_names = sorted({
        plan.renames_for(dotted)[name]
        for dotted, names in plan.builtin_uses.items()
        for name in names if name in plan.renames_for(dotted)
    })
    if builtin_names:
        parts.append("\n# Builtins that a module of the package shadows, kept for the others.\n")
        for name in builtin_names:
            parts.append("%s = %s\n" % (name, name[len("_builtin_"):]))
    for dotted in order:
        module = modules[dotted]
        writer = BundleSectionWriter(module, plan, lazy_modules=lazy_modules)
        parts.append(_section_banner(module))
        section = writer.section_text()
        if dotted == BUNDLE_PACKAGE_NAME:
            parts.append(section)
            parts.append(_root_tail(plan, writer))
            continue
        exports = writer.export_map()
        renamed = {name: shared for name, shared in exports.items() if name != shared}
        live = sorted(name for name in writer.rebound_names() if name in exports)
        children = {
            name: child for child in modules
            for name in [child.rpartition(".")[2]]
            if child.rpartition(".")[0] == dotted
        }
        children.update(writer.module_submodule_names())
        fill = (
            "\n_bundle_fill_module(\n    %r,\n    %s,\n    %r,\n    %r,\n    %r,\n    %s,\n)\n"
            % (dotted, _format_names(sorted(exports)), renamed, " ".join(live), children,
               _format_names(writer.defined_names()))
        )
        if dotted in lazy_modules:
            parts.append(_lazy_section_text(dotted, section + fill))
        else:
            parts.append(section + fill)
    text = "".join(parts)
    ast.parse(text)  # the output must at least be valid Python
    return text


def _indent_code(text: str, indent: str = "    ") -> str:
    """Indent Python source one level, leaving the inside of multi-line
    strings untouched (their text is part of the program's data)."""
    import io
    import tokenize

    inside_strings: Set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.end[0] > token.start[0]:
            inside_strings.update(range(token.start[0] + 1, token.end[0] + 1))
    output = []
    for lineno, line in enumerate(text.splitlines(keepends=True), 1):
        if lineno in inside_strings:
            output.append(line)
        elif line.strip():
            output.append(indent + line)
        else:
            output.append("\n")
    return "".join(output)


def _lazy_section_text(dotted: str, section: str) -> str:
    """A section the package imports only on demand, as a function that runs
    it on the first use of its module object."""
    function_name = "_bundle_section_" + dotted.replace(".", "_")
    tree = ast.parse(section)
    bound: Set[str] = set()
    for node in _walk_same_scope(tree):
        bound.update(_names_bound_by(node))
    lines = [
        "# The package imports %s only on demand; its section runs on first use.\n" % dotted,
        "def %s():\n" % function_name,
    ]
    names = sorted(bound)
    while names:
        chunk, names = names[:6], names[6:]
        lines.append("    global " + ", ".join(chunk) + "\n")
    lines.append(_indent_code(section))
    lines.append("\n\n_bundle_register_lazy_section(%r, %s)\n" % (dotted, function_name))
    return "".join(lines)


def _root_tail(plan: BundleNamePlan, writer: BundleSectionWriter) -> str:
    """Bind the package's direct submodules as attributes of the bundle."""
    lines = ["\n# The package's submodules, as attributes of the package.\n"]
    root_bindings = plan.bindings[BUNDLE_PACKAGE_NAME]
    for name, target in sorted(plan.root_children.items()):
        if name in root_bindings:
            continue
        if plan.keeper.get(name) != target:
            print("microflask.bundle: warning: %s.%s is shadowed by %r"
                  % (BUNDLE_PACKAGE_NAME, name, plan.keeper.get(name)), file=sys.stderr)
            continue
        lines.append("%s = _bundle_module_views[%r]\n" % (name, target[1]))
    lines.append("del _bundle_register_module, _bundle_register_lazy_section\n")
    if BUNDLE_PACKAGE_NAME + ".cli" in plan.modules:
        lines.append(
            "\n\nif __name__ == \"__main__\":\n"
            "    # ``python microflask.py ...`` is the ``microflask`` command.\n"
            "    _bundle_sys.modules.setdefault(%r, _bundle_sys.modules[__name__])\n"
            "    _bundle_module_views[%r].main()\n" % (BUNDLE_PACKAGE_NAME, BUNDLE_PACKAGE_NAME + ".cli")
        )
    return "".join(lines)


def write_bundle(output_path: str, package_dir: str = BUNDLE_PACKAGE_DIR) -> int:
    """Write the bundle to ``output_path``; return its number of lines."""
    text = build_bundle(package_dir)
    directory = os.path.dirname(os.path.abspath(output_path))
    os.makedirs(directory, exist_ok=True)
    with open(output_path, "w", encoding="utf-8") as output_file:
        output_file.write(text)
    return text.count("\n")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: ``bundle [-o FILE]`` (stdout when no file is given)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="microflask bundle",
        description="Write microflask as one Python file.",
    )
    parser.add_argument("-o", "--output", metavar="FILE", default="-",
                        help="where to write the bundle ('-' for stdout, the default)")
    options = parser.parse_args(argv)
    try:
        if options.output == "-":
            sys.stdout.write(build_bundle())
            return 0
        line_count = write_bundle(options.output)
    except BundleError as error:
        print("microflask bundle: error: %s" % error, file=sys.stderr)
        return 1
    print("wrote %s (%d lines)" % (options.output, line_count), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
