# Runs inside `odoo shell` (where `env` is defined) from odoo-init.sh: creates the
# user the apps log in as, in the addon's Status Service group, and an API key for it.
# The key is written once to GSS_KEY_FILE; later runs keep the existing key.
import os

key_file = os.environ["GSS_KEY_FILE"]
login = os.environ.get("GSS_SERVICE_LOGIN", "gss-service")
Users = env["res.users"].with_context(active_test=False)  # noqa: F821 (odoo shell)
user = Users.search([("login", "=", login)], limit=1)
if not user:
    groups = [env.ref("base.group_user").id, env.ref("game_server_status.group_game_server_service").id]  # noqa: F821
    # Odoo 19 renamed res.users.groups_id to group_ids.
    groups_field = "group_ids" if "group_ids" in Users._fields else "groups_id"
    user = Users.create({"name": "Game Server Status service", "login": login, groups_field: [(6, 0, groups)]})

if not os.path.exists(key_file) or os.path.getsize(key_file) == 0:
    apikeys = env["res.users.apikeys"].with_user(user).sudo()  # noqa: F821
    try:
        key = apikeys._generate("rpc", "game-server-status", None)  # 18 and 19: no expiry
    except TypeError:
        key = apikeys._generate("rpc", "game-server-status")  # 17
    env.cr.commit()  # noqa: F821
    with open(key_file, "w") as fh:
        fh.write(key)
    os.chmod(key_file, 0o644)
    print("created API key for", login)
else:
    print("API key for", login, "already present")
