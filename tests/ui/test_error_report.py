"""The error report the app shows for an unexpected database error keeps the traceback but not
the SQL statement or its parameters, which carry case data."""

from __future__ import annotations

import sqlalchemy as sa

from caseapp.ui.errors import full_report, redacted_report, user_message

SECRET = "the tipster is Jane Roe"
STATEMENT = sa.text("INSERT INTO note VALUES (1, :t)")


def _integrity_error() -> sa.exc.IntegrityError:
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
        conn.exec_driver_sql("INSERT INTO note VALUES (1, 'first')")
    try:
        with engine.begin() as conn:
            conn.execute(STATEMENT, {"t": SECRET})  # (source lines are in the traceback)
    except sa.exc.IntegrityError as exc:
        return exc
    raise AssertionError("no error")


def test_report_of_a_database_error_has_no_sql_or_parameters() -> None:
    exc = _integrity_error()
    assert "Jane Roe" in str(exc)  # what SQLAlchemy would have shown
    report = full_report(type(exc), exc, exc.__traceback__)
    assert "IntegrityError" in report and "UNIQUE constraint failed" in report
    assert "Jane Roe" not in report and "INSERT INTO" not in report
    assert "not shown" in report
    assert "Jane Roe" not in redacted_report(type(exc), exc.__traceback__)
    assert "Jane Roe" not in user_message(exc)
