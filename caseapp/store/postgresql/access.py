"""Access enforced by the team database: group roles, grants, row-level security, triggers.

Applied by ``caseapp team init`` (:func:`apply`, idempotent; run it again after a schema
upgrade) as the database owner or a superuser. Nothing here trusts the client:

* **Roles** (NOLOGIN groups): :data:`MEMBER` (every investigator's login role is granted it),
  :data:`CUSTODIAN` (may read tipster identities), :data:`DEFINER` (owns the few
  ``SECURITY DEFINER`` functions; nobody is granted it).
* **Membership**: ``case_member`` rows (case, login role, lead|investigator|viewer). Policies
  compare ``session_user`` (the login role; unlike ``current_user`` it does not change with
  ``SET ROLE``) against it through :func:`caseapp_case_access`.
* **Row-level security** (ENABLE + FORCE) on every case-scoped table, policies only ``TO``
  :data:`MEMBER`: a role outside the team sees nothing; a non-member of a case reads zero rows
  of it and its INSERT/UPDATE/DELETE fail or touch nothing; a viewer reads only; leads and
  investigators write; only a lead deletes a case or changes its membership. Whoever creates a
  case becomes its lead (a trigger). Tips, watchlists, templates and the audit log are
  team-wide (every member reads them; see docs in the README's "Team mode" section).
* **Tipster identities** never stay in ``tip``: a trigger moves name and contact into
  ``tipster_identity`` (no member has any privilege on it) and leaves in the tip row only
  :data:`KEPT_APART` as the name (so the app knows there is an identity to reveal).
  :data:`CUSTODIAN` first records the reveal (``caseapp_log_reveal(tip_id)``: a
  ``tipster_reveal`` row with ``session_user``) and commits; only then does
  ``caseapp_reveal_tipster(tip_id)`` return the identity (for :data:`REVEAL_WINDOW`), so no
  client can read one off the record, even by rolling back.
* **Audit** (``audit_entry``): a member reads the entries about their cases and the team-wide
  ones (``case_id``, set by the insert trigger from the entry, NULL for team-wide); the chain
  head and the links (ids and hashes only) of the rest come from definer functions, so writers
  chain and a member's verify checks every link. Members may INSERT, and UPDATE only the columns
  ``state`` and ``hash``; a trigger rejects DELETE, TRUNCATE and every UPDATE except the
  writing transaction completing its own uncommitted entry (the app records state hashes in
  its last entry at commit) - so no committed entry can change, for any role; a new entry must take the
  write lock, continue the chain (id = head + 1, prev_hash = head hash) and name the database
  user (``detail.db_user = session_user``).
"""

from __future__ import annotations

from sqlalchemy import Connection

from caseapp.store.postgresql.engine import WRITE_LOCK_KEY

MEMBER = "caseapp_member"
CUSTODIAN = "caseapp_tip_custodian"
DEFINER = "caseapp_definer"
GROUP_ROLES = (MEMBER, CUSTODIAN, DEFINER)
GENESIS = "0" * 64
#: What ``tip.tipster_name`` holds on a team store when the tip has a tipster identity.
KEPT_APART = "(kept by the tip custodian)"
#: How long a committed reveal-log entry lets its custodian read that tipster identity.
REVEAL_WINDOW = "10 minutes"


def _rw(read: str, write: str) -> tuple[str, str]:
    return read, write


def _member(col: str, write: bool = False) -> str:
    """The connecting login role is on the case ``col`` (a qualified column); ``write``: as
    lead or investigator. A plain correlated subquery on ``case_member`` (unique index on
    case and role), so the planner uses an index lookup per row it needs - a page or a lookup
    by reference costs what it costs without security - and no function runs per row."""
    can = " AND m.access IN ('lead', 'investigator')" if write else ""
    return (f"EXISTS (SELECT 1 FROM case_member m WHERE m.case_id = {col} "
            f"AND m.role_name = session_user{can})")


def _case(table: str, col: str = "case_id", null_ok: bool = False) -> tuple[str, str]:
    pre = f"{table}.{col} IS NULL OR " if null_ok else ""
    return (pre + _member(f"{table}.{col}"), pre + _member(f"{table}.{col}", write=True))


def _via(table: str, key: str, own: str, case_col: str = "case_id",
         null_ok: bool = False) -> tuple[str, str]:
    """Rows reached through ``table`` (whose own RLS applies inside the subquery too)."""
    extra = f" OR p.{case_col} IS NULL" if null_ok else ""

    def expr(write: bool) -> str:
        return (f"EXISTS (SELECT 1 FROM {table} p WHERE p.{key} = {own} AND "
                f"({_member('p.' + case_col, write)}{extra}))")
    return expr(False), expr(True)


#: Every case-scoped table -> (read expression, write expression).
CASE_SCOPED: dict[str, tuple[str, str]] = {
    "case_file": _case("case_file", "id"),
    "subject": _case("subject"),
    "note": _case("note"),
    "tip_case_link": _case("tip_case_link"),
    "checklist": _case("checklist"),
    "export_record": _case("export_record"),
    "production": _case("production"),
    "signal_import": _case("signal_import"),
    "signal_observation": _case("signal_observation"),
    "signal_finding": _case("signal_finding"),
    "case_key_wrap": _case("case_key_wrap"),
    "evidence": _case("evidence", null_ok=True),
    "identifier": _rw(
        "tip_id IS NOT NULL OR " + _via("subject", "id", "subject_id")[0],
        "tip_id IS NOT NULL OR " + _via("subject", "id", "subject_id")[1]),
    "custody_event": _via("evidence", "id", "evidence_id", null_ok=True),
    "note_revision": _via("note", "id", "note_id"),
    "checklist_answer": _via("checklist", "id", "checklist_id"),
    "search_doc": _case("search_doc", null_ok=True),
    "search_fts": _via("search_doc", "id", "search_fts.id", null_ok=True),
    "search_near_key": _rw("EXISTS (SELECT 1 FROM identifier i WHERE i.id = identifier_id)",
                           "EXISTS (SELECT 1 FROM identifier i WHERE i.id = identifier_id AND "
                           "(i.tip_id IS NOT NULL OR EXISTS (SELECT 1 FROM subject s WHERE "
                           f"s.id = i.subject_id AND {_member('s.case_id', True)})))"),
    "search_pending": _via("evidence", "id", "evidence_id", null_ok=True),
}

# VOLATILE, not STABLE: a STABLE function sees the statement's starting snapshot, so the lead
# row the creator trigger adds would be invisible to the INSERT ... RETURNING of a new case.
_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION caseapp_case_access(p_case integer) RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT access FROM case_member WHERE case_id = p_case AND role_name = session_user
$$;
CREATE OR REPLACE FUNCTION caseapp_my_cases(p_write boolean) RETURNS SETOF integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT case_id FROM case_member WHERE role_name = session_user
    AND (NOT p_write OR access IN ('lead', 'investigator'))
$$;
CREATE OR REPLACE FUNCTION caseapp_new_case() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v integer;
BEGIN
  BEGIN
    v := currval(pg_get_serial_sequence('case_file', 'id'));
  EXCEPTION WHEN others THEN
    RETURN NULL;  -- this session has created no case
  END;
  IF EXISTS (SELECT 1 FROM case_member WHERE case_id = v AND role_name = session_user) THEN
    RETURN v;
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION caseapp_can_read(p_case integer) RETURNS boolean
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
  SELECT caseapp_case_access(p_case) IS NOT NULL
$$;
CREATE OR REPLACE FUNCTION caseapp_can_write(p_case integer) RETURNS boolean
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
  SELECT coalesce(caseapp_case_access(p_case) IN ('lead', 'investigator'), false)
$$;
CREATE OR REPLACE FUNCTION caseapp_next_case_seq(p_year integer) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(max(seq), 0) + 1 FROM case_file WHERE year = p_year
$$;
CREATE OR REPLACE FUNCTION caseapp_hidden_case_refs() RETURNS SETOF text
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT ref FROM case_file WHERE caseapp_case_access(id) IS NULL
$$;
CREATE OR REPLACE FUNCTION caseapp_last_bates(p_prefix text) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(max(bates_last), 0) FROM production WHERE prefix = p_prefix
$$;
CREATE OR REPLACE FUNCTION caseapp_case_creator_is_lead() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO case_member (case_id, role_name, access, added_at, added_by)
  VALUES (NEW.id, session_user, 'lead', now() AT TIME ZONE 'UTC', session_user)
  ON CONFLICT (case_id, role_name) DO NOTHING;
  RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION caseapp_tipster_apart() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_name text := nullif(NEW.tipster_name, '{KEPT_APART}');
  v_contact text := nullif(NEW.tipster_contact, '{KEPT_APART}');
BEGIN
  IF NEW.anonymous THEN
    DELETE FROM tipster_identity WHERE tip_id = NEW.id;
  ELSIF v_name IS NOT NULL OR v_contact IS NOT NULL THEN
    INSERT INTO tipster_identity AS t (tip_id, name, contact)
    VALUES (NEW.id, v_name, v_contact)
    ON CONFLICT (tip_id) DO UPDATE
      SET name = coalesce(EXCLUDED.name, t.name), contact = coalesce(EXCLUDED.contact, t.contact);
  END IF;
  NEW.tipster_name := NULL;
  NEW.tipster_contact := NULL;
  IF NOT NEW.anonymous AND EXISTS (SELECT 1 FROM tipster_identity WHERE tip_id = NEW.id) THEN
    NEW.tipster_name := '{KEPT_APART}';  -- the app shows "masked" and offers a reveal
  END IF;
  RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION caseapp_log_reveal(p_tip integer) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT pg_has_role(session_user, '{CUSTODIAN}', 'MEMBER') THEN
    RAISE EXCEPTION 'only the tip custodian may read a tipster identity'
      USING ERRCODE = '42501';
  END IF;
  INSERT INTO tipster_reveal (tip_id, db_user, at)
  VALUES (p_tip, session_user, now() AT TIME ZONE 'UTC');
END $$;
CREATE OR REPLACE FUNCTION caseapp_reveal_tipster(p_tip integer)
RETURNS TABLE (name text, contact text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT pg_has_role(session_user, '{CUSTODIAN}', 'MEMBER') THEN
    RAISE EXCEPTION 'only the tip custodian may read a tipster identity'
      USING ERRCODE = '42501';
  END IF;
  -- Only after a COMMITTED log entry of this user's reveal of this tip (a row this very
  -- transaction wrote would vanish with a rollback): the read is always on record.
  IF NOT EXISTS (SELECT 1 FROM tipster_reveal r WHERE r.tip_id = p_tip
                 AND r.db_user = session_user
                 AND r.at > (now() AT TIME ZONE 'UTC') - interval '{REVEAL_WINDOW}'
                 AND r.xmin::text::bigint <> mod(txid_current(), 4294967296)) THEN
    RAISE EXCEPTION 'log the reveal (caseapp_log_reveal) and commit first'
      USING ERRCODE = '55000';
  END IF;
  RETURN QUERY SELECT t.name, t.contact FROM tipster_identity t WHERE t.tip_id = p_tip;
END $$;
CREATE OR REPLACE FUNCTION caseapp_audit_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.xmin::text::bigint = mod(txid_current(), 4294967296)
     AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.entity, NEW.entity_id, NEW.detail,
          NEW.prev_hash)
         IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.entity,
                               OLD.entity_id, OLD.detail, OLD.prev_hash) THEN
    RETURN NEW;  -- the writing transaction completing its own, uncommitted entry
  END IF;
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '42501';
END $$;
CREATE OR REPLACE FUNCTION caseapp_audit_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '42501';
END $$;
CREATE OR REPLACE FUNCTION caseapp_audit_case(p_entity text, p_entity_id text, p_detail text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_ref text;
  v_id integer;
  v_case integer;
BEGIN
  BEGIN
    v_ref := p_detail::jsonb ->> 'case';
  EXCEPTION WHEN others THEN
    v_ref := NULL;
  END;
  IF p_entity = 'case' THEN
    v_ref := coalesce(p_entity_id, v_ref);
  END IF;
  IF v_ref IS NOT NULL THEN
    SELECT c.id INTO v_case FROM case_file c WHERE c.ref = v_ref;
    IF v_case IS NOT NULL OR p_entity = 'case' THEN
      RETURN v_case;
    END IF;
  END IF;
  IF p_entity_id !~ '^[0-9]{{1,9}}$' THEN
    RETURN NULL;
  END IF;
  v_id := p_entity_id::integer;
  CASE p_entity
    WHEN 'subject' THEN SELECT t.case_id INTO v_case FROM subject t WHERE t.id = v_id;
    WHEN 'evidence' THEN SELECT t.case_id INTO v_case FROM evidence t WHERE t.id = v_id;
    WHEN 'note' THEN SELECT t.case_id INTO v_case FROM note t WHERE t.id = v_id;
    WHEN 'checklist' THEN SELECT t.case_id INTO v_case FROM checklist t WHERE t.id = v_id;
    WHEN 'signal_finding' THEN
      SELECT t.case_id INTO v_case FROM signal_finding t WHERE t.id = v_id;
    WHEN 'identifier' THEN
      SELECT s.case_id INTO v_case FROM identifier i JOIN subject s ON s.id = i.subject_id
      WHERE i.id = v_id;
    ELSE v_case := NULL;
  END CASE;
  RETURN v_case;
END $$;
CREATE OR REPLACE FUNCTION caseapp_audit_head() RETURNS TABLE (id integer, hash text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT a.id, a.hash FROM audit_entry a ORDER BY a.id DESC LIMIT 1
$$;
CREATE OR REPLACE FUNCTION caseapp_audit_links(p_after integer, p_limit integer)
RETURNS TABLE (id integer, prev_hash text, hash text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT a.id, a.prev_hash, a.hash FROM audit_entry a WHERE a.id > p_after
  ORDER BY a.id LIMIT p_limit
$$;
CREATE OR REPLACE FUNCTION caseapp_audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  head_id integer;
  head_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock({WRITE_LOCK_KEY});
  SELECT id, hash INTO head_id, head_hash FROM audit_entry ORDER BY id DESC LIMIT 1;
  IF NEW.id IS DISTINCT FROM coalesce(head_id, 0) + 1
     OR NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, '{GENESIS}') THEN
    RAISE EXCEPTION 'an audit entry must continue the chain head' USING ERRCODE = '23514';
  END IF;
  IF (NEW.detail::jsonb ->> 'db_user') IS DISTINCT FROM session_user::text THEN
    RAISE EXCEPTION 'an audit entry must name its database user' USING ERRCODE = '23514';
  END IF;
  NEW.case_id := caseapp_audit_case(NEW.entity, NEW.entity_id, NEW.detail);
  RETURN NEW;
END $$;
"""

_DEFINER_OWNED = ("caseapp_case_access(integer)", "caseapp_my_cases(boolean)",
                  "caseapp_new_case()", "caseapp_log_reveal(integer)",
                  "caseapp_hidden_case_refs()", "caseapp_audit_case(text, text, text)",
                  "caseapp_audit_head()", "caseapp_audit_links(integer, integer)",
                  "caseapp_audit_chain()", "caseapp_next_case_seq(integer)",
                  "caseapp_last_bates(text)", "caseapp_case_creator_is_lead()",
                  "caseapp_tipster_apart()", "caseapp_reveal_tipster(integer)")

_TRIGGERS = """
DROP TRIGGER IF EXISTS caseapp_creator_is_lead ON case_file;
CREATE TRIGGER caseapp_creator_is_lead BEFORE INSERT ON case_file
  FOR EACH ROW EXECUTE FUNCTION caseapp_case_creator_is_lead();
DROP TRIGGER IF EXISTS caseapp_tipster_apart ON tip;
CREATE TRIGGER caseapp_tipster_apart BEFORE INSERT OR UPDATE ON tip
  FOR EACH ROW EXECUTE FUNCTION caseapp_tipster_apart();
DROP TRIGGER IF EXISTS caseapp_audit_append_only ON audit_entry;
CREATE TRIGGER caseapp_audit_append_only BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION caseapp_audit_append_only();
DROP TRIGGER IF EXISTS caseapp_audit_truncate ON audit_entry;
CREATE TRIGGER caseapp_audit_truncate BEFORE TRUNCATE ON audit_entry
  FOR EACH STATEMENT EXECUTE FUNCTION caseapp_audit_truncate();
DROP TRIGGER IF EXISTS caseapp_audit_chain ON audit_entry;
CREATE TRIGGER caseapp_audit_chain BEFORE INSERT ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION caseapp_audit_chain();
"""

#: Tables the definer reads to place an audit entry in its case (besides case_file).
_DEFINER_READS = ("subject", "evidence", "note", "checklist", "signal_finding", "identifier",
                  "audit_entry")

#: Team-wide tables members read and write (no case of their own).
_TEAM_WIDE_RW = ("tip", "watchlist", "watchlist_entry", "template_blob", "search_state",
                 "store_meta", "team_key_wrap")


def _roles(conn: Connection) -> None:
    for role in GROUP_ROLES:
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(r)s",
                                      {"r": role}).first()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")


def _grants(conn: Connection) -> None:
    run = conn.exec_driver_sql
    run("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC")
    run(f"GRANT USAGE ON SCHEMA public TO {MEMBER}, {DEFINER}")
    run(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {MEMBER}, {DEFINER}")
    tables = ", ".join([*CASE_SCOPED, *_TEAM_WIDE_RW])
    run(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {MEMBER}")
    run(f"GRANT SELECT ON alembic_version, team_member_key TO {MEMBER}")
    run(f"GRANT INSERT, UPDATE, DELETE ON team_member_key TO {MEMBER}")
    run(f"GRANT SELECT, INSERT, UPDATE, DELETE ON case_member TO {MEMBER}")
    run(f"REVOKE ALL ON audit_entry FROM {MEMBER}")
    run(f"GRANT SELECT, INSERT ON audit_entry TO {MEMBER}")
    # Column UPDATE of state/hash only, and the trigger allows it only on the writing
    # transaction's own uncommitted entry (the app vouches for record states at commit):
    # nothing an INSERT could not have written anyway. No committed entry can change.
    run(f"GRANT UPDATE (state, hash) ON audit_entry TO {MEMBER}")
    run(f"REVOKE ALL ON tipster_identity, tipster_reveal FROM {MEMBER}")
    run(f"GRANT SELECT ON tipster_reveal TO {CUSTODIAN}")
    run(f"GRANT SELECT, INSERT, UPDATE, DELETE ON case_member, tipster_identity, "
        f"tipster_reveal, case_file, production TO {DEFINER}")
    run(f"GRANT SELECT ON {', '.join(_DEFINER_READS)} TO {DEFINER}")
    for fn in ("caseapp_reveal_tipster(integer)", "caseapp_log_reveal(integer)"):
        run(f"REVOKE EXECUTE ON FUNCTION {fn} FROM PUBLIC")
        run(f"GRANT EXECUTE ON FUNCTION {fn} TO {CUSTODIAN}")


def _policy(conn: Connection, table: str, name: str, sql: str) -> None:
    conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
    conn.exec_driver_sql(f"CREATE POLICY {name} ON {table} {sql}")


def _policies(conn: Connection) -> None:
    for table, (read, write) in CASE_SCOPED.items():
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        conn.exec_driver_sql(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        insert = "true" if table == "case_file" else write  # the creator becomes lead
        if table == "case_file":  # ... and sees the row it inserts (RETURNING)
            read = f"{read} OR case_file.id = (SELECT caseapp_new_case())"
        delete = "caseapp_case_access(id) = 'lead'" if table == "case_file" else write
        _policy(conn, table, "caseapp_read", f"FOR SELECT TO {MEMBER} USING ({read})")
        _policy(conn, table, "caseapp_insert", f"FOR INSERT TO {MEMBER} WITH CHECK ({insert})")
        # USING (read) WITH CHECK (write): a reader's UPDATE of a row they see fails loudly
        # (a viewer is told "not allowed") instead of silently changing nothing.
        _policy(conn, table, "caseapp_update",
                f"FOR UPDATE TO {MEMBER} USING ({read}) WITH CHECK ({write})")
        _policy(conn, table, "caseapp_delete", f"FOR DELETE TO {MEMBER} USING ({delete})")
    for table in ("case_file", "production", *_DEFINER_READS):  # allocation, audit's case
        _policy(conn, table, "caseapp_definer", f"FOR SELECT TO {DEFINER} USING (true)")
    # Audit: members read the entries of their cases and the team-wide ones (case_id NULL);
    # the chain head and links of the others come from definer functions (hashes only).
    conn.exec_driver_sql("ALTER TABLE audit_entry ENABLE ROW LEVEL SECURITY")
    conn.exec_driver_sql("ALTER TABLE audit_entry FORCE ROW LEVEL SECURITY")
    _policy(conn, "audit_entry", "caseapp_read", f"FOR SELECT TO {MEMBER} USING "
            f"(audit_entry.case_id IS NULL OR {_member('audit_entry.case_id')})")
    _policy(conn, "audit_entry", "caseapp_insert", f"FOR INSERT TO {MEMBER} WITH CHECK (true)")
    _policy(conn, "audit_entry", "caseapp_update",  # state/hash only, own new entry: trigger
            f"FOR UPDATE TO {MEMBER} USING (true) WITH CHECK (true)")
    for table in ("case_member", "tipster_identity", "tipster_reveal"):
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        conn.exec_driver_sql(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        _policy(conn, table, "caseapp_definer",
                f"FOR ALL TO {DEFINER} USING (true) WITH CHECK (true)")
    lead = "caseapp_case_access(case_id) = 'lead'"
    _policy(conn, "case_member", "caseapp_read",
            f"FOR SELECT TO {MEMBER} USING (role_name = session_user OR "
            "case_id IN (SELECT caseapp_my_cases(false)))")
    # Not FOR ALL: that would also apply (OR'd) to every SELECT, one definer call per row.
    conn.exec_driver_sql("DROP POLICY IF EXISTS caseapp_write ON case_member")
    _policy(conn, "case_member", "caseapp_insert", f"FOR INSERT TO {MEMBER} WITH CHECK ({lead})")
    _policy(conn, "case_member", "caseapp_update",
            f"FOR UPDATE TO {MEMBER} USING ({lead}) WITH CHECK ({lead})")
    _policy(conn, "case_member", "caseapp_delete", f"FOR DELETE TO {MEMBER} USING ({lead})")
    _policy(conn, "tipster_reveal", "caseapp_read", f"FOR SELECT TO {CUSTODIAN} USING (true)")
    # The store's identity and the team settings (evidence location) are the owner's: a
    # member pointing colleagues' new homes at another bucket must not be possible.
    conn.exec_driver_sql("ALTER TABLE store_meta ENABLE ROW LEVEL SECURITY")
    conn.exec_driver_sql("ALTER TABLE store_meta FORCE ROW LEVEL SECURITY")
    own = "key NOT IN ('store_id', 'created_at') AND key NOT LIKE 'team.%%'"
    _policy(conn, "store_meta", "caseapp_read", f"FOR SELECT TO {MEMBER} USING (true)")
    for verb, clause in (("INSERT", f"WITH CHECK ({own})"), ("DELETE", f"USING ({own})"),
                         ("UPDATE", f"USING ({own}) WITH CHECK ({own})")):
        _policy(conn, "store_meta", f"caseapp_{verb.lower()}", f"FOR {verb} TO {MEMBER} {clause}")
    # The team-wide (tips) key's wraps: every member reads them and adds wraps (for a
    # colleague who lacks one); none is changed or removed (no UPDATE/DELETE policy).
    conn.exec_driver_sql("ALTER TABLE team_key_wrap ENABLE ROW LEVEL SECURITY")
    conn.exec_driver_sql("ALTER TABLE team_key_wrap FORCE ROW LEVEL SECURITY")
    _policy(conn, "team_key_wrap", "caseapp_read", f"FOR SELECT TO {MEMBER} USING (true)")
    _policy(conn, "team_key_wrap", "caseapp_insert", f"FOR INSERT TO {MEMBER} WITH CHECK (true)")
    conn.exec_driver_sql("ALTER TABLE team_member_key ENABLE ROW LEVEL SECURITY")
    conn.exec_driver_sql("ALTER TABLE team_member_key FORCE ROW LEVEL SECURITY")
    _policy(conn, "team_member_key", "caseapp_read", f"FOR SELECT TO {MEMBER} USING (true)")
    _policy(conn, "team_member_key", "caseapp_write",
            f"FOR ALL TO {MEMBER} USING (member = session_user) "
            "WITH CHECK (member = session_user)")


def apply(conn: Connection) -> None:
    """Create or refresh the roles, functions, grants, policies and triggers (idempotent).

    Run inside one transaction, by the database owner or a superuser, after the schema is at
    the current revision. Existing tipster identities in ``tip`` move to their own table.
    """
    _roles(conn)
    conn.exec_driver_sql(_FUNCTIONS)
    for fn in _DEFINER_OWNED:
        conn.exec_driver_sql(f"ALTER FUNCTION {fn} OWNER TO {DEFINER}")
    conn.exec_driver_sql(_TRIGGERS)
    _grants(conn)
    _policies(conn)
    # Tipster identities written before init: through the trigger into their own table.
    conn.exec_driver_sql("UPDATE tip SET tipster_name = tipster_name WHERE "
                         "tipster_name IS NOT NULL OR tipster_contact IS NOT NULL")


def is_applied(conn: Connection) -> bool:
    """Whether :func:`apply` has run on this database (its reveal function exists)."""
    return conn.exec_driver_sql(
        "SELECT to_regprocedure('caseapp_reveal_tipster(integer)') IS NOT NULL").scalar() is True
