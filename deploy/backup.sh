#!/usr/bin/env bash
# Back up a Yichuang (一窗) hall: the database, the whole layout directory (HALL_LAYOUT's folder) and the
# environment file, as one archive BACKUP_DIR/yichuang-YYYYMMDD-HHMMSS.tar.gz (mode 0600: it holds the
# secret key and the database password), and keep the last KEEP_DAYS days. Run daily by the systemd timer
# deploy/systemd/yichuang-backup.timer, or by hand:
#   deploy/backup.sh [BACKUP_DIR]
#
# Database, from HALL_DATABASE_URL (environment, else ENV_FILE, else the server's default SQLite file
# instance/hall.db):
#   PostgreSQL  pg_dump --format=custom, checked with pg_restore --list. The password goes to pg_dump in a
#               private PGPASSFILE, never on the command line (which every user sees in ps).
#   SQLite      SQLite's online backup API through the project's own Python (.venv/bin/python, else
#               python3): a consistent copy while the server keeps running, checked by PRAGMA integrity_check.
# Device tokens: the file HALL_DEVICE_TOKENS names (server/device_tokens.py; default instance/device_tokens.json
# of the checkout), kept with its mode 0600: without it every kiosk, print agent and screen would need a new
# token after a restore.
# Inside the archive: MANIFEST, database/database.dump or database/hall.db, layout/ (the layout folder),
# yichuang.env, device_tokens.json. Restore: deploy/README.md, "Backups".
#
# Settings (environment): BACKUP_DIR (/var/backups/yichuang), KEEP_DAYS (30), ENV_FILE
# (/etc/yichuang/yichuang.env), YICHUANG_HOME (the checkout this script is in), PYTHON.
set -euo pipefail
umask 077

YICHUANG_HOME="${YICHUANG_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BACKUP_DIR="${1:-${BACKUP_DIR:-/var/backups/yichuang}}"
KEEP_DAYS="${KEEP_DAYS:-30}"
ENV_FILE="${ENV_FILE:-/etc/yichuang/yichuang.env}"
PYTHON="${PYTHON:-$YICHUANG_HOME/.venv/bin/python}"
[[ -x "$PYTHON" ]] || PYTHON="$(command -v python3)"

fail() { echo "backup.sh: $*" >&2; exit 2; }
[[ "$KEEP_DAYS" =~ ^[0-9]+$ ]] || fail "KEEP_DAYS must be a number of days, not '$KEEP_DAYS'"

# A setting from the environment, else from the environment file (as systemd reads it: NAME=value).
setting() {
  local name="$1"
  if [[ -n "${!name:-}" ]]; then
    printf '%s' "${!name}"
  elif [[ -r "$ENV_FILE" ]]; then
    sed -n "s/^$name=//p" "$ENV_FILE" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
  fi
}

export HALL_DATABASE_URL
HALL_DATABASE_URL="$(setting HALL_DATABASE_URL)"
[[ -n "$HALL_DATABASE_URL" ]] || HALL_DATABASE_URL="sqlite:///$YICHUANG_HOME/instance/hall.db"
layout_file="$(setting HALL_LAYOUT)"
[[ -n "$layout_file" ]] || layout_file="$YICHUANG_HOME/layout/examples/county.yaml"
[[ "$layout_file" = /* ]] || layout_file="$YICHUANG_HOME/$layout_file"
[[ -f "$layout_file" ]] || fail "the layout file $layout_file (HALL_LAYOUT) does not exist"
layout_dir="$(cd "$(dirname "$layout_file")" && pwd)"
tokens_file="$(setting HALL_DEVICE_TOKENS)"
[[ -n "$tokens_file" ]] || tokens_file="$YICHUANG_HOME/instance/device_tokens.json"
[[ "$tokens_file" = /* ]] || tokens_file="$YICHUANG_HOME/$tokens_file"  # the servers run in the checkout

mkdir -p "$BACKUP_DIR"
# A name of its own, even for two backups in the same second: the work folder is claimed with mkdir,
# which fails if another run has it, and the archive is moved into place without overwriting anything.
stamp="$(date +%Y%m%d-%H%M%S)"
for attempt in "" -2 -3 -4 -5 -6 -7 -8 -9; do
  name="yichuang-$stamp$attempt"
  if [[ ! -e "$BACKUP_DIR/$name.tar.gz" ]] && mkdir "$BACKUP_DIR/.$name.work" 2>/dev/null; then
    break
  fi
  name=""
done
[[ -n "$name" ]] || fail "no free backup name for $stamp in $BACKUP_DIR"
work="$BACKUP_DIR/.$name.work"
target="$BACKUP_DIR/$name.tar.gz"
trap 'rm -rf -- "$work" "$target.partial"' EXIT
mkdir "$work/database" "$work/secret"

# Splits HALL_DATABASE_URL (read from the environment, never from argv): prints the kind and its fields;
# for PostgreSQL, writes the password (if any) to a pgpass file of its own.
describe_database() {
  "$PYTHON" - "$YICHUANG_HOME" "$work/secret/pgpass" <<'PY'
import os
import sys
from urllib.parse import parse_qs, unquote, urlsplit

home, pgpass = sys.argv[1], sys.argv[2]
url = os.environ["HALL_DATABASE_URL"]
parts = urlsplit(url)
scheme = parts.scheme.split("+", 1)[0]
if scheme == "sqlite":
    path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
    if not path or path == ":memory:":
        sys.exit("backup.sh: an in-memory SQLite database has nothing to back up")
    print("sqlite")
    print(path if os.path.isabs(path) else os.path.join(home, path))
elif scheme in ("postgresql", "postgres"):
    query = parse_qs(parts.query)
    host = unquote(parts.hostname or "") or query.get("host", [""])[0]
    port = str(parts.port or query.get("port", ["5432"])[0])
    user = unquote(parts.username or "")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        sys.exit("backup.sh: HALL_DATABASE_URL names no database")
    if parts.password is not None:
        def field(value: str) -> str:
            return value.replace("\\", "\\\\").replace(":", "\\:")
        with open(os.open(pgpass, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(":".join(field(value) for value in (host or "*", port, database, user or "*",
                                                          unquote(parts.password))) + "\n")
    print("postgresql")
    for value in (host, port, user, database, query.get("sslmode", [""])[0]):
        print(value)
else:
    sys.exit(f"backup.sh: cannot back up a {parts.scheme or 'unknown'} database (PostgreSQL or SQLite)")
PY
}

mapfile -t database < <(describe_database)
[[ ${#database[@]} -gt 0 ]] || fail "could not read HALL_DATABASE_URL"
case "${database[0]}" in
  postgresql)
    host="${database[1]}" port="${database[2]}" user="${database[3]}" dbname="${database[4]}"
    command -v pg_dump >/dev/null || fail "pg_dump is missing (Debian: apt-get install postgresql-client)"
    args=(--format=custom --compress=6 --no-owner --no-password --port="$port" --dbname="$dbname")
    [[ -n "$host" ]] && args+=(--host="$host")
    [[ -n "$user" ]] && args+=(--username="$user")
    [[ -n "${database[5]}" ]] && export PGSSLMODE="${database[5]}"
    [[ -f "$work/secret/pgpass" ]] && export PGPASSFILE="$work/secret/pgpass"
    pg_dump "${args[@]}" --file="$work/database/database.dump"
    pg_restore --list "$work/database/database.dump" >/dev/null  # the archive reads back
    kind="PostgreSQL database $dbname on ${host:-the local socket}:$port"
    ;;
  sqlite)
    source_db="${database[1]}"
    [[ -f "$source_db" ]] || fail "the SQLite database $source_db does not exist"
    "$PYTHON" - "$source_db" "$work/database/hall.db" <<'PY'
import sqlite3
import sys

source = sqlite3.connect(sys.argv[1], timeout=30)
copy = sqlite3.connect(sys.argv[2])
with copy:
    source.backup(copy)  # SQLite's online backup: one consistent snapshot while the server writes on
source.close()
result = copy.execute("PRAGMA integrity_check").fetchone()[0]
copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
copy.close()
if result != "ok":
    sys.exit(f"backup.sh: the copy of {sys.argv[1]} fails its integrity check: {result}")
PY
    kind="SQLite database $source_db"
    ;;
esac
rm -rf "$work/secret"

cp -a "$layout_dir" "$work/layout"
if [[ -r "$ENV_FILE" ]]; then
  cp "$ENV_FILE" "$work/yichuang.env"
else
  echo "backup.sh: warning: $ENV_FILE is not readable; the backup has no environment file" >&2
fi
if [[ -f "$tokens_file" ]]; then
  cp -p "$tokens_file" "$work/device_tokens.json"
  tokens_kept="$tokens_file"
else
  echo "backup.sh: warning: no device token file at $tokens_file (HALL_DEVICE_TOKENS); the backup has none" >&2
  tokens_kept="none"
fi
{
  echo "Yichuang (一窗) backup $name"
  echo "made: $(date --iso-8601=seconds) on $(hostname)"
  echo "database: $kind"
  echo "layout: $layout_dir (HALL_LAYOUT=$layout_file)"
  echo "environment file: $ENV_FILE"
  echo "device tokens: $tokens_kept"
  echo
  (cd "$work" && find . -type f ! -name MANIFEST -print0 | sort -z | xargs -0 sha256sum)
} > "$work/MANIFEST"

# Written under a temporary name first: a half-written archive never looks like a good one.
tar -czf "$target.partial" -C "$work" .
tar -tzf "$target.partial" >/dev/null
mv -n "$target.partial" "$target"
[[ ! -e "$target.partial" ]] || fail "$target appeared meanwhile; this backup stays in $target.partial"
rm -rf -- "$work"
trap - EXIT

find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'yichuang-*.tar.gz' -o -name 'yichuang-*.dump' \) \
  -mtime +"$KEEP_DAYS" -delete
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'yichuang-*.partial' -mmin +720 -delete
find "$BACKUP_DIR" -maxdepth 1 -type d -name '.yichuang-*.work' -mmin +720 -exec rm -rf -- {} +
echo "backup written: $target ($(du -h "$target" | cut -f1)): $kind, layout $layout_dir, $ENV_FILE," \
     "device tokens $tokens_kept;" \
     "kept: $(find "$BACKUP_DIR" -maxdepth 1 -name 'yichuang-*.tar.gz' | wc -l) archives"
