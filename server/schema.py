"""Bring the database schema up to date (the server, when its database first answers, and the CLI).

A database already at the head revision is left alone without loading Alembic (about 7 MB a server process
would keep for nothing): the head is read from the migration files themselves, and the stored revision from
``alembic_version``."""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_ANSWER_SECONDS = 120.0  # a frozen server still ends a migration's wait, just later than a request's


_REVISION = re.compile(r"^revision = ['\"](\w+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision = ['\"](\w+)['\"]", re.M)


@cache
def head_revision() -> str:
    """The one revision no other migration revises (tests/integration/test_migrations.py checks that
    Alembic agrees)."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revisions.update(_REVISION.findall(text))
        revised.update(_DOWN_REVISION.findall(text))
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def at_head(connection: Connection) -> bool:
    """Whether the database's schema is the head revision (False for a database without one)."""
    try:
        stored = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:
        connection.rollback()  # no such table yet; on PostgreSQL the failed statement ended the transaction
        return False
    connection.rollback()
    return stored == [head_revision()]


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# Alembic's `op` and `context` are module-wide proxies: two upgrades at once in one process (two apps, as tests
# make; a schema gate retrying in the background beside another's start) would run each other's operations.
_ONE_UPGRADE_AT_A_TIME = threading.Lock()


def upgrade(engine: Engine) -> None:
    """Migrate to the head revision. On PostgreSQL the request limits (statement and lock timeouts; the
    client's answer bound is raised to MIGRATION_ANSWER_SECONDS) are lifted for this one session: a
    migration may rewrite a big table, and a second process starting at the same time waits for the
    first one's advisory lock."""
    with engine.connect() as connection:
        if at_head(connection):
            return
    from alembic import command

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
            with _ONE_UPGRADE_AT_A_TIME:
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
