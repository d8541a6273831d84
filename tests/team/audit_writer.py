"""A separate process appending audit entries to a team store (the concurrency test's writer).

Usage: ``python audit_writer.py DSN COUNT GO_FILE``; the role's password comes in the
``CASEAPP_TEST_PG_PASSWORD`` environment variable (put into an in-memory keyring, as the app
reads it). Waits (bounded) for GO_FILE so every writer starts at once.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(dsn: str, count: int, go_file: Path) -> int:
    import keyring
    from memkeyring import MemoryKeyring
    from sqlmodel import Session

    from caseapp.security import audit
    from caseapp.store.postgresql.engine import (
        KEYRING_SERVICE,
        keyring_user,
        make_engine,
        parse_url,
        write_engine,
    )

    keyring.set_keyring(MemoryKeyring())
    keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(dsn)),
                         os.environ["CASEAPP_TEST_PG_PASSWORD"])
    audit.install()
    engine = make_engine(dsn)
    with engine.connect():  # connected before the start signal
        pass
    deadline = time.monotonic() + 60
    while not go_file.exists():
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.01)
    writer = write_engine(engine)
    for i in range(count):
        with Session(writer) as session, session.begin():
            audit.append(session, "test.concurrent", "writer", os.getpid(), {"i": i})
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])))
