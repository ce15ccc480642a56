"""Plain SQL in the caller's session. The statements every ticket, call and finish runs are written out once
as SQL for both databases and run on the session's own connection (same transaction, same locks), not built as
SQLAlchemy expressions on each call: building, cache-keying and executing an expression cost 0.15–1.5 ms of CPU
per statement here, the SQL itself tens of microseconds. Errors still go through SQLAlchemy's handling (busy →
503, a lost connection is invalidated). Parameters are written ``:name``. A row read this way can become the
session's own object (``as_loaded``), as if the ORM had loaded it."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Date, DateTime
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key


class Sql:
    def __init__(self, text: str, postgresql: str | None = None) -> None:
        self.sqlite = text
        self.postgresql = re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", postgresql or text)

    def text(self, dialect: str) -> str:
        return self.postgresql if dialect == "postgresql" else self.sqlite


def _sqlite_value(value):
    # As SQLAlchemy stores them on SQLite, so that stored and compared text agree.
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def as_datetime(value):
    """A timestamp read by plain SQL, as the ORM gives it (SQLite answers text)."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def as_date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def run(session: Session, statement: Sql, params: dict | None = None, many: list[dict] | None = None):
    """Run ``statement`` in the session's transaction (pending ORM changes are flushed first, as a
    query through the session would); returns the DBAPI cursor (closed by the caller, or let go)."""
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    connection = session.connection()
    dialect = connection.dialect
    sql = statement.text(dialect.name)
    if dialect.name == "sqlite":
        if many is not None:
            many = [{key: _sqlite_value(value) for key, value in row.items()} for row in many]
        elif params:
            params = {key: _sqlite_value(value) for key, value in params.items()}
    cursor = connection.connection.cursor()
    try:
        if many is not None:
            cursor.executemany(sql, many)
        else:
            cursor.execute(sql, params or {})
    except Exception as error:
        connection._handle_dbapi_exception(error, sql, many if many is not None else params, cursor, None)
    return cursor


def one(session: Session, statement: Sql, params: dict):
    cursor = run(session, statement, params)
    row = cursor.fetchone()
    cursor.close()
    return row


def rows(session: Session, statement: Sql, params: dict) -> list:
    """Every row ``statement`` answers, in the session's transaction."""
    cursor = run(session, statement, params)
    found = cursor.fetchall()
    cursor.close()
    return found


def as_loaded(session: Session, model, values: dict):
    """A row read by plain SQL (``values``: its columns by name, primary key included) as the session's
    persistent object, as if the ORM had loaded it: what the caller changes is flushed as an UPDATE of
    those columns. An object of that row already in the session is refreshed from it (populate_existing)."""
    values = {name: _as_python(model, name, value) for name, value in values.items()}
    key = identity_key(model, tuple(values[column.key] for column in model.__mapper__.primary_key))
    found = session.identity_map.get(key)
    if found is not None:
        for name, value in values.items():
            set_committed_value(found, name, value)
        return found
    instance = model(**values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def _as_python(model, name: str, value):
    """SQLite gives dates and timestamps read by plain SQL as text; the ORM gives them as Python values."""
    if not isinstance(value, str):
        return value
    column_type = model.__table__.columns[name].type
    if isinstance(column_type, DateTime):
        return as_datetime(value)
    if isinstance(column_type, Date):
        return as_date(value)
    return value
