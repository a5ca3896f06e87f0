"""The module map, for interop tests: ``flask``/``werkzeug`` -> ``microflask``,
``jinja2`` -> ``microflask.templating``, ``markupsafe`` -> ``microflask.markup``,
``itsdangerous`` -> ``microflask.signing``.

``install()`` puts a finder first on ``sys.meta_path``, so a real Flask
extension imported afterwards runs on microflask even where the real peers
are installed too.  Used in subprocesses only: it changes the interpreter.
"""

import importlib
import importlib.abc
import importlib.util
import sys

PEER_TO_MICROFLASK = {
    "flask": "microflask",
    "werkzeug": "microflask",
    "jinja2": "microflask.templating",
    "markupsafe": "microflask.markup",
    "itsdangerous": "microflask.signing",
}


class ModuleMapFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import jinja2.ext`` with ``microflask.templating.ext``, and so on."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] not in PEER_TO_MICROFLASK:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        top, _, rest = spec.name.partition(".")
        return importlib.import_module(PEER_TO_MICROFLASK[top] + ("." + rest if rest else ""))

    def exec_module(self, module):
        pass  # the microflask module is already executed


def install():
    for name in list(sys.modules):
        if name.split(".")[0] in PEER_TO_MICROFLASK:
            del sys.modules[name]
    sys.meta_path.insert(0, ModuleMapFinder())
