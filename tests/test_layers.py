"""Imports only go down: the layer table of ``microflask/_layers.py`` enforced.

Every module of the package is read with ``ast`` (nothing is imported), and
every import of a microflask module is checked, at module level and inside
functions alike.  An import that goes up a layer must be in
``UPWARD_IMPORTS`` below, with the reason the peer has the same one.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass

import pytest

from microflask._layers import LAYERS, PARTS, layer_of, part_of

PACKAGE_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "microflask"
)

# (importer, imported): why the peer has the same upward reference.  Each is
# made inside a function, so importing the lower module never loads the upper.
UPWARD_IMPORTS = {
    ("microflask.exceptions", "microflask.wrappers"):
        "Werkzeug's HTTPException.get_response builds a Response (werkzeug.exceptions "
        "imports werkzeug.wrappers inside the method)",
    ("microflask.utils", "microflask.wrappers"):
        "Werkzeug's redirect() and send_file() build a Response (werkzeug.utils imports "
        "werkzeug.wrappers inside them)",
    ("microflask.wrappers", "microflask.testing"):
        "Werkzeug's Request.from_values builds its environ with werkzeug.test's "
        "EnvironBuilder",
    ("microflask.templating", "microflask._app_templates"):
        "the module map sends flask.templating here too, so its four Flask names "
        "(render_template...) are looked up in the app layer when first asked for",
    ("microflask.app", "microflask.cli"):
        "Flask's app.cli is a click group made from flask.cli",
    ("microflask.app", "microflask.serving"):
        "Flask's app.run() starts werkzeug.serving's development server",
    ("microflask.testing", "microflask.cli"):
        "Flask's FlaskCliRunner (app.test_cli_runner) invokes flask.cli's ScriptInfo",
    ("microflask.scaffold", "microflask.cli"):
        "Flask's Blueprint.cli (sansio scaffold) is a flask.cli AppGroup",
}


@dataclass
class ImportSite:
    importer: str
    imported: str
    lineno: int
    in_function: bool
    type_checking_only: bool


def _module_names() -> dict[str, str]:
    """Dotted name -> path, for every module of the package."""
    modules = {}
    root = os.path.dirname(PACKAGE_DIR)
    for directory, subdirs, files in os.walk(PACKAGE_DIR):
        subdirs[:] = [d for d in subdirs if d != "__pycache__"]
        for filename in files:
            if filename.endswith(".py"):
                path = os.path.join(directory, filename)
                parts = os.path.relpath(path, root)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                modules[".".join(parts)] = path
    return modules


MODULES = _module_names()


def _is_type_checking(test: ast.expr) -> bool:
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING"


def _imported_modules(node: ast.AST, importer: str, is_package: bool) -> list[str]:
    """The microflask modules one import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "microflask"]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = importer if is_package else importer.rpartition(".")[0]
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source.split(".")[0] != "microflask":
        return []
    # ``from microflask import cli`` imports the module microflask.cli.
    submodules = [source + "." + alias.name for alias in node.names
                  if source + "." + alias.name in MODULES]
    if submodules and len(submodules) == len(node.names):
        return submodules
    return [source] + submodules


def _import_sites(importer: str) -> list[ImportSite]:
    path = MODULES[importer]
    with open(path, encoding="utf-8") as source_file:
        tree = ast.parse(source_file.read(), filename=path)
    is_package = path.endswith("__init__.py")
    sites: list[ImportSite] = []

    def walk(node: ast.AST, in_function: bool, type_checking_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for imported in _imported_modules(child, importer, is_package):
                    sites.append(ImportSite(importer, imported, child.lineno,
                                            in_function, type_checking_only))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                walk(child, True, type_checking_only)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    walk(ast.Module(body=[statement], type_ignores=[]), in_function, True)
                for statement in child.orelse:
                    walk(ast.Module(body=[statement], type_ignores=[]), in_function,
                         type_checking_only)
            else:
                walk(child, in_function, type_checking_only)

    walk(tree, False, False)
    return sites


SITES = [site for name in sorted(MODULES) for site in _import_sites(name)]


def _where(site: ImportSite) -> str:
    return "%s line %d imports %s" % (site.importer, site.lineno, site.imported)


def test_every_module_has_a_layer():
    assert [name for name in MODULES if layer_of(name) is None] == []


def test_the_layer_table_names_only_real_modules_each_once():
    for table in (LAYERS, PARTS):
        listed = [name for names in table.values() for name in names]
        assert [name for name in listed if name not in MODULES] == []
        assert len(listed) == len(set(listed))


def test_imports_only_go_down_or_are_allowed_with_the_peers_reason():
    upward = [
        _where(site) for site in SITES
        if not site.type_checking_only
        and layer_of(site.imported) > layer_of(site.importer)
        and (site.importer, site.imported) not in UPWARD_IMPORTS
    ]
    assert upward == []


def test_allowed_upward_imports_are_made_inside_functions_only():
    at_import_time = [
        _where(site) for site in SITES
        if (site.importer, site.imported) in UPWARD_IMPORTS
        and not site.in_function and not site.type_checking_only
    ]
    assert at_import_time == []


def test_every_allowed_upward_import_is_still_used():
    used = {(site.importer, site.imported) for site in SITES}
    assert sorted(set(UPWARD_IMPORTS) - used) == []


def test_templating_does_not_reach_into_the_app():
    """The engine knows nothing of apps (the design's first promise)."""
    reaching = [
        _where(site) for site in SITES
        if site.importer.startswith("microflask.templating")
        and not site.imported.startswith("microflask.templating")
        and site.imported != "microflask.markup"
        # Only flask.templating's names, through the module map (see above).
        and (site.importer, site.imported) != ("microflask.templating", "microflask._app_templates")
    ]
    assert reaching == []


def test_no_function_level_import_of_a_module_already_imported_at_the_top():
    top = {(site.importer, site.imported) for site in SITES
           if not site.in_function and not site.type_checking_only}
    repeated = [
        _where(site) for site in SITES
        if site.in_function and (site.importer, site.imported) in top
    ]
    assert repeated == []


def test_no_function_level_import_of_a_leaf_module():
    """Leaf modules import no other microflask module: nothing to defer."""
    deferred = [
        _where(site) for site in SITES
        if site.in_function and layer_of(site.imported) == 0
        and layer_of(site.importer) > 0
    ]
    assert deferred == []


def test_core_modules_load_no_tool_or_compat_module_at_import_time():
    loaded = [
        _where(site) for site in SITES
        if not site.in_function and not site.type_checking_only
        and part_of(site.importer) == "core" and part_of(site.imported) != "core"
        and site.importer != "microflask.templating"
    ]
    assert loaded == []


def _module_level_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for site in SITES:
        if not site.in_function and not site.type_checking_only and site.imported in MODULES:
            graph[site.importer].add(site.imported)
    return graph


def test_no_import_cycles_at_module_level():
    graph = _module_level_graph()
    cycles = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for imported in sorted(graph[name]):
            # A package importing its own submodules is not a cycle back up.
            if imported.startswith(name + "."):
                continue
            if state.get(imported) == 1:
                cycles.append(" -> ".join(trail[trail.index(imported):] + [imported]))
            elif imported not in state:
                visit(imported, trail + [imported])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("dotted", ["microflask.markup", "microflask.signing.signer"])
def test_leaf_modules_import_nothing_of_microflask_outside_their_own_package(dotted):
    own_package = dotted.rsplit(".", 1)[0] if dotted.count(".") > 1 else dotted
    outside = [_where(site) for site in SITES
               if site.importer == dotted and not site.imported.startswith(own_package)]
    assert outside == []
