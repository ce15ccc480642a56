#!/usr/bin/env bash
# Back up the hall's PostgreSQL database (custom format, restorable with pg_restore) and keep the last
# KEEP_DAYS days. Run daily from cron or the systemd timer in deploy/systemd/yichuang-backup.timer:
#   deploy/backup.sh [BACKUP_DIR]
# Reads HALL_DATABASE_URL from the environment or /etc/yichuang/yichuang.env.
# Restore (into an empty database; stop the yichuang@ services first):
#   pg_restore --clean --if-exists --no-owner --role=yichuang -d "$HALL_DATABASE_URL" FILE.dump
set -euo pipefail

BACKUP_DIR="${1:-${BACKUP_DIR:-/var/backups/yichuang}}"
KEEP_DAYS="${KEEP_DAYS:-30}"
ENV_FILE="${ENV_FILE:-/etc/yichuang/yichuang.env}"

if [[ -z "${HALL_DATABASE_URL:-}" && -r "$ENV_FILE" ]]; then
  HALL_DATABASE_URL="$(sed -n 's/^HALL_DATABASE_URL=//p' "$ENV_FILE" | tail -n 1)"
fi
if [[ -z "${HALL_DATABASE_URL:-}" ]]; then
  echo "backup.sh: HALL_DATABASE_URL is not set (nor in $ENV_FILE)" >&2
  exit 2
fi
case "$HALL_DATABASE_URL" in
  postgresql://*|postgres://*) ;;
  postgresql+psycopg://*) HALL_DATABASE_URL="postgresql://${HALL_DATABASE_URL#postgresql+psycopg://}" ;;
  *) echo "backup.sh: only PostgreSQL is backed up this way; copy the SQLite file with sqlite3 .backup" >&2
     exit 2 ;;
esac

umask 077
mkdir -p "$BACKUP_DIR"
stamp="$(date +%Y%m%d-%H%M%S)"
target="$BACKUP_DIR/yichuang-$stamp.dump"
# Written under a temporary name first: a half-written dump never looks like a good one.
pg_dump --format=custom --compress=6 --no-owner --file="$target.partial" "$HALL_DATABASE_URL"
pg_restore --list "$target.partial" >/dev/null  # the archive reads back
mv "$target.partial" "$target"
find "$BACKUP_DIR" -maxdepth 1 -name 'yichuang-*.dump' -type f -mtime +"$KEEP_DAYS" -delete
find "$BACKUP_DIR" -maxdepth 1 -name 'yichuang-*.dump.partial' -type f -mmin +720 -delete
echo "backup written: $target ($(du -h "$target" | cut -f1)); kept: $(find "$BACKUP_DIR" -maxdepth 1 -name 'yichuang-*.dump' | wc -l) files"
