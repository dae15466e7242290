"""The core layer: configuration, database, services, health, audit, errors and the context."""
