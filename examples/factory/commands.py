"""Custom CLI commands, added to ``microflask --app examples/factory``."""

from __future__ import annotations

from microflask import Flask, current_app


def register_commands(app: Flask) -> None:
    """Add ``greet`` to the app's command group, when the CLI is available."""
    try:
        from microflask.cli import option
    except ImportError:  # a build without the CLI module: the app works without it
        return

    @app.cli.command("greet")
    @option("--name", default="World", help="Who to greet.")
    @option("--count", default=1, type=int, help="How many times.")
    def greet(name: str, count: int) -> None:
        """Print the configured greeting."""
        # Commands run inside an app context, so current_app is this app.
        for _ in range(count):
            print("%s, %s!" % (current_app.config["GREETING"], name))
