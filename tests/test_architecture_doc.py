"""docs/architecture.md stays true: its links point at the functions they
name, and its layer table is the one in microflask/_layers.py."""

from __future__ import annotations

import re
from pathlib import Path

from microflask._layers import LAYERS, PARTS, part_of

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
LINK = re.compile(r"\[`?([\w.]+)`?\]\(\.\./([\w/.]+)#L(\d+)\)")


def layer_table() -> list[str]:
    """The rows the doc's layer table must have, made from the table."""
    rows = ["| layer | core | tools | compat |", "| --- | --- | --- | --- |"]
    members: dict[int, dict[str, list[str]]] = {
        layer: {"core": [], "tools": [], "compat": []} for layer in LAYERS
    }
    for layer, names in LAYERS.items():
        for name in names:
            members[layer][part_of(name)].append(name)
    for part, names in PARTS.items():
        for name in names:
            if name not in [n for ns in LAYERS.values() for n in ns]:
                layer = next(lay for lay, ns in LAYERS.items()
                             if any(name.startswith(n + ".") for n in ns))
                members[layer][part].append(name)

    def short(name: str) -> str:
        return "microflask" if name == "microflask" else name[len("microflask."):].replace(
            "__main__", "\\_\\_main\\_\\_")

    for layer in sorted(members):
        cells = [", ".join(short(n) for n in members[layer][part])
                 for part in ("core", "tools", "compat")]
        rows.append("| %d | %s |" % (layer, " | ".join(cells)))
    return rows


def test_every_function_link_points_at_its_definition():
    wrong = []
    for text, path, line in LINK.findall(DOC.read_text(encoding="utf-8")):
        name = text.rsplit(".", 1)[-1]
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
        at = lines[int(line) - 1] if int(line) <= len(lines) else ""
        if not re.search(r"\b(def|class) %s\b" % re.escape(name), at):
            found = [i + 1 for i, source in enumerate(lines)
                     if re.search(r"\b(def|class) %s\b" % re.escape(name), source)]
            wrong.append("%s -> %s#L%s (defined at %s)" % (text, path, line, found))
    assert wrong == []


def test_the_doc_links_functions_not_just_files():
    assert len(LINK.findall(DOC.read_text(encoding="utf-8"))) >= 20


def test_the_layer_table_is_the_one_in_layers_py():
    text = DOC.read_text(encoding="utf-8")
    start = text.index("<!-- layer table")
    end = text.index("<!-- end of layer table -->")
    documented = [line.strip() for line in text[start:end].splitlines()[1:] if line.strip()]
    normalised = [re.sub(r"\s*\|\s*", "|", row) for row in documented]
    assert normalised == [re.sub(r"\s*\|\s*", "|", row) for row in layer_table()]


def test_readme_and_hacking_point_at_the_doc_not_outside_the_repository():
    for name in ("README.md", "HACKING.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "docs/architecture.md" in text, name
        assert "../shared" not in text and "shared/design.md" not in text, name
