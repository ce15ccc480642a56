"""Bring the database schema up to date (the server, when its database first answers, and the CLI)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_ANSWER_SECONDS = 120.0  # a frozen server still ends a migration's wait, just later than a request's


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Migrate to the head revision. On PostgreSQL the request limits (statement and lock timeouts; the
    client's answer bound is raised to MIGRATION_ANSWER_SECONDS) are lifted for this one session: a
    migration may rewrite a big table, and a second process starting at the same time waits for the
    first one's advisory lock."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        dbapi_connection = connection.connection.dbapi_connection
        answer_timeout = getattr(dbapi_connection, "answer_timeout", None)
        if postgres:
            connection.exec_driver_sql("SET statement_timeout = 0")
            connection.exec_driver_sql("SET lock_timeout = 0")
            connection.commit()
            dbapi_connection.answer_timeout = MIGRATION_ANSWER_SECONDS
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        except BaseException:
            if postgres:
                connection.invalidate()  # a session without the limits never goes back to the pool
            raise
        if postgres:
            dbapi_connection.answer_timeout = answer_timeout
            connection.exec_driver_sql("RESET statement_timeout")
            connection.exec_driver_sql("RESET lock_timeout")
            connection.commit()
