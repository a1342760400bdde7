#!/bin/bash
# One-shot for docker compose (service snapshot, profile tools), on the official Odoo image:
#   docker compose --profile tools run --rm snapshot
# snapshots the database GSS_ODOO_DB and its filestore into /snapshots (a host directory,
# ./docker/data/snapshots unless SNAPSHOT_DIR says otherwise) as SNAPSHOT_NAME.gss-snapshot,
# for the next build of the data image. Never overwrites a snapshot.
set -euo pipefail

db="${GSS_ODOO_DB:-gss}"
name="${SNAPSHOT_NAME:-$db-$(date -u +%F)}"
out="/snapshots/$name.gss-snapshot"

# The tool reaches PostgreSQL through libpq's variables, as in odoo-init.sh.
export PGHOST="$HOST" PGUSER="$USER" PGPASSWORD="$(cat "$PASSWORD_FILE")"

# The same names SEED=snapshot:<name> takes (odoo-init.sh, seed-args.ts).
if [[ ! "$name" =~ ^[A-Za-z0-9_-][A-Za-z0-9_.-]*$ ]]; then
  echo "snapshot: SNAPSHOT_NAME '$name': letters, digits, . _ - only (no path)" >&2
  exit 2
fi
if [ -e "$out" ]; then
  echo "snapshot: $out exists already: remove it, or choose another SNAPSHOT_NAME" >&2
  exit 1
fi

python3 /mnt/extra-addons/tools/gss_snapshot.py snapshot -d "$db" --data-dir /var/lib/odoo --out "$out"
# Run as root: the file goes to whoever owns the host directory, who builds the image.
chown "$(stat -c %u:%g /snapshots)" "$out"
echo "snapshot: $out written; build the data image to share it (docker/data/README.md)," \
  "then SEED=snapshot:$name restores it into a new environment"
