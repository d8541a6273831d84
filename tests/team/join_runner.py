"""A separate process running ``caseapp --home HOME team join --dsn DSN --json`` (the join race
test's joiner).

Usage: ``python join_runner.py DSN HOME GO_FILE``; the role's password comes in
``CASEAPP_TEST_PG_PASSWORD``, put into a keyring that every joiner of the test shares (a JSON
file, ``CASEAPP_TEST_KEYRING``: one machine's OS keyring, as the app reads it), the home's
passphrase in ``CASEAPP_PASSPHRASE``. Waits (bounded) for GO_FILE so the joins start at once.
Exits with the CLI's exit code; the CLI's output is this process's.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from memkeyring import MemoryKeyring  # noqa: E402 - from tests/, put on the path just above


class SharedKeyring(MemoryKeyring):
    """The test machine's keyring: every read and write goes to one JSON file."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _load(self) -> None:
        stored = json.loads(self.path.read_text()) if self.path.exists() else []
        self.secrets = {(s, u): p for s, u, p in stored}

    def get_password(self, service: str, username: str) -> str | None:
        self._load()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._load()
        super().set_password(service, username, password)
        temp = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        temp.write_text(json.dumps([[s, u, p] for (s, u), p in self.secrets.items()]))
        os.replace(temp, self.path)


def main(dsn: str, home: str, go_file: Path) -> int:
    import keyring

    from caseapp.cli.main import main as cli
    from caseapp.services.team import members  # noqa: F401 - imported before the start
    from caseapp.store.postgresql.engine import KEYRING_SERVICE, keyring_user, parse_url

    keyring.set_keyring(SharedKeyring(Path(os.environ["CASEAPP_TEST_KEYRING"])))
    keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(dsn)),
                         os.environ["CASEAPP_TEST_PG_PASSWORD"])
    deadline = time.monotonic() + 60
    while not go_file.exists():
        if time.monotonic() > deadline:
            return 99
        time.sleep(0.005)
    return cli(["--home", home, "team", "join", "--dsn", dsn, "--json"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
