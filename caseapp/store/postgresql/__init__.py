"""Team mode's store: the same tables on a shared PostgreSQL 15+ server, through psycopg 3."""
