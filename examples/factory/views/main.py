"""HTML pages: the ``main`` blueprint, mounted at the site root."""

from microflask import Blueprint, current_app, render_template

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html", greeting=current_app.config["GREETING"])


@bp.route("/hello/<name>")
def hello(name):
    return render_template("main/hello.html", greeting=current_app.config["GREETING"], name=name)
