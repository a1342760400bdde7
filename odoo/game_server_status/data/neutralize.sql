-- Run by Odoo's own neutralization (odoo-bin neutralize, a database duplicated as a test copy):
-- a copy of production must never notify a real person nor work with production's service key.

-- Notification channels off, their webhook addresses and signing secrets wiped.
UPDATE game_server_notify_channel
   SET active = false, url = NULL, secret = NULL;

-- Deliveries still waiting are never sent.
UPDATE game_server_notify_delivery
   SET state = 'failed', last_error = 'Not sent: this database was neutralized.'
 WHERE state = 'pending';

-- The addon's jobs (roll-up and purge, the SLA of the month) stopped.
UPDATE ir_cron
   SET active = false
 WHERE id IN (SELECT res_id FROM ir_model_data WHERE module = 'game_server_status' AND model = 'ir.cron');

-- The API keys of the Status Service's users revoked: the copy gets a service key of its own.
DELETE FROM res_users_apikeys
 WHERE user_id IN (SELECT rel.uid
                     FROM res_groups_users_rel rel
                     JOIN ir_model_data d ON d.model = 'res.groups' AND d.res_id = rel.gid
                    WHERE d.module = 'game_server_status' AND d.name = 'group_game_server_service');
