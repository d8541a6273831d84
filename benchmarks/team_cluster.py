"""The set-up the team-store benchmarks share: a throw-away PostgreSQL cluster (loopback) with
an empty database ``bench`` whose URL's password sits in an in-memory keyring."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


@contextlib.contextmanager
def bench_cluster() -> Iterator[tuple[Any, str]]:
    """(the running cluster, the store URL of its ``bench`` database); stopped at the end."""
    import keyring
    from memkeyring import MemoryKeyring
    from pg_cluster import PgCluster, find_bindir
    from store_backends import store_password

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (no initdb)")
    keyring.set_keyring(MemoryKeyring())
    cluster = PgCluster(bindir)
    cluster.start()
    try:
        cluster.psql("CREATE DATABASE bench")
        url = cluster.dsn("bench")
        store_password(url)
        yield cluster, url
    finally:
        cluster.stop()


def p95(values: list[float]) -> float:
    """The 95th-percentile value (nearest rank)."""
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]
