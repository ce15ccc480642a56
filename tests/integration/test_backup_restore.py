"""Restore drills for deploy/backup.sh: back up a running hall that has tickets, restore the archive into a
fresh place as deploy/README.md says, start a server on it and find every ticket; for SQLite (the online
backup of a live database) and for PostgreSQL (pg_dump / pg_restore). The archive also carries the whole
layout folder, the environment file and the device tokens, is readable by its owner only, never overwrites another backup,
and the database password never appears on a command line."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL, _unavailable
from tests.support.live_server import ROOT, LiveServer

BACKUP = ROOT / "deploy" / "backup.sh"
SERVICE = "company-registration"
TOKENS = '{"county/kiosk/k1": "kiosk-token-0123456789abcdef", "county/display/lobby": "screen-token-0123456789"}\n'


@pytest.fixture
def hall_etc(tmp_path) -> Path:
    """/etc/yichuang as deploy/README.md sets it up: the layout with its site files, and the env file."""
    etc = tmp_path / "etc"
    shutil.copytree(ROOT / "layout" / "examples", etc, ignore=shutil.ignore_patterns("bad"))
    tokens = tmp_path / "tokens" / "device_tokens.json"
    tokens.parent.mkdir()
    tokens.write_text(TOKENS)
    tokens.chmod(0o600)
    (etc / "yichuang.env").write_text("HALL_SECRET_KEY=drill-key-0123456789-0123456789-0123456789\n"
                                      f"HALL_ASYNC_MODE=gevent\nHALL_DEVICE_TOKENS={tokens}\n")
    return etc


def run_backup(backup_dir: Path, etc: Path, database_url: str, path_prefix: Path | None = None,
               **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HALL_", "PG"))}
    env.update({"HALL_DATABASE_URL": database_url, "HALL_LAYOUT": str(etc / "county.yaml"),
                "ENV_FILE": str(etc / "yichuang.env"), "BACKUP_DIR": str(backup_dir), **environment})
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}:{env['PATH']}"
    result = subprocess.run(["bash", str(BACKUP)], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def archives(backup_dir: Path) -> list[Path]:
    return sorted(backup_dir.glob("yichuang-*.tar.gz"))


def unpack(archive: Path, into: Path) -> Path:
    into.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def issue_tickets(server: LiveServer, count: int) -> dict[str, str]:
    tickets = {}
    for _ in range(count):
        response = requests.post(f"{server.url}/api/v1/sites/county/tickets", json={"service": SERVICE}, timeout=5)
        assert response.status_code == 201, response.text
        tickets[response.json()["id"]] = response.json()["number"]
    return tickets


def assert_tickets_served(server: LiveServer, tickets: dict[str, str]) -> None:
    for ticket_id, number in tickets.items():
        response = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=5)
        assert response.status_code == 200, response.text
        assert response.json()["number"] == number


def assert_layout_and_environment_kept(restored: Path, etc: Path) -> None:
    assert (restored / "layout" / "county.yaml").read_bytes() == (etc / "county.yaml").read_bytes()
    assert (restored / "layout" / "sites" / "village-wangzhuang.yaml").is_file(), "the whole layout folder"
    assert (restored / "yichuang.env").read_bytes() == (etc / "yichuang.env").read_bytes()
    manifest = (restored / "MANIFEST").read_text(encoding="utf-8")
    assert "./layout/county.yaml" in manifest and "./yichuang.env" in manifest
    assert_device_tokens_kept(restored, etc.parent / "tokens" / "device_tokens.json")


def assert_device_tokens_kept(restored: Path, tokens: Path) -> None:
    """The kiosks', agents' and screens' tokens, private as the server keeps them."""
    kept = restored / "device_tokens.json"
    assert kept.read_bytes() == tokens.read_bytes()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    manifest = (restored / "MANIFEST").read_text(encoding="utf-8")
    assert "./device_tokens.json" in manifest and f"device tokens: {tokens}" in manifest


def test_a_live_sqlite_hall_is_backed_up_and_restored_with_its_tickets(tmp_path, hall_etc):
    database = tmp_path / "instance" / "hall.db"
    database.parent.mkdir()
    server = LiveServer(f"sqlite:///{database}", layout=str(hall_etc / "county.yaml"), log_path=tmp_path / "a.log")
    server.start()
    try:
        tickets = issue_tickets(server, 5)
        backup_dir = tmp_path / "backups"
        # While the server runs (its writes sit in the WAL file beside the database).
        run_backup(backup_dir, hall_etc, f"sqlite:///{database}")
        later = issue_tickets(server, 1)  # after the backup: not in it
    finally:
        server.stop()

    [archive] = archives(backup_dir)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600, "it holds the secret key"
    restored = unpack(archive, tmp_path / "restore")
    assert_layout_and_environment_kept(restored, hall_etc)

    # deploy/README.md: put the database back where HALL_DATABASE_URL points, with no stale -wal/-shm.
    fresh = tmp_path / "new-server" / "instance" / "hall.db"
    fresh.parent.mkdir(parents=True)
    shutil.copy(restored / "database" / "hall.db", fresh)
    assert not (restored / "database" / "hall.db-wal").exists()
    server = LiveServer(f"sqlite:///{fresh}", layout=str(restored / "layout" / "county.yaml"),
                        log_path=tmp_path / "b.log")
    server.start()
    try:
        assert_tickets_served(server, tickets)
        [(later_id, _)] = later.items()
        assert requests.get(f"{server.url}/api/v1/tickets/{later_id}", timeout=5).status_code == 404
        numbers = issue_tickets(server, 1).values()
        assert all(number not in tickets.values() for number in numbers), "numbering goes on, no number twice"
    finally:
        server.stop()


def test_two_backups_in_one_second_keep_both_and_old_ones_are_pruned(tmp_path, hall_etc):
    database = tmp_path / "hall.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (n INTEGER)"))
    engine.dispose()
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    old = backup_dir / "yichuang-20200101-000000.tar.gz"
    old.write_bytes(b"an old backup")
    os.utime(old, (0, 0))
    fake_date = tmp_path / "bin"
    fake_date.mkdir()
    (fake_date / "date").write_text('#!/bin/sh\ncase "$1" in +%Y%m%d-%H%M%S) echo 20261201-213000;; '
                                    '*) exec /bin/date "$@";; esac\n')
    (fake_date / "date").chmod(0o755)
    for _ in range(3):
        run_backup(backup_dir, hall_etc, f"sqlite:///{database}", path_prefix=fake_date, KEEP_DAYS="30")
    assert [path.name for path in archives(backup_dir)] == [
        "yichuang-20261201-213000-2.tar.gz", "yichuang-20261201-213000-3.tar.gz", "yichuang-20261201-213000.tar.gz"]
    assert not old.exists(), "older than KEEP_DAYS"
    assert not list(backup_dir.glob(".*.work")) and not list(backup_dir.glob("*.partial"))


def test_without_hall_device_tokens_the_checkout_s_instance_file_is_kept(tmp_path, hall_etc):
    """HALL_DEVICE_TOKENS unset: the server's default, instance/device_tokens.json of the checkout."""
    home = tmp_path / "checkout"
    (home / "instance").mkdir(parents=True)
    tokens = home / "instance" / "device_tokens.json"
    tokens.write_text(TOKENS)
    tokens.chmod(0o600)
    (hall_etc / "yichuang.env").write_text("HALL_SECRET_KEY=drill-key-0123456789-0123456789-0123456789\n")
    database = tmp_path / "hall.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (n INTEGER)"))
    engine.dispose()
    run_backup(tmp_path / "backups", hall_etc, f"sqlite:///{database}", YICHUANG_HOME=str(home),
               PYTHON=str(ROOT / ".venv" / "bin" / "python"))
    [archive] = archives(tmp_path / "backups")
    assert_device_tokens_kept(unpack(archive, tmp_path / "restore"), tokens)


def test_a_database_that_cannot_be_backed_up_fails_loudly_and_leaves_nothing(tmp_path, hall_etc):
    backup_dir = tmp_path / "backups"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HALL_")},
           "HALL_DATABASE_URL": f"sqlite:///{tmp_path / 'missing.db'}", "HALL_LAYOUT": str(hall_etc / "county.yaml"),
           "ENV_FILE": str(hall_etc / "yichuang.env"), "BACKUP_DIR": str(backup_dir)}
    result = subprocess.run(["bash", str(BACKUP)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "missing.db" in result.stderr
    assert not list(backup_dir.iterdir())


# -- PostgreSQL ---------------------------------------------------------------------------------------------
@pytest.fixture
def postgres_hall():
    """A database and a role with a password of their own, as deploy/README.md creates them."""
    suffix = uuid.uuid4().hex[:10]
    role, password = f"bk_{suffix}", f"pw:{suffix}\\x@"  # ':' and '\\' must be escaped in a pgpass file
    databases = [f"bk_{suffix}", f"bk_{suffix}_restored"]
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
            for name in databases:
                connection.execute(text(f"CREATE DATABASE {name} OWNER {role}"))
    except Exception as exc:  # any failure to reach the server
        _unavailable("PostgreSQL", exc)
    from sqlalchemy.engine import make_url

    base = make_url(POSTGRES_URL).set(username=role, password=password)
    yield [base.set(database=name).render_as_string(hide_password=False) for name in databases], password
    with admin.connect() as connection:
        for name in databases:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


@pytest.mark.postgres
def test_a_postgresql_hall_is_backed_up_and_restored_with_its_tickets(tmp_path, hall_etc, postgres_hall):
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is missing (apt-get install postgresql-client; .ci/run installs it)")
    (live_url, restored_url), password = postgres_hall
    server = LiveServer(live_url, layout=str(hall_etc / "county.yaml"), log_path=tmp_path / "a.log")
    server.start()
    # pg_dump as the script runs it, recorded: its arguments and the password file it was given.
    spy = tmp_path / "bin"
    spy.mkdir()
    real = shutil.which("pg_dump")
    (spy / "pg_dump").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/argv"\n'
                                 f'cp "$PGPASSFILE" "{tmp_path}/pgpass"; stat -c %a "$PGPASSFILE" > "{tmp_path}/mode"\n'
                                 f'exec "{real}" "$@"\n')
    (spy / "pg_dump").chmod(0o755)
    try:
        tickets = issue_tickets(server, 4)
        run_backup(tmp_path / "backups", hall_etc, live_url, path_prefix=spy)
    finally:
        server.stop()

    argv = (tmp_path / "argv").read_text()
    for written in (password, quote(password, safe=""), quote(password)):
        assert written not in argv, "the password stays off the command line"
    assert (tmp_path / "mode").read_text().strip() == "600"
    assert (tmp_path / "pgpass").read_text().rstrip("\n").endswith(password.replace("\\", "\\\\").replace(":", "\\:"))
    [archive] = archives(tmp_path / "backups")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert not list((tmp_path / "backups").glob(".*")), "the private password file is gone"
    restored = unpack(archive, tmp_path / "restore")
    assert_layout_and_environment_kept(restored, hall_etc)

    # deploy/README.md: pg_restore into the (new, empty) database of the hall's role.
    from sqlalchemy.engine import make_url

    target = make_url(restored_url)
    env = {**os.environ, "PGPASSWORD": password}
    restore = subprocess.run(["pg_restore", "--no-owner", f"--role={target.username}", "--host", target.host,
                              "--port", str(target.port or 5432), "--username", target.username,
                              "--dbname", target.database, str(restored / "database" / "database.dump")],
                             env=env, capture_output=True, text=True, timeout=120)
    assert restore.returncode == 0, restore.stderr
    server = LiveServer(restored_url, layout=str(restored / "layout" / "county.yaml"), log_path=tmp_path / "b.log")
    server.start()
    try:
        assert_tickets_served(server, tickets)
    finally:
        server.stop()
