"""``python3 examples/factory`` or ``python3 -m examples.factory``: build the app and serve it."""

import os
import sys

if __package__:
    from . import create_app
else:  # run as a folder: python3 examples/factory
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from factory import create_app

create_app().run()
