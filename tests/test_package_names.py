"""The single-file bundle puts every module in one namespace, so a top-level
name may be defined by only one module (plain alias lines excepted)."""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "microflask"
IGNORED = {"__all__", "__doc__", "__version__", "__getattr__", "__dir__", "TYPE_CHECKING"}


def top_level_definitions(path):
    """Yield (name, is_alias) for each name a module binds at top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name, False
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            is_alias = isinstance(node.value, (ast.Name, ast.Attribute))
            for target in targets:
                for name_node in ast.walk(target):
                    if isinstance(name_node, ast.Name):
                        yield name_node.id, is_alias


def test_top_level_names_are_unique_across_modules():
    owners = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for name, is_alias in set(top_level_definitions(path)):
            if name in IGNORED or is_alias:
                continue
            owners.setdefault(name, []).append(module)
    clashes = {name: mods for name, mods in owners.items() if len(mods) > 1}
    assert not clashes, "top-level names defined in more than one module: %r" % clashes


def test_every_public_name_is_its_modules_object():
    # The package loads its names on first use (``__getattr__``); each must be
    # the very object its module defines, as the eager imports gave.
    import importlib

    import microflask

    for name in microflask.__all__ + ["run_simple", "Client"]:
        module_name = microflask._MODULE_OF_PUBLIC_NAME[name]
        module = importlib.import_module(module_name)
        expected = module if module_name == "microflask." + name else getattr(module, name)
        assert getattr(microflask, name) is expected, name
        assert name in dir(microflask)
    assert set(microflask.__all__) <= set(microflask._MODULE_OF_PUBLIC_NAME)


def test_an_unknown_package_name_is_an_attribute_error():
    import pytest

    import microflask

    with pytest.raises(AttributeError, match="no attribute 'Flaks'"):
        microflask.Flaks  # noqa: B018
    with pytest.raises(ImportError):
        exec("from microflask import Flaks", {})


def test_the_type_checking_imports_say_what_the_table_says():
    # Type checkers read the ``if TYPE_CHECKING:`` imports; Python reads the
    # table.  They must name the same modules for the same names.
    import microflask

    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
    imported = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            assert alias.asname == alias.name  # re-exported as itself
            module = node.module if node.module != "microflask" else "microflask." + alias.name
            imported[alias.name] = module
    assert imported == microflask._MODULE_OF_PUBLIC_NAME
