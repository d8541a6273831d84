"""Option blocks several commands share: the ``ACTION`` groups, the ``NAME [ARGS...]
[options] [--json]`` command shape (:func:`command`, arguments as :func:`arg` data) and the
signing options (``--sign``, ``--cert``, ``--tsa``) of ``export`` and ``produce``."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caseapp.cli.common import Handler

TSA_ENV = "CASEAPP_TSA_URL"
Sub = argparse._SubParsersAction  # type: ignore[type-arg]


@dataclass(frozen=True)
class Arg:
    """One ``add_argument`` call: the argument's names and its keywords."""

    names: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OneOf:
    """Arguments of which at most one may be given (a mutually exclusive group)."""

    args: tuple[Arg, ...]


def arg(*names: str, **options: Any) -> Arg:
    return Arg(names, options)


CASE_REF = arg("case_ref", metavar="CASE_REF")
TIP_REF = arg("tip_ref", metavar="TIP_REF")
EXHIBIT = arg("exhibit", metavar="EXHIBIT")
ITEM_ID = arg("item_id", metavar="ITEM_ID")
#: Optimistic concurrency: refuse the edit (exit 4) when the record moved past version N.
EXPECTED_VERSION = arg("--expected-version", dest="expected_version", type=int, metavar="N",
                       help="the version you read (show/list --json give it): if the record "
                       "was saved since, change nothing and exit 4")


def actions(sub: Sub, name: str, help: str, *, metavar: str = "ACTION",
            **parser_kw: Any) -> Sub:
    """A command group ``NAME ACTION ...`` (one action required; dest ``NAME_command``)."""
    parser = sub.add_parser(name, help=help, **parser_kw)
    return parser.add_subparsers(dest=f"{name}_command", metavar=metavar, required=True)


def command(sub: Sub, name: str, handler: Handler, *args: Arg | OneOf, json: bool = True,
            **parser_kw: Any) -> argparse.ArgumentParser:
    """A command ``NAME ARGS... [--json]`` run by ``handler`` (``--json`` comes last, the
    order ``--help`` lists them in)."""
    parser = sub.add_parser(name, **parser_kw)
    for spec in args:
        if isinstance(spec, OneOf):
            group = parser.add_mutually_exclusive_group()
            for one in spec.args:
                group.add_argument(*one.names, **one.options)
        else:
            parser.add_argument(*spec.names, **spec.options)
    if json:
        parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=handler)
    return parser


def signing_options(*, what: str, cert_note: str = "") -> tuple[Arg, ...]:
    """``--sign``, ``--cert FILE.p12`` and ``--tsa URL`` (``what``: what gets signed)."""
    return (
        arg("--sign", action="store_true", help=f"sign {what} (PAdES B-B); alone: this "
            "store's self-signed certificate, clearly labelled as such"),
        arg("--cert", type=Path, metavar="FILE.p12",
            help=f"sign with this PKCS#12 certificate (implies --sign{cert_note})"),
        # --tsa: an RFC 3161 timestamp on each signature (off by default; offline).
        arg("--tsa", metavar="URL", default=os.environ.get(TSA_ENV) or None,
            help="with --sign/--cert: add an RFC 3161 timestamp from this "
            f"timestamp authority (default {TSA_ENV}; none: offline)"),
    )
