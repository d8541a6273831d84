"""change notify: a team store tells every listening client which case changed

Revision ID: 0013_change_notify
Revises: 0012_edit_versions
Create Date: 2026-12-07

PostgreSQL only (nothing on SQLite). Statement-level AFTER triggers on every table that holds
case data (and on the team-wide ones: tips, watchlists, templates) send
``pg_notify('caseapp_changes', payload)`` for each distinct case their rows belong to; the
payload is the case's integer id, or ``*`` for a team-wide change (a tip, a watchlist) or for
more than :data:`_MANY` cases (or :data:`_BULK_ROWS` rows) in one statement. PostgreSQL
delivers them only when the transaction commits (and drops them on rollback), so a listener
hears only committed writes, from any client. Never a ref, title or other case data: a member
may hear the id of a case they may not see, and re-reads it under their own rights (row-level
security), which tells them nothing (caseapp/store/postgresql/notify.py). The search index,
keys and audit tables are left out: they change only with a table listed here. A
statement-level trigger with a transition table costs one query per statement, not per row,
reading at most :data:`_BULK_ROWS` + 1 of its rows (a bulk load of 100,000 rows sends one ``*``).
"""

from __future__ import annotations

from alembic import op

revision = "0013_change_notify"
down_revision = "0012_edit_versions"
branch_labels = None
depends_on = None

#: More distinct cases than this in one statement: one store-wide notification instead.
_MANY = 50
#: A statement writing more rows than this is a bulk change: store-wide, without reading
#: the rest of its rows (caps the trigger's cost on bulk loads and mass updates).
_BULK_ROWS = 10_000
_FUNCTION = "caseapp_notify_changes"
#: table -> SQL giving the changed case's id as text (``*``: team-wide) from a row ``r``.
#: Kept in step with caseapp.store.postgresql.notify.NOTIFIED_TABLES (a test checks).
CASE_OF: dict[str, str] = {
    "case_file": "r.id::text",
    "case_member": "r.case_id::text",
    "subject": "r.case_id::text",
    "note": "r.case_id::text",
    "tip_case_link": "r.case_id::text",
    "checklist": "r.case_id::text",
    "export_record": "r.case_id::text",
    "production": "r.case_id::text",
    "signal_import": "r.case_id::text",
    "signal_observation": "r.case_id::text",
    "signal_finding": "r.case_id::text",
    "evidence": "coalesce(r.case_id::text, '*')",
    "identifier": ("CASE WHEN r.tip_id IS NOT NULL THEN '*' ELSE (SELECT s.case_id::text "
                   "FROM subject s WHERE s.id = r.subject_id) END"),
    "custody_event": ("(SELECT coalesce(e.case_id::text, '*') FROM evidence e "
                      "WHERE e.id = r.evidence_id)"),
    "note_revision": "(SELECT n.case_id::text FROM note n WHERE n.id = r.note_id)",
    "checklist_answer": ("(SELECT c.case_id::text FROM checklist c "
                         "WHERE c.id = r.checklist_id)"),
    "tip": "'*'",
    "watchlist": "'*'",
    "watchlist_entry": "'*'",
    "template_blob": "'*'",
}

# TG_ARGV[0]: the case expression; TG_ARGV[1..]: the transition tables to read. A row whose
# case cannot be found (its parent went in the same statement) is skipped: the parent's own
# trigger names the case.
_CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  v_sql text := '';
  v_ids text[];
  v_rows bigint;
  i integer;
BEGIN
  FOR i IN 1 .. TG_NARGS - 1 LOOP
    IF v_sql <> '' THEN
      v_sql := v_sql || ' UNION ALL ';
    END IF;
    v_sql := v_sql || format('(SELECT %s AS c FROM %I r LIMIT %s)', TG_ARGV[0], TG_ARGV[i],
                             {_BULK_ROWS} + 1);
  END LOOP;
  EXECUTE format('SELECT count(*), array_agg(DISTINCT c) FILTER (WHERE c IS NOT NULL) '
                 'FROM (%s) x', v_sql)
    INTO v_rows, v_ids;
  IF v_rows > {_BULK_ROWS} THEN
    PERFORM pg_notify('caseapp_changes', '*');  -- a bulk change: not worth naming cases
    RETURN NULL;
  END IF;
  IF v_ids IS NULL THEN
    RETURN NULL;
  END IF;
  IF '*' = ANY (v_ids) OR cardinality(v_ids) > {_MANY} THEN
    PERFORM pg_notify('caseapp_changes', '*');
  ELSE
    PERFORM pg_notify('caseapp_changes', c) FROM unnest(v_ids) AS c;
  END IF;
  RETURN NULL;
END $$;
"""

_OPS = {"ins": ("INSERT", "NEW TABLE AS new_rows", "'new_rows'"),
        "upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "'old_rows', 'new_rows'"),
        "del": ("DELETE", "OLD TABLE AS old_rows", "'old_rows'")}


def _quoted(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_CREATE_FUNCTION)
    for table, case_sql in CASE_OF.items():
        for short, (event, referencing, tables) in _OPS.items():
            op.execute(f"CREATE TRIGGER caseapp_notify_{short} AFTER {event} ON {table} "
                       f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION "
                       f"{_FUNCTION}({_quoted(case_sql)}, {tables})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in CASE_OF:
        for short in _OPS:
            op.execute(f"DROP TRIGGER IF EXISTS caseapp_notify_{short} ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}()")
