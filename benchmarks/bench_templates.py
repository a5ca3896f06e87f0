"""Benchmark: microflask.templating against Jinja2 and Mako, side by side.

One page: a base layout with blocks, a child that extends it, a loop of 100
rows with three escaped fields each, ``loop.cycle``, a macro call per row
and a few filters.  microflask and Jinja2 render the *same source text*
(both autoescaping, both from a DictLoader); Mako renders the same page
written in its own syntax (HTML-escaping every expression).

Run with system ``python3`` (Jinja2 and Mako installed).  Rounds are
interleaved and the best round kept.  Prints a markdown table of renders
per second and the ratios, then template compile times.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jinja2  # noqa: E402

from microflask import templating  # noqa: E402

try:
    from mako.lookup import TemplateLookup
except ImportError:  # pragma: no cover - Mako is optional
    TemplateLookup = None

ROUNDS = 5
RENDERS_PER_ROUND = 100
COMPILES_PER_ROUND = 20

BASE = """<!doctype html>
<html><head><title>{% block title %}Site{% endblock %}</title></head>
<body>
<nav>{% block nav %}<a href="/">Home</a> | <a href="/about">About</a>{% endblock %}</nav>
<main>{% block content %}{% endblock %}</main>
<footer>{% block footer %}&copy; {{ year }} {{ owner }}{% endblock %}</footer>
</body></html>
"""

PAGE = """{% extends "base.html" %}
{% macro score_cell(value, css) -%}
<td class="{{ css }}">{{ value }}</td>
{%- endmacro %}
{% block title %}{{ title|upper }} - {{ super() }}{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<table>
{% for row in rows %}
<tr class="{{ loop.cycle('odd', 'even') }}"><td>{{ loop.index }}</td><td>{{ row.name }}</td><td>{{ row.email }}</td><td>{{ row.note|truncate(24) }}</td>{{ score_cell(row.score, 'score') }}</tr>
{% endfor %}
</table>
<p>{{ rows|length }} people, total score {{ rows|sum(attribute='score') }}</p>
{% endblock %}
"""  # noqa: E501

MAKO_BASE = """<!doctype html>
<html><head><title><%block name="head_title">Site</%block></title></head>
<body>
<nav><%block name="nav"><a href="/">Home</a> | <a href="/about">About</a></%block></nav>
<main>${self.body()}</main>
<footer><%block name="footer">&copy; ${year} ${owner}</%block></footer>
</body></html>
"""

MAKO_PAGE = """<%inherit file="base.html"/>
<%def name="score_cell(value, css)"><td class="${css}">${value}</td></%def>
<%block name="head_title">${title.upper()} - ${parent.head_title()}</%block>
<h1>${title}</h1>
<table>
% for index, row in enumerate(rows):
<tr class="${'odd' if index % 2 == 0 else 'even'}"><td>${index + 1}</td><td>${row['name']}</td><td>${row['email']}</td><td>${row['note'][:24]}</td>${score_cell(row['score'], 'score')}</tr>
% endfor
</table>
<p>${len(rows)} people, total score ${sum(r['score'] for r in rows)}</p>
"""  # noqa: E501

CONTEXT = {
    "title": "People & <Scores>",
    "year": 2026,
    "owner": "Ada's shop",
    "rows": [
        {
            "name": "Person <%d>" % i,
            "email": "person%d@example.com" % i,
            "note": "Note with \"quotes\" & ampersands number %d" % i,
            "score": i * 3,
        }
        for i in range(100)
    ],
}


def make_renderers():
    templates = {"base.html": BASE, "page.html": PAGE}
    ours_env = templating.Environment(loader=templating.DictLoader(templates), autoescape=True)
    jinja_env = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True)
    ours = ours_env.get_template("page.html")
    theirs = jinja_env.get_template("page.html")
    renderers = [
        ("microflask", lambda: ours.render(CONTEXT)),
        ("Jinja2", lambda: theirs.render(CONTEXT)),
    ]
    if TemplateLookup is not None:
        lookup = TemplateLookup(default_filters=["h"])
        lookup.put_string("base.html", MAKO_BASE)
        lookup.put_string("page.html", MAKO_PAGE)
        mako_page = lookup.get_template("page.html")
        renderers.append(("Mako", lambda: mako_page.render(**CONTEXT)))
    return renderers, ours, theirs


def best_rates(cases, number):
    best = {name: 0.0 for name, _ in cases}
    for _ in range(ROUNDS):
        for name, func in cases:
            elapsed = timeit.timeit(func, number=number)
            best[name] = max(best[name], number / elapsed)
    return best


def main() -> None:
    renderers, ours, theirs = make_renderers()
    # The two engines must agree on the page before their speed means anything.
    ours_text = ours.render(CONTEXT)
    theirs_text = theirs.render(CONTEXT)
    if ours_text != theirs_text:
        raise SystemExit("microflask and Jinja2 render the benchmark page differently")
    rates = best_rates(renderers, RENDERS_PER_ROUND)
    ours_rate = rates["microflask"]
    print("| engine | renders/s | microflask ratio |")
    print("| --- | ---: | ---: |")
    for name, _ in renderers:
        print("| %s | %.0f | %.2fx |" % (name, rates[name], ours_rate / rates[name]))

    compile_cases = [
        ("microflask", lambda: templating.Environment(autoescape=True).compile(PAGE, "page.html")),
        ("Jinja2", lambda: jinja2.Environment(autoescape=True).compile(PAGE, "page.html")),
    ]
    compile_rates = best_rates(compile_cases, COMPILES_PER_ROUND)
    print()
    print("| compile page.html | ms per compile | microflask ratio |")
    print("| --- | ---: | ---: |")
    for name, _ in compile_cases:
        print(
            "| %s | %.2f | %.2fx |"
            % (
                name,
                1000.0 / compile_rates[name],
                compile_rates["microflask"] / compile_rates[name],
            )
        )


if __name__ == "__main__":
    main()
