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
