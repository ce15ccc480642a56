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


def test_the_head_read_from_the_files_is_alembic_s_and_an_upgraded_database_is_at_it(database_url):
    from alembic.script import ScriptDirectory

    from server.schema import alembic_config, at_head, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    db = Database(database_url)
    try:
        with db.engine.connect() as connection:
            assert not at_head(connection), "a new database has no revision"
        upgrade(db.engine)
        with db.engine.connect() as connection:
            assert at_head(connection)
        upgrade(db.engine)  # at the head: nothing to do, and nothing done
    finally:
        db.dispose()


def test_a_server_whose_database_is_up_to_date_never_loads_alembic(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = ("import sys\n"
              "from server.db import Database\n"
              "from server.schema import upgrade\n"
              f"db = Database('sqlite:///{tmp_path / 'hall.db'}')\n"
              "upgrade(db.engine)\n"
              "print('alembic' in sys.modules)\n")
    root = Path(__file__).resolve().parents[2]
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=root)
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=root)
    assert (first.stdout.strip(), again.stdout.strip()) == ("True", "False"), first.stderr + again.stderr
