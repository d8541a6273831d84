# Local stubs: sqlcipher3 is a C extension with the sqlite3 DB-API, keyed by PRAGMA key.
from sqlite3 import *  # noqa: F403
from sqlite3 import Connection as Connection, Cursor as Cursor, Error as Error, connect as connect
