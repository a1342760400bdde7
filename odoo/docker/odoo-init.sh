#!/bin/bash
# One-shot init for docker compose (service odoo-init), on the official Odoo image:
# creates the database if needed, installs or updates game_server_status, then makes
# sure the service user and its API key exist. Safe to run on every `up`.
set -euo pipefail

db="${GSS_ODOO_DB:-gss}"
key_file=/run/gss/odoo_api_key
# The apps run as the node image's user (uid 1000); the key file is theirs alone (mode 0600).
key_owner="${GSS_KEY_OWNER:-1000:1000}"
as_odoo="setpriv --reuid=odoo --regid=odoo --init-groups /entrypoint.sh"

chown odoo: /var/lib/odoo

# -i installs on a new database and is a no-op on an installed one; -u applies addon updates.
$as_odoo odoo -d "$db" -i game_server_status --stop-after-init --without-demo=all --no-http
$as_odoo odoo -d "$db" -u game_server_status --stop-after-init --no-http

# The supported command for any Odoo (README, "Running with your own Odoo").
python3 /mnt/extra-addons/tools/gss_service_user.py --odoo-bin "$as_odoo odoo" -d "$db" \
  --login gss-service --key-file "$key_file" --owner "$key_owner"
echo "odoo-init: database $db ready, service user key in $key_file"
