"""SQLite storage: the writer/reader connections and the migrations."""

from appliance.db.database import Database
from appliance.db.migrate import MigrationError

__all__ = ["Database", "MigrationError"]
