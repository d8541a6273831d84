"""Team mode's administration: set up a team store, join it, manage case membership.

``admin.init_team`` (once, by the administrator), ``members.join_team`` (each investigator,
as their own login role) and ``members.add_member``/``remove_member``/``list_members``
(a case's lead). Access itself is enforced by the database (caseapp.store.postgresql.access).
"""
