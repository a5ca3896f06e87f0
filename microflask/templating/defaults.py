"""The settings a new environment starts with (Jinja's ``jinja2.defaults``).

Nothing is defined here: the delimiters and whitespace options are the
default arguments of :class:`~microflask.templating.environment.Environment`
and live in that module, the filters and tests in their own modules; this
module gathers them under Jinja's names.  It imports the environment, never
the other way round, so there is no import cycle (``Environment`` reads
the filters and tests from their modules directly).
"""

from __future__ import annotations

from microflask.templating.environment import (
    BLOCK_END_STRING,
    BLOCK_START_STRING,
    COMMENT_END_STRING,
    COMMENT_START_STRING,
    DEFAULT_NAMESPACE,
    DEFAULT_POLICIES,
    KEEP_TRAILING_NEWLINE,
    LINE_COMMENT_PREFIX,
    LINE_STATEMENT_PREFIX,
    LSTRIP_BLOCKS,
    NEWLINE_SEQUENCE,
    TRIM_BLOCKS,
    VARIABLE_END_STRING,
    VARIABLE_START_STRING,
)
from microflask.templating.filters import FILTERS as DEFAULT_FILTERS
from microflask.templating.tests import TESTS as DEFAULT_TESTS

__all__ = [
    "BLOCK_START_STRING",
    "BLOCK_END_STRING",
    "VARIABLE_START_STRING",
    "VARIABLE_END_STRING",
    "COMMENT_START_STRING",
    "COMMENT_END_STRING",
    "LINE_STATEMENT_PREFIX",
    "LINE_COMMENT_PREFIX",
    "TRIM_BLOCKS",
    "LSTRIP_BLOCKS",
    "NEWLINE_SEQUENCE",
    "KEEP_TRAILING_NEWLINE",
    "DEFAULT_FILTERS",
    "DEFAULT_TESTS",
    "DEFAULT_NAMESPACE",
    "DEFAULT_POLICIES",
]
