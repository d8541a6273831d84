"""Locate bundled resources (templates, fonts) through importlib.resources."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """Return a Traversable for ``resources/<parts...>`` as installed with the package."""
    node: Traversable = files("caseapp.resources")
    for part in parts:
        node = node / part
    return node
