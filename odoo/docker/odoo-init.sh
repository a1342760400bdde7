#!/bin/bash
# One-shot init for docker compose (service odoo-init), on the official Odoo image:
# creates the database if needed (with SEED=snapshot:<name>, restores that snapshot into it
# instead), installs or updates game_server_status, then makes sure the service user and its
# API key exist. Safe to run on every `up`.
set -euo pipefail

db="${GSS_ODOO_DB:-gss}"
key_file=/run/gss/odoo_api_key
# The apps run as the node image's user (uid 1000); the key file is theirs alone (mode 0600).
key_owner="${GSS_KEY_OWNER:-1000:1000}"
as_odoo="setpriv --reuid=odoo --regid=odoo --init-groups /entrypoint.sh"
# Where the data service put the data image's files (the gss-data volume).
snapshots=/data/snapshots

# The snapshot tool and psql reach PostgreSQL through libpq's variables (Odoo's entrypoint
# reads the same HOST, USER and PASSWORD_FILE).
export PGHOST="$HOST" PGUSER="$USER" PGPASSWORD="$(cat "$PASSWORD_FILE")"

chown odoo: /var/lib/odoo

database_exists() {
  local found
  # The name goes in as a psql variable, quoted by psql: never pasted into the SQL. (errexit
  # does not hold inside a condition: a failed query must stop the init, not read as "no".)
  found="$(psql -X -At -d postgres -v name="$1" <<<"SELECT 1 FROM pg_database WHERE datname = :'name'")" ||
    { echo "odoo-init: cannot ask PostgreSQL at $PGHOST whether $1 exists" >&2; exit 1; }
  [ "$found" = 1 ]
}

# SEED=snapshot:<name>: a new database is the snapshot, neutralized and anonymized by the tool
# before anything else runs against it (a restore that fails drops what it made, so the next
# run tries again); an existing database is never overwritten. The tool gives the restored
# files to the owner of --data-dir: odoo, since the chown above.
rotate=()
seed="${GSS_SEED:-}"
if [[ "$seed" == snapshot:* ]]; then
  name="${seed#snapshot:}"
  archive="$snapshots/$name.gss-snapshot"
  if [[ ! "$name" =~ ^[A-Za-z0-9_-][A-Za-z0-9_.-]*$ ]]; then
    echo "odoo-init: SEED=snapshot:$name: a snapshot name is letters, digits, . _ - (no path)" >&2
    exit 2
  elif database_exists "$db"; then
    echo "odoo-init: database $db exists: snapshot $name not restored again" \
      "(docker compose down -v, or another ODOO_DB, restores it anew)"
  elif [ ! -f "$archive" ]; then
    echo "odoo-init: no snapshot $name in the data image (DATA_IMAGE); it has:" >&2
    find "$snapshots" -name '*.gss-snapshot' -printf '  %f\n' 2>/dev/null | sed 's/\.gss-snapshot$//' >&2
    exit 1
  else
    echo "odoo-init: restoring snapshot $name into the new database $db"
    python3 /mnt/extra-addons/tools/gss_snapshot.py restore "$archive" -d "$db" \
      --data-dir /var/lib/odoo --odoo-bin "$as_odoo odoo" \
      --hosts "${SNAPSHOT_HOSTS:-demo:demo-games}" \
      --admin-password "${SNAPSHOT_ADMIN_PASSWORD:-admin}"
    # The copy keeps no key of the original: this environment's apps get a new one.
    rotate=(--rotate)
  fi
fi

# -i installs on a new database and is a no-op on an installed one; -u applies addon updates.
$as_odoo odoo -d "$db" -i game_server_status --stop-after-init --without-demo=all --no-http
$as_odoo odoo -d "$db" -u game_server_status --stop-after-init --no-http

# The supported command for any Odoo (README, "Running with your own Odoo").
python3 /mnt/extra-addons/tools/gss_service_user.py --odoo-bin "$as_odoo odoo" -d "$db" \
  --login gss-service --key-file "$key_file" --owner "$key_owner" "${rotate[@]}"
echo "odoo-init: database $db ready, service user key in $key_file"
