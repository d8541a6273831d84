"""The ``caseapp`` command line."""

from caseapp.cli.main import main

__all__ = ["main"]
