# Local stubs: the same DB-API as the standard sqlite3 module.
from sqlite3 import *  # noqa: F403
from sqlite3 import Connection as Connection, Cursor as Cursor, Error as Error, connect as connect
