#!/bin/bash
# One-shot init for docker compose (service odoo-init), on the official Odoo image:
# creates the database if needed, installs or updates game_server_status, then makes
# sure the service user and its API key exist. Safe to run on every `up`.
set -euo pipefail

db="${GSS_ODOO_DB:-gss}"
key_file=/run/gss/odoo_api_key
run_as_odoo() { setpriv --reuid=odoo --regid=odoo --init-groups /entrypoint.sh "$@"; }

chown odoo: /run/gss /var/lib/odoo

# -i installs on a new database and is a no-op on an installed one; -u applies addon updates.
run_as_odoo odoo -d "$db" -i game_server_status --stop-after-init --without-demo=all --no-http
run_as_odoo odoo -d "$db" -u game_server_status --stop-after-init --no-http

GSS_KEY_FILE="$key_file" run_as_odoo odoo shell -d "$db" --no-http < /mnt/extra-addons/docker/bootstrap_service_user.py
test -s "$key_file"
echo "odoo-init: database $db ready, service user key in $key_file"
