"""Class-based views: View, MethodView, decorators, init_every_request."""

import pytest

from microflask import Flask, request
from microflask.views import MethodView, View


@pytest.fixture
def app():
    app = Flask("test_views")
    app.testing = True
    return app


def test_view_dispatch_and_arguments(app):
    class Greeting(View):
        methods = ["GET", "POST"]

        def __init__(self, word):
            self.word = word

        def dispatch_request(self, name):
            return "%s %s via %s" % (self.word, name, request.method)

    app.add_url_rule("/hi/<name>", view_func=Greeting.as_view("greet", "Hi"))
    client = app.test_client()
    assert client.get("/hi/ann").data == b"Hi ann via GET"
    assert client.post("/hi/bob").data == b"Hi bob via POST"
    assert client.put("/hi/bob").status_code == 405


def test_method_view_methods_and_head(app):
    class Items(MethodView):
        def get(self):
            return "list"

        def post(self):
            return "create", 201

    view = Items.as_view("items")
    assert view.methods == {"GET", "POST"}
    app.add_url_rule("/items", view_func=view)
    client = app.test_client()
    assert client.get("/items").data == b"list"
    assert client.post("/items").status_code == 201
    assert client.head("/items").status_code == 200
    assert client.delete("/items").status_code == 405


def test_method_view_inheritance(app):
    class Base(MethodView):
        def get(self):
            return "base get"

    class Child(Base):
        def delete(self):
            return "child delete"

    assert Child.methods == {"GET", "DELETE"}
    app.add_url_rule("/c", view_func=Child.as_view("child"))
    client = app.test_client()
    assert client.get("/c").data == b"base get"
    assert client.delete("/c").data == b"child delete"


def test_decorators_apply_in_order(app):
    def add(tag):
        def decorator(f):
            def wrapper(**kwargs):
                return tag + f(**kwargs)

            return wrapper

        return decorator

    class Tagged(View):
        decorators = [add("a"), add("b")]

        def dispatch_request(self):
            return "view"

    view = Tagged.as_view("tagged")
    assert view.__name__ == "tagged" and view.view_class is Tagged
    app.add_url_rule("/t", view_func=view)
    assert app.test_client().get("/t").data == b"baview"


def test_init_every_request(app):
    instances = []

    class Fresh(View):
        def __init__(self):
            instances.append(self)

        def dispatch_request(self):
            return str(len(instances))

    class Shared(Fresh):
        init_every_request = False

    app.add_url_rule("/fresh", view_func=Fresh.as_view("fresh"))
    client = app.test_client()
    client.get("/fresh")
    client.get("/fresh")
    assert len(instances) == 2
    instances.clear()
    app2 = Flask("shared")
    app2.add_url_rule("/shared", view_func=Shared.as_view("shared"))
    client2 = app2.test_client()
    client2.get("/shared")
    client2.get("/shared")
    assert len(instances) == 1


def test_async_method_view(app):
    class AsyncView(MethodView):
        async def get(self):
            return "async get"

    app.add_url_rule("/a", view_func=AsyncView.as_view("a"))
    assert app.test_client().get("/a").data == b"async get"
