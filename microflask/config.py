"""Application configuration: a dict that knows how to fill itself.

This plays the role of Flask's ``flask.config``.  ``Config`` is a plain
``dict`` (so lookups on the request path cost nothing extra) with loaders for
Python objects and files, JSON/TOML files, environment variables and mappings.
Only UPPERCASE keys are taken from objects, files and mappings, which lets a
config module keep lowercase helpers and imports of its own.
``ConfigAttribute`` forwards an attribute of the app (``app.debug``,
``app.secret_key``) to a key of its config.
"""

from __future__ import annotations

import errno
import json
import os
import types
from collections.abc import Mapping
from typing import Any, Callable, Generic, TypeVar

__all__ = ["Config", "ConfigAttribute"]

_ConfigValueT = TypeVar("_ConfigValueT")

# A missing file (or a directory where a file was expected) is what
# ``silent=True`` forgives; permission errors and the like still raise.
_MISSING_FILE_ERRNOS = (errno.ENOENT, errno.EISDIR, errno.ENOTDIR)


def _config_import_string(import_name: str) -> Any:
    """Resolve ``"pkg.module"`` / ``"pkg.module:attr"`` with Werkzeug's rules."""
    # Imported on use: most apps never load config from an import string.
    from microflask.utils import import_string

    return import_string(import_name)


def _mark_config_load_error(error: OSError) -> None:
    """Say in the error text that it was a configuration file that failed."""
    error.strerror = "Unable to load configuration file (%s)" % (error.strerror,)


class ConfigAttribute(Generic[_ConfigValueT]):
    """Forward an attribute of the owning object to ``obj.config[name]``.

    ``get_converter`` is applied on read, e.g. to turn a number of seconds
    into a ``timedelta``.
    """

    def __init__(
        self, name: str, get_converter: Callable[[Any], _ConfigValueT] | None = None
    ) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.config[self.__name__]
        if self.get_converter is not None:
            value = self.get_converter(value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.config[self.__name__] = value


class Config(dict):
    """A ``dict`` of settings, with loaders that take UPPERCASE keys only.

    ``root_path`` is the directory relative file names are resolved against
    (the app's root path).
    """

    def __init__(
        self, root_path: str | os.PathLike[str], defaults: dict[str, Any] | None = None
    ) -> None:
        super().__init__(defaults or {})
        self.root_path = root_path

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python config file named by an environment variable."""
        filename = os.environ.get(variable_name)
        if not filename:
            if silent:
                return False
            raise RuntimeError(
                "The environment variable %r is not set and as such configuration"
                " could not be loaded. Set this variable and make it point to a"
                " configuration file" % (variable_name,)
            )
        return self.from_pyfile(filename, silent=silent)

    def from_prefixed_env(
        self, prefix: str = "FLASK", *, loads: Callable[[str], Any] = json.loads
    ) -> bool:
        """Load every ``{prefix}_*`` environment variable, prefix removed.

        Values are decoded with ``loads`` when they parse, else kept as
        strings.  A double underscore in the name sets a key of a nested
        dict (``FLASK_DB__HOST`` -> ``config["DB"]["HOST"]``), creating the
        intermediate dicts as needed.
        """
        prefix = prefix + "_"
        for env_key in sorted(os.environ):
            if not env_key.startswith(prefix):
                continue
            raw_value = os.environ[env_key]
            try:
                value = loads(raw_value)
            except Exception:
                # Not valid for ``loads``: the text itself is the value.
                value = raw_value
            key = env_key[len(prefix):]
            if "__" not in key:
                self[key] = value
                continue
            target: Any = self
            *parents, leaf = key.split("__")
            for parent in parents:
                if parent not in target:
                    target[parent] = {}
                target = target[parent]
            target[leaf] = value
        return True

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Execute a Python file and load its UPPERCASE globals."""
        filename = os.path.join(self.root_path, filename)
        namespace = types.ModuleType("config")
        namespace.__file__ = filename
        try:
            with open(filename, mode="rb") as config_file:
                source = config_file.read()
            exec(compile(source, filename, "exec"), namespace.__dict__)
        except OSError as error:
            if silent and error.errno in _MISSING_FILE_ERRNOS:
                return False
            _mark_config_load_error(error)
            raise
        self.from_object(namespace)
        return True

    def from_object(self, obj: Any) -> None:
        """Load the UPPERCASE attributes of a module, class or object.

        A string is imported first (``"myapp.settings.Production"``).
        """
        if isinstance(obj, str):
            obj = _config_import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: Callable[[Any], Mapping[str, Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a data file with ``load`` (``json.load``, ``tomllib.load``...).

        ``text=False`` opens the file in binary mode, which ``tomllib`` needs.
        """
        filename = os.path.join(self.root_path, filename)
        try:
            with open(filename, "r" if text else "rb") as data_file:
                loaded = load(data_file)
        except OSError as error:
            if silent and error.errno in _MISSING_FILE_ERRNOS:
                return False
            _mark_config_load_error(error)
            raise
        return self.from_mapping(loaded)

    def from_mapping(self, mapping: Mapping[str, Any] | None = None, **kwargs: Any) -> bool:
        """Load the UPPERCASE keys of a mapping and of the keyword arguments."""
        merged: dict[str, Any] = {}
        if mapping is not None:
            merged.update(mapping)
        merged.update(kwargs)
        for key, value in merged.items():
            if key.isupper():
                self[key] = value
        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, Any]:
        """Return the settings whose key starts with ``namespace``.

        ``get_namespace("IMAGE_STORE_")`` turns ``IMAGE_STORE_PATH`` into
        ``{"path": ...}``; the two flags keep the case or the prefix.
        """
        found: dict[str, Any] = {}
        cut = len(namespace)
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            if trim_namespace:
                key = key[cut:]
            if lowercase:
                key = key.lower()
            found[key] = value
        return found

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, dict.__repr__(self))
