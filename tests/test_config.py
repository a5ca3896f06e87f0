"""microflask.config: Config loaders and ConfigAttribute."""

import json
import os
import sys
import types
from datetime import timedelta

import pytest

from microflask.config import Config, ConfigAttribute


class Settings:
    SECRET_KEY = "config"
    TEST_KEY = "foo"
    lowercase_ignored = "nope"
    _Private = 1


def check_settings(config):
    assert config["SECRET_KEY"] == "config"
    assert config["TEST_KEY"] == "foo"
    assert "lowercase_ignored" not in config
    assert "_Private" not in config


def test_defaults_and_root_path(tmp_path):
    config = Config(tmp_path, {"DEBUG": False})
    assert config == {"DEBUG": False}
    assert config.root_path == tmp_path
    assert isinstance(config, dict)
    assert Config(tmp_path) == {}


def test_from_object_class_and_instance(tmp_path):
    config = Config(tmp_path)
    config.from_object(Settings)
    check_settings(config)
    other = Config(tmp_path)
    other.from_object(Settings())
    check_settings(other)


def test_from_object_import_string(tmp_path, monkeypatch):
    module = types.ModuleType("microflask_test_settings_module")
    module.SECRET_KEY = "config"
    module.TEST_KEY = "foo"
    module.Nested = Settings
    monkeypatch.setitem(sys.modules, module.__name__, module)
    config = Config(tmp_path)
    config.from_object("microflask_test_settings_module")
    check_settings(config)
    nested = Config(tmp_path)
    nested.from_object("microflask_test_settings_module.Nested")
    check_settings(nested)
    colon = Config(tmp_path)
    colon.from_object("microflask_test_settings_module:Nested")
    check_settings(colon)


def test_from_object_bad_import_string(tmp_path):
    with pytest.raises(ImportError):
        Config(tmp_path).from_object("microflask_no_such_module_here.Thing")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_from_pyfile(tmp_path):
    write(
        tmp_path / "settings.py",
        "import os\nSECRET_KEY = 'config'\nTEST_KEY = 'foo'\nlowercase_ignored = 1\n"
        "HERE = __file__\n",
    )
    config = Config(tmp_path)
    assert config.from_pyfile("settings.py") is True
    check_settings(config)
    assert config["HERE"] == os.path.join(tmp_path, "settings.py")
    assert "os" not in config


def test_from_pyfile_absolute_path_and_pathlike(tmp_path):
    path = write(tmp_path / "abs.py", "VALUE = 42\n")
    config = Config("/somewhere/else")
    assert config.from_pyfile(path)
    assert config["VALUE"] == 42


def test_from_pyfile_missing(tmp_path):
    config = Config(tmp_path)
    with pytest.raises(IOError) as info:
        config.from_pyfile("missing.py")
    error = info.value
    assert isinstance(error, FileNotFoundError)
    assert error.strerror.startswith("Unable to load configuration file (")
    assert "missing.py" in str(error)
    assert config.from_pyfile("missing.py", silent=True) is False
    # A directory where a file was expected is forgiven too.
    assert config.from_pyfile(str(tmp_path), silent=True) is False


def test_from_pyfile_syntax_error_propagates(tmp_path):
    write(tmp_path / "bad.py", "THIS IS NOT PYTHON\n")
    with pytest.raises(SyntaxError):
        Config(tmp_path).from_pyfile("bad.py", silent=True)


def test_from_envvar(tmp_path, monkeypatch):
    config = Config(tmp_path)
    monkeypatch.delenv("MICROFLASK_TEST_SETTINGS", raising=False)
    with pytest.raises(RuntimeError) as info:
        config.from_envvar("MICROFLASK_TEST_SETTINGS")
    assert "'MICROFLASK_TEST_SETTINGS' is not set" in str(info.value)
    assert config.from_envvar("MICROFLASK_TEST_SETTINGS", silent=True) is False

    write(tmp_path / "env.py", "SECRET_KEY = 'config'\nTEST_KEY = 'foo'\n")
    monkeypatch.setenv("MICROFLASK_TEST_SETTINGS", str(tmp_path / "env.py"))
    assert config.from_envvar("MICROFLASK_TEST_SETTINGS") is True
    check_settings(config)

    monkeypatch.setenv("MICROFLASK_TEST_SETTINGS", str(tmp_path / "gone.py"))
    assert config.from_envvar("MICROFLASK_TEST_SETTINGS", silent=True) is False
    with pytest.raises(IOError, match="Unable to load configuration file"):
        config.from_envvar("MICROFLASK_TEST_SETTINGS")


def test_from_mapping(tmp_path):
    config = Config(tmp_path)
    assert config.from_mapping({"SECRET_KEY": "config", "lower": 1}, TEST_KEY="foo")
    check_settings(config)
    assert "lower" not in config
    config.from_mapping([("LIST_PAIRS", 1)])
    assert config["LIST_PAIRS"] == 1
    config.from_mapping(TEST_KEY="override")
    assert config["TEST_KEY"] == "override"
    with pytest.raises(TypeError):
        config.from_mapping({}, {})


def test_from_file_json(tmp_path):
    write(tmp_path / "c.json", json.dumps({"SECRET_KEY": "config", "TEST_KEY": "foo", "x": 1}))
    config = Config(tmp_path)
    assert config.from_file("c.json", load=json.load) is True
    check_settings(config)
    assert "x" not in config
    assert config.from_file("nope.json", load=json.load, silent=True) is False
    with pytest.raises(FileNotFoundError, match="Unable to load configuration file"):
        config.from_file("nope.json", load=json.load)


def test_from_file_binary_mode(tmp_path):
    (tmp_path / "c.bin").write_bytes(b'{"KEY": "v"}')
    seen = []

    def load(file):
        data = file.read()
        seen.append(type(data))
        return json.loads(data)

    config = Config(tmp_path)
    config.from_file("c.bin", load=load, text=False)
    assert seen == [bytes]
    assert config["KEY"] == "v"


def test_from_file_toml(tmp_path):
    tomllib = pytest.importorskip("tomllib")
    write(tmp_path / "c.toml", 'SECRET_KEY = "config"\nTEST_KEY = "foo"\n')
    config = Config(tmp_path)
    config.from_file("c.toml", load=tomllib.load, text=False)
    check_settings(config)


def test_from_prefixed_env(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_STRING", "value")
    monkeypatch.setenv("FLASK_BOOL", "true")
    monkeypatch.setenv("FLASK_INT", "1")
    monkeypatch.setenv("FLASK_FLOAT", "1.2")
    monkeypatch.setenv("FLASK_LIST", "[1, 2]")
    monkeypatch.setenv("FLASK_DICT", '{"k": "v"}')
    monkeypatch.setenv("FLASK_NOT_JSON", "{bad")
    monkeypatch.setenv("NOT_FLASK_OTHER", "other")
    config = Config(tmp_path)
    assert config.from_prefixed_env() is True
    assert config["STRING"] == "value"
    assert config["BOOL"] is True
    assert config["INT"] == 1
    assert config["FLOAT"] == 1.2
    assert config["LIST"] == [1, 2]
    assert config["DICT"] == {"k": "v"}
    assert config["NOT_JSON"] == "{bad"
    assert "OTHER" not in config


def test_from_prefixed_env_custom_prefix_and_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("MYAPP_A", "a value")
    monkeypatch.setenv("FLASK_B", "b value")
    config = Config(tmp_path)
    config.from_prefixed_env("MYAPP", loads=str.upper)
    assert config == {"A": "A VALUE"}


def test_from_prefixed_env_nested(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_EXIST__ok", "other")
    monkeypatch.setenv("FLASK_EXIST__inner__ik", "2")
    monkeypatch.setenv("FLASK_EXIST__new__more", '{"k": false}')
    monkeypatch.setenv("FLASK_NEW__K", "v")
    config = Config(tmp_path)
    config["EXIST"] = {"ok": "value", "flag": True, "inner": {"ik": 1}}
    config.from_prefixed_env()
    assert config["EXIST"] == {
        "ok": "other",
        "flag": True,
        "inner": {"ik": 2},
        "new": {"more": {"k": False}},
    }
    assert config["NEW"] == {"K": "v"}


def test_from_prefixed_env_is_sorted(tmp_path, monkeypatch):
    # Sorted order: FLASK_A is set before FLASK_A__B nests into it.
    monkeypatch.setenv("FLASK_A__B", "1")
    monkeypatch.setenv("FLASK_A", "{}")
    config = Config(tmp_path)
    config.from_prefixed_env()
    assert config["A"] == {"B": 1}


def test_get_namespace(tmp_path):
    config = Config(tmp_path)
    config.update(
        {
            "FOO_OPTION_1": "foo option 1",
            "FOO_OPTION_2": "foo option 2",
            "BAR_STUFF_1": "bar stuff 1",
        }
    )
    assert config.get_namespace("FOO_") == {
        "option_1": "foo option 1",
        "option_2": "foo option 2",
    }
    assert config.get_namespace("FOO_", lowercase=False) == {
        "OPTION_1": "foo option 1",
        "OPTION_2": "foo option 2",
    }
    assert config.get_namespace("BAR_", trim_namespace=False) == {"bar_stuff_1": "bar stuff 1"}
    assert config.get_namespace("BAR_", lowercase=False, trim_namespace=False) == {
        "BAR_STUFF_1": "bar stuff 1"
    }
    assert config.get_namespace("NONE_") == {}


def test_repr(tmp_path):
    config = Config(tmp_path, {"A": 1})
    assert repr(config) == "<Config {'A': 1}>"

    class Custom(Config):
        pass

    assert repr(Custom(tmp_path)) == "<Custom {}>"


def test_config_attribute_forwards_to_config(tmp_path):
    class App:
        debug = ConfigAttribute("DEBUG")
        lifetime = ConfigAttribute("LIFETIME", get_converter=lambda s: timedelta(seconds=s))

        def __init__(self):
            self.config = Config(tmp_path, {"DEBUG": False, "LIFETIME": 60})

    app = App()
    assert app.debug is False
    app.debug = True
    assert app.config["DEBUG"] is True
    assert app.lifetime == timedelta(seconds=60)
    app.lifetime = 5
    assert app.config["LIFETIME"] == 5
    assert app.lifetime == timedelta(seconds=5)
    assert isinstance(App.debug, ConfigAttribute)
    del app.config["DEBUG"]
    with pytest.raises(KeyError):
        app.debug


def test_missing_file_message_text(tmp_path):
    config = Config(tmp_path)
    with pytest.raises(IOError) as info:
        config.from_pyfile("missing.cfg")
    text = str(info.value)
    assert text.startswith(
        "[Errno 2] Unable to load configuration file (No such file or directory):"
    )
    assert text.endswith("missing.cfg'")


def test_from_pyfile_honours_coding_cookie(tmp_path):
    source = '# -*- coding: latin-1 -*-\nTEST_VALUE = "f\u00f6\u00f6"\n'
    (tmp_path / "latin.py").write_bytes(source.encode("latin-1"))
    config = Config(tmp_path)
    config.from_pyfile("latin.py")
    assert config["TEST_VALUE"] == "f\u00f6\u00f6"


def test_from_object_includes_inherited_attributes(tmp_path):
    class Base:
        TEST_KEY = "foo"

    class Child(Base):
        SECRET_KEY = "config"

    config = Config(tmp_path)
    config.from_object(Child)
    check_settings(config)


def test_from_envvar_reads_environ_at_call_time(tmp_path, monkeypatch):
    write(tmp_path / "late.py", "LATE = True\n")
    monkeypatch.setattr("os.environ", {"LATE_SETTINGS": str(tmp_path / "late.py")})
    config = Config(tmp_path)
    assert config.from_envvar("LATE_SETTINGS")
    assert config["LATE"] is True
