"""Alembic configuration built in code, so no alembic.ini has to ship."""

from __future__ import annotations

from alembic.config import Config
from sqlalchemy.engine import Connection

from caseapp.store.errors import StoreOpenError


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at the packaged migrations, bound to ``connection``."""
    cfg = Config()
    cfg.set_main_option("script_location", "caseapp.store:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    """Leave full-text index tables (``search_*``, hand-written migrations) out of autogenerate."""
    return not (type_ == "table" and name is not None and name.startswith("search_"))


def refuse_unknown_revision(current: str | None, what: str) -> None:
    """Raise StoreOpenError when ``current`` is a revision this program does not know (a store
    a newer caseapp wrote); ``what`` names the store ("case store", "team store")."""
    if current is None:
        return
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(current)
    except CommandError:
        raise StoreOpenError(
            f"This {what} was written by a newer version of caseapp (its schema is newer than "
            "this program knows); open it with that version or a later one. Nothing was "
            "changed.") from None
