"""The smallest microflask app: run it with ``python3 examples/hello.py``.

Then open http://127.0.0.1:5000/ and http://127.0.0.1:5000/hello/you.
Change ``microflask`` to ``flask`` in the import and it runs on Flask too.
"""

import os
import sys

try:
    import microflask  # noqa: F401
except ImportError:  # run from a checkout, not installed: use the source tree beside us
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from microflask import Flask, jsonify, request  # noqa: E402

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello, World!"


@app.route("/hello/<name>")
def hello(name):
    greeting = request.args.get("greeting", "Hello")
    return jsonify(message="%s, %s!" % (greeting, name))


if __name__ == "__main__":
    app.run(debug=False)
