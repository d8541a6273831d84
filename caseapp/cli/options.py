"""Option blocks several commands share: the ``CASE_REF ... --json`` command shape and the
signing options (``--sign``, ``--cert``, ``--tsa``) of ``export`` and ``produce``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TSA_ENV = "CASEAPP_TSA_URL"
Sub = argparse._SubParsersAction  # type: ignore[type-arg]


@contextmanager
def case_command(sub: Sub, name: str, handler: Callable[[argparse.Namespace], int],
                 *positionals: tuple[str, dict[str, Any]],
                 **parser_kw: Any) -> Iterator[argparse.ArgumentParser]:
    """A ``NAME CASE_REF [POSITIONALS...] [options] [--json]`` command run by ``handler``.

    The options added inside the ``with`` block come between the positionals and
    ``--json`` (the order ``--help`` lists them in)."""
    parser = sub.add_parser(name, **parser_kw)
    parser.add_argument("case_ref", metavar="CASE_REF")
    for dest, kw in positionals:
        parser.add_argument(dest, **kw)
    yield parser
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=handler)


def add_tsa_option(parser: argparse.ArgumentParser) -> None:
    """``--tsa URL``: an RFC 3161 timestamp on each signature (off by default; offline)."""
    parser.add_argument("--tsa", metavar="URL", default=os.environ.get(TSA_ENV) or None,
                        help="with --sign/--cert: add an RFC 3161 timestamp from this "
                        f"timestamp authority (default {TSA_ENV}; none: offline)")


def add_signing_options(parser: argparse.ArgumentParser, *, what: str,
                        cert_note: str = "") -> None:
    """``--sign``, ``--cert FILE.p12`` and ``--tsa URL`` (``what``: what gets signed)."""
    parser.add_argument("--sign", action="store_true",
                        help=f"sign {what} (PAdES B-B); alone: this store's self-signed "
                        "certificate, clearly labelled as such")
    parser.add_argument("--cert", type=Path, metavar="FILE.p12",
                        help=f"sign with this PKCS#12 certificate (implies --sign{cert_note})")
    add_tsa_option(parser)

