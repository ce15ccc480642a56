"""Alembic environment: the connection comes from ``server.schema.upgrade`` (or alembic's own url)."""

from alembic import context
from sqlalchemy import create_engine, text

from server.models import Base

config = context.config
target_metadata = Base.metadata
MIGRATION_LOCK = 7_150_001  # PostgreSQL advisory lock: several processes may start at once


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
