"""JSON endpoints: the ``api`` blueprint, mounted under ``/api``."""

from microflask import Blueprint, current_app, jsonify, request, url_for

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/greeting")
def greeting():
    name = request.args.get("name", "World")
    return jsonify(
        greeting="%s, %s!" % (current_app.config["GREETING"], name),
        # url_for names an endpoint of another blueprint with its prefix: "main.hello".
        page=url_for("main.hello", name=name),
    )


@bp.get("/settings")
def settings():
    # Only the harmless settings: never send SECRET_KEY to a client.
    config = current_app.config
    return jsonify(
        greeting=config["GREETING"],
        site_name=config["SITE_NAME"],
        page_size=config["PAGE_SIZE"],
    )
