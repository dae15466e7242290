"""SQLite storage: the writer thread, the reader connections and the migrations."""

from appliance.core.db.database import Database
from appliance.core.db.migrate import MigrationError
from appliance.core.db.writer import WriteConnection, WriteJobError

__all__ = ["Database", "MigrationError", "WriteConnection", "WriteJobError"]
