"""Benchmark: microflask.templating against Jinja2 on templates real projects ship.

Two measurements, both engines in one process, rounds interleaved (the order
of the two engines alternates each round), the best round kept:

1. Compile from source, with ``Environment.compile(source, name, filename)``
   (neither engine caches it: no loader, no template cache involved), every
   template file that these packages ship, each set with the environment its
   project builds:

   - Sphinx's bundled HTML themes (``sphinx/themes/**``: ``*.html``,
     ``opensearch.xml`` and the ``*.jinja`` CSS/JS static templates;
     ``*_t``, their older name, too);
   - Sphinx's builder templates (``sphinx/templates/**``: LaTeX with its
     ``<%= %>`` / ``<% %>`` / ``<# #>`` delimiters, EPUB, gettext, apidoc,
     quickstart, HTML help; autosummary's ``*.rst``; the sphinxcontrib-*
     help builders' templates);
   - MkDocs' bundled themes (``mkdocs/themes/**/*.html``, ``sitemap.xml``);
   - third-party Sphinx themes: alabaster, furo, sphinx-basic-ng,
     sphinx_rtd_theme (``*.html`` and ``*_t``).

   Sphinx's environment is ``SandboxedEnvironment(extensions=['jinja2.ext.i18n'])``
   with its filters (sphinx/jinja2glue.py, sphinx/util/template.py);
   MkDocs' is ``Environment(auto_reload=False)`` with i18n and its filters
   (mkdocs/theme.py, mkdocs/localization.py).  Templates either engine
   fails to compile are listed under "compile failures" (not an error of
   the benchmark; the timing then covers the templates both compile).

2. Sphinx's default page: ``page.html`` of the default theme, alabaster
   (``page.html`` -> ``alabaster/layout.html`` -> ``basic/layout.html``, plus
   the five sidebar templates it includes), loaded through a loader that
   resolves theme inheritance and ``!name`` like Sphinx's
   ``BuiltinTemplateLoader``, rendered with a context shaped like the one
   Sphinx's HTML builder passes (pathto, toctree, hasdoc, css/js tags,
   theme options, a realistic body).  Cold: a fresh environment loads,
   compiles and renders it once.  Warm: ``get_template('page.html').render``
   on a reused environment, as Sphinx does for every page.

Prints markdown tables (the ``microflask ratio`` column is microflask's speed
over Jinja2's: above 1.00x microflask is faster) that ``run.py`` reads.
``BENCH_QUICK=1`` (or ``BENCH_ROUNDS``) makes it short.  Sets whose package
is not installed are skipped with a ``skipped:`` line (see
``benchmarks/requirements.txt``).
"""

from __future__ import annotations

import configparser
import difflib
import gettext
import glob
import importlib.util
import os
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jinja2  # noqa: E402
import jinja2.sandbox  # noqa: E402

from microflask import templating  # noqa: E402
from microflask.templating import sandbox as microflask_sandbox  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2" if QUICK else "5"))
COLD_PER_ROUND = 3 if QUICK else 8
WARM_PER_ROUND = 40 if QUICK else 200

ENGINES = ("Jinja2", "microflask")

LATEX_DELIMITERS = {
    "variable_start_string": "<%=",
    "variable_end_string": "%>",
    "block_start_string": "<%",
    "block_end_string": "%>",
    "comment_start_string": "<#",
    "comment_end_string": "#>",
}


# -- the template sets ---------------------------------------------------------------


class TemplateSet(NamedTuple):
    """Template files of one kind, and the environment their project uses."""

    title: str
    packages: tuple[tuple[str, tuple[str, ...]], ...]  # (import name, glob patterns)
    flavour: str  # "sphinx" or "mkdocs"


TEMPLATE_SETS = [
    TemplateSet("sphinx themes", (
        ("sphinx", ("themes/**/*.html", "themes/**/*.xml", "themes/**/*.jinja", "themes/**/*_t")),
    ), "sphinx"),
    TemplateSet("sphinx builder templates", (
        ("sphinx", ("templates/**/*.jinja", "templates/**/*_t", "templates/htmlhelp/project.*",
                    "ext/autosummary/templates/**/*.rst")),
        ("sphinxcontrib", ("*/templates/*",)),
    ), "sphinx"),
    TemplateSet("mkdocs themes", (
        ("mkdocs", ("themes/**/*.html", "templates/*.xml")),
    ), "mkdocs"),
    TemplateSet("third-party sphinx themes", (
        ("alabaster", ("**/*.html", "**/*_t")),
        ("furo", ("**/*.html",)),
        ("sphinx_basic_ng", ("**/*.html",)),
        ("sphinx_rtd_theme", ("**/*.html", "**/*_t")),
    ), "sphinx"),
]

DISTRIBUTIONS = {
    "sphinx": "sphinx", "mkdocs": "mkdocs",
    "alabaster": "alabaster", "furo": "furo", "sphinx_basic_ng": "sphinx-basic-ng",
    "sphinx_rtd_theme": "sphinx_rtd_theme",
}


def package_dirs(import_name: str) -> list[str]:
    """Where a package lives, without importing it (a namespace package such
    as ``sphinxcontrib`` may live in several directories)."""
    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return list(spec.submodule_search_locations)


def distribution_version(import_name: str) -> str:
    try:
        return metadata.version(DISTRIBUTIONS.get(import_name, import_name))
    except metadata.PackageNotFoundError:
        return "?"


class TemplateFile(NamedTuple):
    name: str  # package/relative/path, as reported
    filename: str
    source: str
    latex: bool


def collect_templates(template_set: TemplateSet) -> tuple[list[TemplateFile], list[str]]:
    """The set's files, and the packages (with versions) they came from."""
    files: dict[str, TemplateFile] = {}
    found = []
    for import_name, patterns in template_set.packages:
        dirs = package_dirs(import_name)
        if not dirs:
            continue
        if import_name == "sphinxcontrib":  # a namespace: one version means nothing
            found.append("sphinxcontrib-*")
        else:
            found.append("%s %s" % (import_name, distribution_version(import_name)))
        for base in dirs:
            for pattern in patterns:
                for filename in sorted(glob.glob(os.path.join(base, pattern), recursive=True)):
                    if not os.path.isfile(filename) or "__pycache__" in filename:
                        continue
                    relative = os.path.relpath(filename, base).replace(os.sep, "/")
                    name = "%s/%s" % (import_name, relative)
                    if name in files:
                        continue
                    with open(filename, encoding="utf-8") as handle:
                        source = handle.read()
                    latex = import_name == "sphinx" and relative.startswith("templates/latex/")
                    files[name] = TemplateFile(name, filename, source, latex)
    return [files[name] for name in sorted(files)], found


# -- the environments Sphinx and MkDocs build ---------------------------------------


def _tobool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in {"true", "1", "yes", "on"}
    return bool(value)


def _toint(value: Any) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _todim(value: Any) -> str:
    if value is None:
        return "initial"
    if str(value).isdigit():
        return "0" if int(value) == 0 else "%spx" % value
    return value


def _slice_index(values: Any, slices: int) -> Any:
    return [values]


def _stand_in_filter(value: Any, *args: Any, **kwargs: Any) -> Any:
    return value


SPHINX_FILTERS = {
    # sphinx/jinja2glue.py, for theme templates
    "tobool": _tobool, "toint": _toint, "todim": _todim, "slice_index": _slice_index,
    # sphinx/util/template.py, autosummary and gettext renderers (their own
    # escape filters too; only the names matter for compiling)
    "repr": repr, "eabbr": _stand_in_filter, "heading": _stand_in_filter,
    "underline": _stand_in_filter,
}
MKDOCS_FILTERS = {"url": _stand_in_filter, "script_tag": _stand_in_filter}


def sphinx_environment(engine: str, loader: Any = None, latex: bool = False) -> Any:
    """``SandboxedEnvironment(loader=..., extensions=['jinja2.ext.i18n'])`` with
    Sphinx's filters and gettext translations, as sphinx/jinja2glue.py builds it."""
    options: dict[str, Any] = dict(LATEX_DELIMITERS) if latex else {}
    if engine == "Jinja2":
        environment = jinja2.sandbox.SandboxedEnvironment(
            loader=loader, extensions=["jinja2.ext.i18n"], **options)
    else:
        environment = microflask_sandbox.SandboxedEnvironment(
            loader=loader, extensions=["jinja2.ext.i18n"], **options)
    environment.filters.update(SPHINX_FILTERS)
    environment.install_gettext_translations(gettext.NullTranslations())
    return environment


def mkdocs_environment(engine: str) -> Any:
    """``Environment(auto_reload=False)`` with i18n and MkDocs' filters."""
    module = jinja2 if engine == "Jinja2" else templating
    environment = module.Environment(auto_reload=False)
    environment.add_extension("jinja2.ext.i18n")
    environment.filters.update(MKDOCS_FILTERS)
    environment.install_null_translations()
    return environment


def environment_for(template_set: TemplateSet, engine: str, latex: bool) -> Any:
    if template_set.flavour == "mkdocs":
        return mkdocs_environment(engine)
    return sphinx_environment(engine, latex=latex)


def describe_exception(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return "%s: %s" % (type(exc).__name__, message[0] if message else "")


# -- 1. compiling from source ----------------------------------------------------------


class CompileJob(NamedTuple):
    template_set: TemplateSet
    files: list[TemplateFile]  # the ones both engines compile
    environments: dict[tuple[str, bool], Any]  # (engine, latex) -> environment


def compile_all(job: CompileJob, engine: str) -> float:
    """Seconds to compile every file of the set once with ``engine``."""
    environments = job.environments
    started = time.perf_counter()
    for item in job.files:
        environments[engine, item.latex].compile(item.source, item.name, item.filename)
    return time.perf_counter() - started


def prepare_compile_jobs() -> tuple[list[CompileJob], list[str], list[str]]:
    """The sets to time; compile failures; skipped-set notes."""
    jobs = []
    failures = []
    skipped = []
    for template_set in TEMPLATE_SETS:
        files, packages = collect_templates(template_set)
        if not files:
            skipped.append("%s: none of %s is installed" % (
                template_set.title, ", ".join(p for p, _ in template_set.packages)))
            continue
        environments = {
            (engine, latex): environment_for(template_set, engine, latex)
            for engine in ENGINES for latex in (False, True)
        }
        both_compile = []
        for item in files:
            ok = True
            for engine in ENGINES:
                try:
                    environments[engine, item.latex].compile(item.source, item.name, item.filename)
                except Exception as exc:  # every failure is reported
                    ok = False
                    failures.append("%s fails on %s: %s" % (engine, item.name,
                                                             describe_exception(exc)))
            if ok:
                both_compile.append(item)
        title = "%s (%s)" % (template_set.title, ", ".join(packages))
        jobs.append(CompileJob(template_set._replace(title=title), both_compile, environments))
    return jobs, failures, skipped


def bench_compile(jobs: list[CompileJob]) -> None:
    best: dict[tuple[int, str], float] = {}
    best_total = {engine: float("inf") for engine in ENGINES}
    for round_index in range(ROUNDS):
        order = ENGINES if round_index % 2 == 0 else ENGINES[::-1]
        totals = {engine: 0.0 for engine in ENGINES}
        for index, job in enumerate(jobs):
            for engine in order:
                seconds = compile_all(job, engine)
                totals[engine] += seconds
                best[index, engine] = min(best.get((index, engine), float("inf")), seconds)
        for engine in ENGINES:
            best_total[engine] = min(best_total[engine], totals[engine])
    print("Compile from source: Environment.compile(source, name, filename) of every "
          "template file, best of %d interleaved rounds" % ROUNDS)
    print()
    print("| case | templates | Jinja2 ms | microflask ms | microflask ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for index, job in enumerate(jobs):
        theirs, ours = best[index, "Jinja2"], best[index, "microflask"]
        print("| compile %s | %d | %.1f | %.1f | %.2fx |"
              % (job.template_set.title, len(job.files), theirs * 1000, ours * 1000,
                 theirs / ours if ours else 0.0))
    count = sum(len(job.files) for job in jobs)
    theirs, ours = best_total["Jinja2"], best_total["microflask"]
    print("| compile all real theme templates | %d | %.1f | %.1f | %.2fx |"
          % (count, theirs * 1000, ours * 1000, theirs / ours if ours else 0.0))


# -- 2. Sphinx's page.html, loaded through theme inheritance --------------------------


def make_theme_loader(engine_module: Any) -> Any:
    """A loader like sphinx/jinja2glue.py's ``BuiltinTemplateLoader``: the
    theme's directory and its bases', then their parent directories (so
    ``basic/layout.html`` names the base theme's file); ``!name`` searches
    the themes only (there are no project template paths here)."""

    class ThemeLoader(engine_module.BaseLoader):
        def __init__(self, theme_dirs: list[str]) -> None:
            self.pathchain = list(theme_dirs)
            self.loaderchain = self.pathchain + [os.path.dirname(path) for path in theme_dirs]
            self.templatepathlen = 0

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable]:
            searched = self.loaderchain
            if template.startswith("!"):
                searched = searched[self.templatepathlen:]
                template = template[1:]
            for directory in searched:
                filename = os.path.join(directory, *template.split("/"))
                if os.path.isfile(filename):
                    with open(filename, "rb") as handle:
                        contents = handle.read().decode("utf-8")
                    mtime = os.path.getmtime(filename)

                    def uptodate(filename: str = filename, mtime: float = mtime) -> bool:
                        try:
                            return os.path.getmtime(filename) == mtime
                        except OSError:
                            return False

                    return contents, filename, uptodate
            raise engine_module.TemplateNotFound(template)

    return ThemeLoader


def relative_uri(base: str, to: str) -> str:
    """sphinx.util.osutil.relative_uri."""
    if to.startswith("/"):
        return to
    base_parts = base.split("#")[0].split("/")
    to_parts = to.split("#")[0].split("/")
    for x, y in zip(base_parts[:-1], to_parts[:-1]):
        if x != y:
            break
        base_parts.pop(0)
        to_parts.pop(0)
    if base_parts == to_parts:
        return ""
    if len(base_parts) == 1 and to_parts == [""]:
        return "./"
    return "../" * (len(base_parts) - 1) + "/".join(to_parts)


class Asset:
    """Sphinx's ``_CascadingStyleSheet`` / ``_JavaScript``: a filename, attributes."""

    def __init__(self, filename: str, priority: int = 500, **attributes: str | None) -> None:
        self.filename = filename
        self.priority = priority
        self.attributes = attributes


PAGE_NAME = "usage/quickstart"
DOCS = ["index", "installation", "usage/quickstart", "usage/configuration", "usage/api",
        "changelog", "genindex", "search"]


def realistic_body() -> str:
    """About 20 kB of what docutils' HTML5 writer produces for a page."""
    parts = ['<section id="quickstart">\n<h1>Quickstart<a class="headerlink" '
             'href="#quickstart" title="Link to this heading">\u00b6</a></h1>\n'
             '<p>This page walks through a first project.</p>\n']
    for index in range(1, 9):
        anchor = "step-%d" % index
        parts.append(
            '<section id="%s">\n<h2>Step %d: configure the <code class="docutils literal '
            'notranslate"><span class="pre">app</span></code><a class="headerlink" href="#%s" '
            'title="Link to this heading">\u00b6</a></h2>\n' % (anchor, index, anchor))
        parts.append(
            '<p>Call <a class="reference internal" href="api.html#sample.App.run" '
            'title="sample.App.run"><code class="xref py py-meth docutils literal notranslate">'
            '<span class="pre">App.run()</span></code></a> once the configuration is loaded; '
            'see <a class="reference internal" href="configuration.html#settings">'
            '<span class="std std-ref">Settings</span></a> for every option &amp; default.</p>\n')
        parts.append(
            '<div class="highlight-python notranslate"><div class="highlight"><pre><span></span>'
            '<span class="kn">from</span> <span class="nn">sample</span> <span class="kn">import'
            '</span> <span class="n">App</span>\n\n<span class="n">app</span> <span class="o">='
            '</span> <span class="n">App</span><span class="p">(</span><span class="s2">'
            '&quot;demo&quot;</span><span class="p">,</span> <span class="n">workers</span>'
            '<span class="o">=</span><span class="mi">%d</span><span class="p">)</span>\n'
            '<span class="n">app</span><span class="o">.</span><span class="n">run</span>'
            '<span class="p">()</span>\n</pre></div>\n</div>\n' % index)
        parts.append(
            '<table class="docutils align-default">\n<thead>\n<tr class="row-odd">'
            '<th class="head"><p>Option</p></th><th class="head"><p>Default</p></th>'
            '<th class="head"><p>Meaning</p></th></tr>\n</thead>\n<tbody>\n')
        for row in range(4):
            parts.append(
                '<tr class="row-%s"><td><p><code class="docutils literal notranslate"><span '
                'class="pre">opt_%d_%d</span></code></p></td><td><p>%d</p></td><td><p>What '
                'option %d does, in a sentence or two.</p></td></tr>\n'
                % ("even" if row % 2 == 0 else "odd", index, row, row * 10, row))
        parts.append('</tbody>\n</table>\n<div class="admonition note">\n<p class="admonition-'
                     'title">Note</p>\n<p>Restart the app after changing step %d.</p>\n</div>\n'
                     '</section>\n' % index)
    parts.append("</section>\n")
    return "".join(parts)


def local_toctree(**kwargs: Any) -> str:
    items = []
    for doc, title in (("index", "Home"), ("installation", "Installation"),
                       ("usage/quickstart", "Quickstart"), ("usage/configuration",
                                                            "Configuration"),
                       ("usage/api", "API reference"), ("changelog", "Changelog")):
        current = ' current' if doc == PAGE_NAME else ""
        items.append('<li class="toctree-l1%s"><a class="reference internal%s" href="%s">%s</a>'
                     '</li>' % (current, current, relative_uri(PAGE_NAME + ".html",
                                                             doc + ".html"), title))
    return '<ul class="current">\n%s\n</ul>\n' % "\n".join(items)


def theme_options(alabaster_dirs: list[str]) -> dict[str, str]:
    """basic's and alabaster's theme options (Sphinx passes them as strings)."""
    options = {
        "nosidebar": "false", "sidebarwidth": "230", "body_min_width": "360",
        "body_max_width": "800", "navigation_with_keys": "False",
        "enable_search_shortcuts": "True", "globaltoc_collapse": "true",
        "globaltoc_includehidden": "false", "globaltoc_maxdepth": "",
    }
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(alabaster_dirs[0], "theme.conf"), encoding="utf-8")
    if parser.has_section("options"):
        options.update(parser.items("options"))
    return {"theme_" + key: value for key, value in options.items()}


def page_context(alabaster_dirs: list[str]) -> dict[str, Any]:
    """A context shaped like StandaloneHTMLBuilder.handle_page's."""
    page_uri = PAGE_NAME + ".html"

    def pathto(otheruri: str, resource: bool = False, baseuri: str = page_uri) -> str:
        if resource and "://" in otheruri:
            return otheruri
        if not resource:
            otheruri = otheruri + ".html"
        return relative_uri(baseuri, otheruri) or "#"

    def hasdoc(name: str) -> bool:
        return name in DOCS

    def css_tag(css: Asset) -> str:
        attrs = ['%s="%s"' % (key, value) for key, value in css.attributes.items()
                 if value is not None]
        return '<link %s href="%s?v=5ecbeea2" />' % (
            " ".join(sorted(attrs)), pathto(css.filename, resource=True))

    def js_tag(js: Asset) -> str:
        attrs = ['%s="%s"' % (key, value) for key, value in js.attributes.items()
                 if value is not None]
        uri = pathto(js.filename, resource=True) + "?v=2389946f"
        if attrs:
            return '<script %s src="%s"></script>' % (" ".join(sorted(attrs)), uri)
        return '<script src="%s"></script>' % uri

    context: dict[str, Any] = {
        "embedded": False, "project": "Sample", "release": "2.3.1", "version": "2.3",
        "last_updated": "Jan 05, 2026", "copyright": "2026, The Sample authors",
        "master_doc": "index", "root_doc": "index", "use_opensearch": "",
        "docstitle": "Sample 2.3.1 documentation", "shorttitle": "Sample 2.3.1 documentation",
        "show_copyright": True, "show_search_summary": True, "show_sphinx": True,
        "has_source": True, "show_source": True, "sourcelink_suffix": ".txt",
        "file_suffix": ".html", "link_suffix": ".html",
        "script_files": [Asset("_static/documentation_options.js", 200),
                         Asset("_static/doctools.js", 200),
                         Asset("_static/sphinx_highlight.js", 200)],
        "css_files": [Asset("_static/pygments.css", rel="stylesheet", type="text/css"),
                      Asset("_static/basic.css", rel="stylesheet", type="text/css"),
                      Asset("_static/alabaster.css", rel="stylesheet", type="text/css")],
        "language": "en", "sphinx_version": "9.0.4",
        "sphinx_version_tuple": (9, 0, 4, "final", 0),
        "docutils_version_info": (0, 22, 4, "final", 0),
        "styles": ["basic.css", "alabaster.css"],
        "builder": "html", "logo_url": "", "logo_alt": "Logo of Sample", "favicon_url": "",
        "html5_doctype": True, "alabaster_version": "1.0.0",
        "alabaster_version_info": (1, 0, 0),
        "parents": [{"link": "../usage/index.html", "title": "Usage"}],
        "prev": {"link": "../installation.html", "title": "Installation"},
        "next": {"link": "configuration.html", "title": "Configuration"},
        "title": "Quickstart", "meta": {}, "body": realistic_body(),
        "metatags": '<meta name="viewport" content="width=device-width, initial-scale=1" />\n',
        "rellinks": [("genindex", "General Index", "I", "index"),
                     ("usage/configuration", "Configuration", "N", "next"),
                     ("installation", "Installation", "P", "previous")],
        "sourcename": "usage/quickstart.rst.txt",
        "toc": "<ul>\n<li><a class=\"reference internal\" href=\"#\">Quickstart</a><ul>\n"
               + "".join('<li><a class="reference internal" href="#step-%d">Step %d</a></li>\n'
                         % (i, i) for i in range(1, 9)) + "</ul>\n</li>\n</ul>\n",
        "display_toc": True, "page_source_suffix": ".rst",
        "pagename": PAGE_NAME, "current_page_name": PAGE_NAME, "encoding": "utf-8",
        "pageurl": None, "pathto": pathto, "hasdoc": hasdoc, "toctree": local_toctree,
        "sidebars": ["about.html", "searchfield.html", "navigation.html", "relations.html",
                     "donate.html"],
        "content_root": "../", "css_tag": css_tag, "js_tag": js_tag,
        "has_maths_elements": False,
    }
    context.update(theme_options(alabaster_dirs))
    return context


class _IdGen:
    def __init__(self) -> None:
        self.id = 0

    def current(self) -> int:
        return self.id

    def __next__(self) -> int:
        self.id += 1
        return self.id

    next = __next__


def _add_sphinx_globals(environment: Any, pass_context: Callable) -> None:
    """sphinx/jinja2glue.py's globals, each engine with its own pass_context."""

    def accesskey(context: Any, key: str) -> str:
        if "_accesskeys" not in context:
            context.vars["_accesskeys"] = {}
        if key and key not in context.vars["_accesskeys"]:
            context.vars["_accesskeys"][key] = 1
            return 'accesskey="%s"' % key
        return ""

    def warning(context: Any, message: str, *args: Any, **kwargs: Any) -> str:
        return ""

    def debug(context: Any) -> str:
        return ""

    environment.globals["debug"] = pass_context(debug)
    environment.globals["warning"] = pass_context(warning)
    environment.globals["accesskey"] = pass_context(accesskey)
    environment.globals["idgen"] = _IdGen


def sphinx_page_environment(engine: str, theme_dirs: list[str]) -> Any:
    module = jinja2 if engine == "Jinja2" else templating
    loader = make_theme_loader(module)(theme_dirs)
    environment = sphinx_environment(engine, loader=loader)
    _add_sphinx_globals(environment, module.pass_context)
    return environment


def first_difference(ours: str, theirs: str) -> str:
    diff = list(difflib.unified_diff(theirs.splitlines(), ours.splitlines(), "Jinja2",
                                     "microflask", n=0, lineterm=""))
    return "\n".join("    " + line for line in diff[2:12])


def bench_sphinx_page() -> list[str]:
    """Time cold and warm renders of alabaster's page.html; return problems."""
    alabaster_dirs = package_dirs("alabaster")
    sphinx_dirs = package_dirs("sphinx")
    if not alabaster_dirs or not sphinx_dirs:
        print("skipped: the Sphinx page needs sphinx and alabaster installed")
        return []
    theme_dirs = [alabaster_dirs[0], os.path.join(sphinx_dirs[0], "themes", "basic")]
    context = page_context(alabaster_dirs)

    def render_once(environment: Any) -> str:
        return environment.get_template("page.html").render(context)

    outputs = {}
    problems = []
    for engine in ENGINES:
        try:
            outputs[engine] = render_once(sphinx_page_environment(engine, theme_dirs))
        except Exception as exc:  # reported, not fatal
            problems.append("%s fails to load+render alabaster page.html: %s"
                            % (engine, describe_exception(exc)))
            import traceback

            traceback.print_exc(file=sys.stdout)
    if len(outputs) < 2:
        return problems
    if outputs["microflask"] != outputs["Jinja2"]:
        problems.append("microflask renders alabaster page.html differently from Jinja2 "
                        "(first differing lines below)")
        print("note: microflask renders the Sphinx page differently from Jinja2:")
        print(first_difference(outputs["microflask"], outputs["Jinja2"]))

    def cold(engine: str) -> Callable[[], Any]:
        return lambda: render_once(sphinx_page_environment(engine, theme_dirs))

    warm_environments = {engine: sphinx_page_environment(engine, theme_dirs)
                         for engine in ENGINES}
    for environment in warm_environments.values():
        render_once(environment)

    def warm(engine: str) -> Callable[[], Any]:
        environment = warm_environments[engine]
        return lambda: render_once(environment)

    cases = [("cold", cold, COLD_PER_ROUND), ("warm", warm, WARM_PER_ROUND)]
    best: dict[tuple[str, str], float] = {}
    for round_index in range(ROUNDS):
        order = ENGINES if round_index % 2 == 0 else ENGINES[::-1]
        for label, make, number in cases:
            for engine in order:
                func = make(engine)
                started = time.perf_counter()
                for _ in range(number):
                    func()
                per_call = (time.perf_counter() - started) / number
                best[label, engine] = min(best.get((label, engine), float("inf")), per_call)
    print("Sphinx page.html of the default theme (alabaster/layout.html -> basic/layout.html "
          "+ 5 sidebars), Sphinx-like loader and HTML-builder context, %d bytes of output; "
          "best of %d interleaved rounds" % (len(outputs["Jinja2"]), ROUNDS))
    print()
    print("| case | Jinja2 ms | microflask ms | microflask ratio |")
    print("| --- | ---: | ---: | ---: |")
    names = {
        "cold": "sphinx page cold: fresh environment, load+compile+render "
                "(alabaster page.html, basic/layout.html)",
        "warm": "sphinx page warm: get_template+render (alabaster page.html, "
                "basic/layout.html)",
    }
    for label, _, _ in cases:
        theirs, ours = best[label, "Jinja2"], best[label, "microflask"]
        print("| %s | %.3f | %.3f | %.2fx |" % (names[label], theirs * 1000, ours * 1000,
                                                theirs / ours))
    return problems


def main() -> None:
    print("Real projects' templates: microflask.templating vs Jinja2 %s (Python %s)"
          % (jinja2.__version__, sys.version.split()[0]))
    print()
    jobs, failures, skipped = prepare_compile_jobs()
    for note in skipped:
        print("skipped: %s" % note)
    if jobs:
        bench_compile(jobs)
    print()
    problems = bench_sphinx_page()
    print()
    print("compile failures")
    if not failures:
        print("  (none: every template compiled on both engines)")
    for line in failures:
        print("- %s" % line)
    print()
    print("render failures")
    if not problems:
        print("  (none: the Sphinx page rendered the same on both engines)")
    for line in problems:
        print("- %s" % line)


if __name__ == "__main__":
    main()
