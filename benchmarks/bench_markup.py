"""Benchmark: microflask.markup against MarkupSafe, side by side.

Run with system ``python3`` where MarkupSafe is installed.  Rounds of each
implementation are interleaved and the best round is kept, so machine noise
hits both sides alike.  Prints operations per second and the ratio
microflask / peer (above 1.0 means microflask is faster).
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microflask import markup  # noqa: E402


def import_markupsafe_twice():
    """Return (markupsafe with C speedups, a second copy forced to pure Python).

    MarkupSafe 3 falls back to ``markupsafe._native`` when ``_speedups``
    cannot be imported, so blocking that import yields its pure-Python build.
    """
    import markupsafe as with_speedups

    saved = {name: mod for name, mod in sys.modules.items() if name.startswith("markupsafe")}
    for name in saved:
        del sys.modules[name]
    sys.modules["markupsafe._speedups"] = None
    try:
        import markupsafe as pure_python
    finally:
        for name in [name for name in sys.modules if name.startswith("markupsafe")]:
            del sys.modules[name]
        sys.modules.update(saved)
    return with_speedups, pure_python


markupsafe, markupsafe_native = import_markupsafe_twice()

NUMBER = 20000
ROUNDS = 7

TEXT_TO_ESCAPE = '<a href="/x?a=1&b=2">it\'s <b>bold</b> & more</a> ' * 4
TEXT_CLEAN = "Hello world, nothing to escape in this sentence at all. " * 4
TEXT_SHORT = "username"


def best_rates(cases):
    """Run every (name, callable) ROUNDS times, interleaved; best ops/s each."""
    best = {name: 0.0 for name, _ in cases}
    for _ in range(ROUNDS):
        for name, func in cases:
            elapsed = min(timeit.repeat(func, number=NUMBER, repeat=1))
            best[name] = max(best[name], NUMBER / elapsed)
    return best


def report(title, cases):
    rates = best_rates(cases)
    ours = rates["microflask"]
    print(title)
    for name, rate in rates.items():
        line = "  %-28s %12.0f ops/s" % (name, rate)
        if name != "microflask":
            line += "   microflask/%s = %.2fx" % (name, ours / rate)
        print(line)


def main():
    for label, text in (
        ("escape: text full of <>&'\"", TEXT_TO_ESCAPE),
        ("escape: clean text", TEXT_CLEAN),
        ("escape: short clean word", TEXT_SHORT),
    ):
        cases = [
            ("microflask", lambda: markup.escape(text)),
            ("markupsafe pure Python", lambda: markupsafe_native.escape(text)),
            ("markupsafe C speedups", lambda: markupsafe.escape(text)),
        ]
        report(label, cases)

    assert markupsafe_native._escape_inner is not markupsafe._escape_inner
    ours = markup.Markup("<li>%s</li>")
    theirs = markupsafe.Markup("<li>%s</li>")
    report(
        "Markup % plain string",
        [("microflask", lambda: ours % "a<b"), ("markupsafe", lambda: theirs % "a<b")],
    )
    ours_fmt = markup.Markup("<li>{0}</li>")
    theirs_fmt = markupsafe.Markup("<li>{0}</li>")
    report(
        "Markup.format",
        [
            ("microflask", lambda: ours_fmt.format("a<b")),
            ("markupsafe", lambda: theirs_fmt.format("a<b")),
        ],
    )
    ours_join = markup.Markup(", ")
    theirs_join = markupsafe.Markup(", ")
    items = ["a<b", "c", "d&e", "f"] * 5
    report(
        "Markup.join",
        [
            ("microflask", lambda: ours_join.join(items)),
            ("markupsafe", lambda: theirs_join.join(items)),
        ],
    )


if __name__ == "__main__":
    main()
