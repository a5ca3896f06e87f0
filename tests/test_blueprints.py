"""Blueprints: prefixes, dotted endpoints, scoped hooks and handlers, nesting."""

import pytest

from microflask import Blueprint, Flask, abort, g, render_template_string, request, url_for


@pytest.fixture
def app():
    app = Flask("test_blueprints")
    app.testing = True
    return app


def test_routes_prefix_and_endpoints(app):
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/")
    def index():
        return "admin %s %s" % (request.blueprint, request.endpoint)

    @bp.get("/users/<int:uid>")
    def user(uid):
        return url_for(".user", uid=uid + 1)

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/admin/").data == b"admin admin admin.index"
    assert client.get("/admin/users/1").data == b"/admin/users/2"
    assert "admin" in app.blueprints
    with app.test_request_context():
        assert url_for("admin.index") == "/admin/"


def test_register_prefix_overrides_and_url_defaults(app):
    bp = Blueprint("lang", __name__, url_prefix="/ignored", url_defaults={"lang": "en"})

    @bp.route("/<lang>/hello")
    def hello(lang):
        return lang

    app.register_blueprint(bp, url_prefix="/x")
    client = app.test_client()
    # As in Flask, a blueprint's url_defaults value wins over the URL's.
    assert client.get("/x/fr/hello").data == b"en"
    with app.test_request_context():
        assert url_for("lang.hello") == "/x/en/hello"


def test_scoped_hooks_and_app_hooks(app):
    calls = []
    bp = Blueprint("bp", __name__)

    @bp.before_request
    def bp_before():
        calls.append("bp_before")

    @bp.before_app_request
    def app_before():
        calls.append("app_before")

    @bp.after_request
    def bp_after(response):
        calls.append("bp_after")
        return response

    @bp.teardown_request
    def bp_teardown(exc):
        calls.append("bp_teardown")

    @bp.route("/in")
    def inside():
        return "in"

    @app.route("/out")
    def outside():
        return "out"

    app.register_blueprint(bp)
    client = app.test_client()
    client.get("/in")
    assert calls == ["app_before", "bp_before", "bp_after", "bp_teardown"]
    calls.clear()
    client.get("/out")
    assert calls == ["app_before"]


def test_error_handlers_blueprint_first(app):
    bp = Blueprint("bp", __name__)

    @bp.errorhandler(403)
    def bp_forbidden(e):
        return "bp forbidden", 403

    @bp.app_errorhandler(404)
    def app_not_found(e):
        return "app 404", 404

    @app.errorhandler(403)
    def app_forbidden(e):
        return "app forbidden", 403

    @bp.route("/bp")
    def in_bp():
        abort(403)

    @app.route("/app")
    def in_app():
        abort(403)

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/bp").data == b"bp forbidden"
    assert client.get("/app").data == b"app forbidden"
    assert client.get("/nowhere").data == b"app 404"


def test_nested_blueprints(app):
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    grandchild = Blueprint("grandchild", __name__, url_prefix="/gc")

    @parent.before_request
    def parent_before():
        g.seen = ["parent"]

    @child.before_request
    def child_before():
        g.seen.append("child")

    @grandchild.route("/")
    def index():
        return "%s %s %s" % (request.endpoint, ",".join(request.blueprints), ",".join(g.seen))

    @child.route("/")
    def child_index():
        return url_for(".child_index") + " " + url_for(".grandchild.index")

    child.register_blueprint(grandchild)
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    client = app.test_client()
    rv = client.get("/parent/child/gc/")
    assert (
        rv.data
        == b"parent.child.grandchild.index parent.child.grandchild,parent.child,parent parent,child"
    )
    assert client.get("/parent/child/").data == b"/parent/child/ /parent/child/gc/"
    fresh = Blueprint("fresh", __name__)
    with pytest.raises(ValueError):
        fresh.register_blueprint(fresh)


def test_register_twice_needs_a_new_name(app):
    bp = Blueprint("bp", __name__)

    @bp.route("/")
    def index():
        return request.blueprint

    app.register_blueprint(bp, url_prefix="/one")
    with pytest.raises(ValueError):
        app.register_blueprint(bp, url_prefix="/two")
    app.register_blueprint(bp, url_prefix="/two", name="bp2")
    client = app.test_client()
    assert client.get("/one/").data == b"bp"
    assert client.get("/two/").data == b"bp2"


def test_names_may_not_contain_dots():
    with pytest.raises(ValueError):
        Blueprint("a.b", __name__)
    with pytest.raises(ValueError):
        Blueprint("", __name__)
    bp = Blueprint("ok", __name__)
    with pytest.raises(ValueError):
        bp.add_url_rule("/", "a.b", lambda: "")


def test_setup_after_registration_is_refused(app):
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(AssertionError):

        @bp.route("/late")
        def late():
            return ""


def test_record_and_record_once(app):
    states = []
    bp = Blueprint("bp", __name__)
    bp.record(lambda state: states.append(("record", state.name, state.first_registration)))
    bp.record_once(lambda state: states.append(("once", state.url_prefix)))
    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/b", name="b2")
    assert states == [("record", "bp", True), ("once", "/a"), ("record", "b2", False)]


def test_template_helpers_and_folders(app, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "bp_page.html").write_text("{{ 'x'|shout }} {{ bp_global() }}")
    bp = Blueprint("bp", __name__, template_folder="templates", root_path=str(tmp_path))

    @bp.app_template_filter("shout")
    def shout(value):
        return value.upper() + "!"

    @bp.app_template_global()
    def bp_global():
        return "global"

    @bp.app_context_processor
    def extra():
        return {"extra": "E"}

    @bp.route("/")
    def index():
        from microflask import render_template

        return render_template("bp_page.html")

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/").data == b"X! global"
    with app.test_request_context():
        assert render_template_string("{{ extra }}") == "E"


def test_blueprint_static_folder(app, tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.js").write_text("let x;")
    bp = Blueprint(
        "bp", __name__, static_folder="static", url_prefix="/bp", root_path=str(tmp_path)
    )
    app.register_blueprint(bp)
    client = app.test_client()
    rv = client.get("/bp/static/app.js")
    assert rv.status_code == 200 and rv.data == b"let x;"
    rv.close()
    with app.test_request_context():
        assert url_for("bp.static", filename="app.js") == "/bp/static/app.js"


def test_url_rule_and_view_args_on_request(app):
    bp = Blueprint("bp", __name__)

    @bp.route("/item/<int:item_id>")
    def item(item_id):
        return "%s %r %s" % (request.url_rule.rule, request.view_args, request.endpoint)

    app.register_blueprint(bp)
    assert app.test_client().get("/item/3").data == b"/item/<int:item_id> {'item_id': 3} bp.item"


def test_the_default_context_processor_is_the_apps_alone(app):
    # Flask registers its default context processor (request, session, g) on
    # the app only: a blueprint starts with none of its own, so a request in
    # nested blueprints runs the default once.
    from microflask import scaffold

    calls = []
    real = scaffold._default_template_ctx_processor

    def counting():
        calls.append(1)
        return real()

    app.template_context_processors[None] = [counting]
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    assert dict(parent.template_context_processors) == {}

    @child.route("/page")
    def page():
        return render_template_string("{{ request.path }} {{ g.x|default('-') }}")

    parent.register_blueprint(child, url_prefix="/child")
    app.register_blueprint(parent, url_prefix="/parent")
    assert app.test_client().get("/parent/child/page").data == b"/parent/child/page -"
    assert len(calls) == 1
    assert app.template_context_processors["parent"] == []
    assert app.template_context_processors["parent.child"] == []
