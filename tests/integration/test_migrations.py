"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.db import Database
from server.models import Base
from server.schema import upgrade


def test_the_migrations_make_the_tables_the_models_describe(database_url):
    db = Database(database_url)
    try:
        upgrade(db.engine)
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        db.dispose()
    assert differences == [], "a model change without its migration (or the reverse)"
