"""Alembic configuration built in code, so no alembic.ini has to ship."""

from __future__ import annotations

from alembic.config import Config
from sqlalchemy.engine import Connection


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
