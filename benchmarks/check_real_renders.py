"""Check (not a benchmark): do real tools build the same output on microflask?

    python benchmarks/check_real_renders.py            # Sphinx, then cookiecutter
    python benchmarks/check_real_renders.py --only sphinx --themes alabaster

Each tool runs twice in a fresh subprocess: once with the real Jinja2 and
MarkupSafe, once with the module map applied (``jinja2`` and every
``jinja2.<name>`` resolve to ``microflask.templating`` and its submodules,
``markupsafe`` to ``microflask.markup``; any other ``jinja2.*`` /
``markupsafe.*`` import fails loudly instead of reaching the real package).
The two output trees are compared byte for byte; the script prints how many
files are identical and the first differing lines of each difference, or the
traceback when the microflask run fails.

- Sphinx: a small project made in a temp dir (conf.py, a toctree, two pages
  with code blocks, tables, maths, an ``.. only:: html`` block, an index
  entry, a Python domain object, and a ``_templates/layout.html`` that
  extends ``!layout.html``), built with the ``html`` builder under each
  installed theme of ``--themes``, and with the ``epub``, ``latex`` and
  ``gettext`` builders (their own templates, LaTeX's ``<%= %>``
  delimiters).  ``SOURCE_DATE_EPOCH`` is fixed so dates agree; ``*.epub``
  archives (file times inside) are not compared, their unpacked files are.
- cookiecutter: a small template made in a temp dir, using its default
  extensions (``{% now 'utc', '%Y' %}``, ``slugify``, ``jsonify``).

Everything happens in a temporary directory that is removed afterwards.
Exit status 0 when every comparison matched, 1 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CHILD_TIMEOUT_SECONDS = 180
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01 00:00 UTC
DEFAULT_THEMES = "alabaster,classic,sphinx_rtd_theme,furo"
EXTRA_BUILDERS = ("epub", "latex", "gettext")
LEAK_MARKER = "MODULE-MAP-LEAK:"


# -- the child process: the module map, then the tool ---------------------------------


class _RefuseUnmappedPeerModules(importlib.abc.MetaPathFinder):
    """Any ``jinja2.*`` / ``markupsafe.*`` name the map lacks fails clearly."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith(("jinja2.", "markupsafe.")) and fullname not in sys.modules:
            raise ModuleNotFoundError(
                "module map: %r has no microflask equivalent" % fullname, name=fullname)
        return None


def install_module_map() -> int:
    """Point ``jinja2``, ``jinja2.<sub>`` and ``markupsafe`` at microflask's
    modules; return how many names were mapped."""
    sys.path.insert(0, ROOT)
    templating = importlib.import_module("microflask.templating")
    markup = importlib.import_module("microflask.markup")
    sys.modules["jinja2"] = templating
    mapped = 1
    for info in pkgutil.iter_modules(templating.__path__):
        module = importlib.import_module("microflask.templating." + info.name)
        sys.modules["jinja2." + info.name] = module
        mapped += 1
    sys.modules["markupsafe"] = markup
    sys.meta_path.insert(0, _RefuseUnmappedPeerModules())
    return mapped + 1


def report_leaks() -> None:
    """Name any module loaded from the real jinja2 / markupsafe packages."""
    real_dirs = []
    for name in ("jinja2", "markupsafe"):
        # find_spec through the path finder only: sys.modules holds the map.
        spec = importlib.machinery.PathFinder.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            real_dirs += [os.path.join(p, "") for p in spec.submodule_search_locations]
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None) or ""
        if any(filename.startswith(d) for d in real_dirs):
            print("%s %s %s" % (LEAK_MARKER, name, filename), file=sys.stderr)


def child_main(engine: str, tool: str, arguments: list[str]) -> int:
    if engine == "microflask":
        mapped = install_module_map()
        print("module map: jinja2 -> microflask.templating, markupsafe -> microflask.markup "
              "(%d names)" % mapped, file=sys.stderr)
    try:
        if tool == "sphinx":
            from sphinx.cmd.build import main as sphinx_build

            return sphinx_build(arguments)
        if tool == "cookiecutter":
            from cookiecutter.main import cookiecutter

            template, output_dir, config_file = arguments
            cookiecutter(template, no_input=True, output_dir=output_dir,
                         config_file=config_file)
            return 0
        raise SystemExit("unknown tool %r" % tool)
    finally:
        if engine == "microflask":
            report_leaks()


# -- the parent: sample inputs ------------------------------------------------------------


SPHINX_PROJECT = {
    "conf.py": '''
        project = "Sample"
        author = "Ada Lovelace"
        copyright = "2026, Ada Lovelace"
        release = "1.2.3"
        version = "1.2"
        extensions = ["sphinx.ext.mathjax"]
        templates_path = ["_templates"]
        html_static_path = []
        epub_uid = "sample-1.2.3"
    ''',
    "_templates/layout.html": '''
        {%- extends "!layout.html" %}
        {%- block footer %}
        {{ super() }}
        <p class="sample-footer">Built for {{ project|e }} {{ release|e }} &mdash; {{ pagename }}</p>
        {%- endblock %}
    ''',  # noqa: E501
    "index.rst": '''
        Sample project
        ==============

        .. toctree::
           :maxdepth: 2
           :caption: Contents

           guide
           reference

        Welcome to *Sample*. Read the :doc:`guide` first, then :ref:`ref-table`.

        .. only:: html

           This paragraph appears only in HTML output.

        .. only:: latex

           This paragraph appears only in LaTeX output.

        Indices
        -------

        * :ref:`genindex`
        * :ref:`search`
    ''',
    "guide.rst": '''
        Guide
        =====

        .. index:: single: configuration; guide

        Installing
        ----------

        .. code-block:: console

           $ pip install sample

        Using it
        --------

        .. code-block:: python
           :emphasize-lines: 3

           from sample import App

           app = App("demo", workers=4)
           for job in app.jobs():
               print(f"{job.name!r} <done> & counted")

        .. note::

           The quick brown fox jumps over the lazy dog & friends.

        The energy is :math:`E = mc^2`, and in display:

        .. math::

           \\int_0^1 x^2 \\, dx = \\frac{1}{3}
    ''',
    "reference.rst": '''
        Reference
        =========

        .. py:function:: run(name, workers=1)

           Run the app called *name* with ``workers`` processes.

        .. _ref-table:

        Options
        -------

        .. list-table:: Options
           :header-rows: 1

           * - Option
             - Default
             - Meaning
           * - ``workers``
             - 1
             - How many processes
           * - ``debug``
             - ``False``
             - Show tracebacks <here> & there

        +--------+--------+
        | Grid   | Table  |
        +========+========+
        | a      | b      |
        +--------+--------+
    ''',
}

COOKIECUTTER_TEMPLATE = {
    "cookiecutter.json": json.dumps(
        {
            "project_name": "Demo Project",
            "project_slug": "{{ cookiecutter.project_name|slugify }}",
            "author": "Ada Lovelace",
            "license": ["MIT", "BSD-3-Clause"],
            "use_cli": "y",
            "year": "{% now 'utc', '%Y' %}",
            "python": {"min": "3.9", "max": "3.13"},
        },
        indent=2,
    ),
    "{{cookiecutter.project_slug}}/README.md": '''
        # {{ cookiecutter.project_name }}

        Copyright (c) {% now 'utc', '%Y' %} {{ cookiecutter.author }}, {{ cookiecutter.license }}.
        Year from the context: {{ cookiecutter.year }}; shifted by days=0: {% now 'utc' + 'days=0', '%Y' %}.

        {% if cookiecutter.use_cli == 'y' -%}
        Run `{{ cookiecutter.project_slug }} --help`.
        {%- else -%}
        Import it.
        {%- endif %}

        Supported Pythons:
        {% for minor in range(cookiecutter.python.min.split('.')[1]|int, cookiecutter.python.max.split('.')[1]|int + 1) -%}
        - 3.{{ minor }}{{ "," if not loop.last }}
        {% endfor %}
    ''',  # noqa: E501
    "{{cookiecutter.project_slug}}/pyproject.toml": '''
        [project]
        name = "{{ cookiecutter.project_slug }}"
        requires-python = ">={{ cookiecutter.python.min }}"
        authors = [{ name = "{{ cookiecutter.author|replace('"', '\\\\"') }}" }]
        {%- if cookiecutter.use_cli == 'y' %}

        [project.scripts]
        {{ cookiecutter.project_slug }} = "{{ cookiecutter.project_slug|replace('-', '_') }}.cli:main"
        {%- endif %}
    ''',  # noqa: E501
    "{{cookiecutter.project_slug}}/context.json": '''
        {{ {"name": cookiecutter.project_name, "slug": cookiecutter.project_slug,
            "license": cookiecutter.license, "python": cookiecutter.python} | jsonify }}
    ''',
    "{{cookiecutter.project_slug}}/{{cookiecutter.project_slug|replace('-', '_')}}/__init__.py": '''
        """{{ cookiecutter.project_name }}."""

        __version__ = "0.1.0"
        __author__ = {{ cookiecutter.author|tojson }}
    ''',
}


def write_tree(base: str, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = os.path.join(base, *relative.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text).lstrip("\n"))


# -- running and comparing ---------------------------------------------------------------


def run_child(engine: str, tool: str, arguments: list[str]) -> tuple[int, str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    env["PYTHONHASHSEED"] = "0"
    command = [sys.executable, os.path.abspath(__file__), "--child", engine, tool] + arguments
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return -1, "", "timed out after %d s" % CHILD_TIMEOUT_SECONDS
    return done.returncode, done.stdout, done.stderr


def tree_files(base: str) -> dict[str, str]:
    found = {}
    for directory, _, names in os.walk(base):
        for name in names:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, base).replace(os.sep, "/")] = path
    return found


def describe_difference(theirs_path: str, ours_path: str, max_lines: int) -> list[str]:
    with open(theirs_path, "rb") as handle:
        theirs = handle.read()
    with open(ours_path, "rb") as handle:
        ours = handle.read()
    try:
        theirs_text = theirs.decode("utf-8").splitlines()
        ours_text = ours.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return ["binary files differ (%d vs %d bytes)" % (len(theirs), len(ours))]
    diff = list(difflib.unified_diff(theirs_text, ours_text, "jinja2", "microflask", n=0,
                                     lineterm=""))[2:]
    shown = [line if len(line) <= 200 else line[:200] + "..." for line in diff[:max_lines]]
    if len(diff) > max_lines:
        shown.append("... (%d more diff lines)" % (len(diff) - max_lines))
    return shown


def compare_trees(theirs: str, ours: str, skip_suffixes: tuple[str, ...],
                  max_lines: int) -> tuple[int, list[str]]:
    """(identical file count, report lines for every difference)."""
    theirs_files = tree_files(theirs)
    ours_files = tree_files(ours)
    identical = 0
    report = []
    for relative in sorted(set(theirs_files) | set(ours_files)):
        if relative.endswith(skip_suffixes):
            continue
        if relative not in ours_files:
            report.append("only in the Jinja2 output: %s" % relative)
            continue
        if relative not in theirs_files:
            report.append("only in the microflask output: %s" % relative)
            continue
        with open(theirs_files[relative], "rb") as a, open(ours_files[relative], "rb") as b:
            if a.read() == b.read():
                identical += 1
                continue
        report.append("differs: %s" % relative)
        report += ["    " + line for line in describe_difference(
            theirs_files[relative], ours_files[relative], max_lines)]
    return identical, report


def warning_lines(stderr: str, replace: tuple[str, str]) -> list[str]:
    lines = []
    for line in stderr.splitlines():
        if line.startswith(("module map:", LEAK_MARKER)) or not line.strip():
            continue
        lines.append(line.replace(replace[0], replace[1]))
    return lines


def check_one(label: str, tool: str, make_arguments, out_base: str,
              skip_suffixes: tuple[str, ...], max_lines: int) -> bool:
    """Run ``tool`` with both engines and compare; print the outcome."""
    outputs = {}
    results = {}
    for engine in ("jinja2", "microflask"):
        output = os.path.join(out_base, engine)
        outputs[engine] = output
        results[engine] = run_child(engine, tool, make_arguments(engine, output))
    status, _, stderr = results["jinja2"]
    print("== %s" % label)
    if status != 0:
        print("  the Jinja2 run failed (exit %s); nothing to compare:" % status)
        print(textwrap.indent(stderr.strip()[-3000:], "    "))
        return False
    status, _, stderr = results["microflask"]
    leaks = [line for line in stderr.splitlines() if line.startswith(LEAK_MARKER)]
    if leaks:
        print("  the module map leaked: the microflask run loaded the real package:")
        print(textwrap.indent("\n".join(leaks[:10]), "    "))
    if status != 0:
        print("  MICROFLASK RUN FAILED (exit %s):" % status)
        print(textwrap.indent(stderr.strip()[-4000:], "    "))
        return False
    ours_warnings = warning_lines(stderr, (outputs["microflask"], "OUT"))
    theirs_warnings = warning_lines(results["jinja2"][2], (outputs["jinja2"], "OUT"))
    extra = [line for line in ours_warnings if line not in theirs_warnings]
    if extra:
        print("  warnings only in the microflask run:")
        print(textwrap.indent("\n".join(extra[:20]), "    "))
    identical, report = compare_trees(outputs["jinja2"], outputs["microflask"], skip_suffixes,
                                      max_lines)
    differing = sum(1 for line in report if not line.startswith("    "))
    print("  %d files identical, %d differ or exist on one side only" % (identical, differing))
    for line in report:
        print("  " + line)
    return differing == 0 and not extra and not leaks


def installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def theme_installed(theme: str) -> bool:
    builtin = {"alabaster", "classic", "sphinxdoc", "scrolls", "agogo", "traditional",
               "nature", "haiku", "pyramid", "bizstyle", "basic", "nonav", "epub"}
    if theme == "alabaster":
        return installed("alabaster")
    return theme in builtin or installed(theme)


def check_sphinx(work: str, themes: list[str], max_lines: int) -> bool:
    source = os.path.join(work, "sphinx-src")
    write_tree(source, SPHINX_PROJECT)
    ok = True
    builds = [("html", theme) for theme in themes] + [(b, None) for b in EXTRA_BUILDERS]
    for builder, theme in builds:
        if theme is not None and not theme_installed(theme):
            print("== sphinx html (%s)\n  skipped: theme not installed" % theme)
            continue
        label = "sphinx %s" % builder + (" (%s)" % theme if theme else "")
        slug = builder + ("-" + theme if theme else "")

        def arguments(engine: str, output: str, builder: str = builder,
                      theme: str | None = theme, slug: str = slug) -> list[str]:
            doctrees = os.path.join(work, "doctrees", slug, engine)
            result = ["-b", builder, "-E", "-a", "-q", "-T", "-d", doctrees]
            if theme:
                result += ["-D", "html_theme=%s" % theme]
            return result + [source, output]

        ok = check_one(label, "sphinx", arguments, os.path.join(work, "out", slug),
                       (".epub",), max_lines) and ok
    return ok


def check_cookiecutter(work: str, max_lines: int) -> bool:
    template = os.path.join(work, "cc-template")
    write_tree(template, COOKIECUTTER_TEMPLATE)
    config = os.path.join(work, "cc-config.yaml")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(
            "cookiecutters_dir: %s\nreplay_dir: %s\n"
            % (
                json.dumps(os.path.join(work, "cc-cache")),
                json.dumps(os.path.join(work, "cc-replay")),
            )
        )

    def arguments(engine: str, output: str) -> list[str]:
        return [template, output, config]

    return check_one("cookiecutter (default extensions: now, slugify, jsonify)", "cookiecutter",
                     arguments, os.path.join(work, "cc-out"), (), max_lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1], argv[2], argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=["sphinx", "cookiecutter"])
    parser.add_argument("--themes", default=DEFAULT_THEMES,
                        help="html themes to build with (default: %(default)s)")
    parser.add_argument("--max-diff-lines", type=int, default=12)
    options = parser.parse_args(argv)
    selected = options.only or ["sphinx", "cookiecutter"]
    ok = True
    with tempfile.TemporaryDirectory(prefix="microflask-real-renders-") as work:
        if "sphinx" in selected:
            if installed("sphinx"):
                themes = [t.strip() for t in options.themes.split(",") if t.strip()]
                ok = check_sphinx(work, themes, options.max_diff_lines) and ok
            else:
                print("== sphinx\n  skipped: sphinx is not installed")
        if "cookiecutter" in selected:
            if installed("cookiecutter"):
                ok = check_cookiecutter(work, options.max_diff_lines) and ok
            else:
                print("== cookiecutter\n  skipped: cookiecutter is not installed")
    print()
    print("all outputs identical" if ok else "differences or failures found (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
