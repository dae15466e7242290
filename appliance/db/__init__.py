"""SQLite storage: the writer thread, the reader connections and the migrations."""

from appliance.db.database import Database
from appliance.db.migrate import MigrationError
from appliance.db.writer import WriteConnection, WriteJobError

__all__ = ["Database", "MigrationError", "WriteConnection", "WriteJobError"]
