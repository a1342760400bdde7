-- Anonymizes a restored copy of a Game Server Status database (Odoo 17, 18 or 19), after
-- `odoo neutralize`. Run by gss_snapshot.py restore with psql, in one transaction, given:
--   :admin_hash  the admin's new password, as Odoo stores it
--   :demo_host   the host every game server now points at ('' keeps the hosts)
--   :db_secret, :db_uuid  the copy's own database.secret and database.uuid
-- Columns and tables are looked up before use: modules and versions add and drop them.
-- It prints, last, the filestore paths no attachment references any more.

SELECT set_config('gss.admin_hash', :'admin_hash', true) AS gss_ignored,
       set_config('gss.demo_host', :'demo_host', true) AS gss_ignored2,
       set_config('gss.db_secret', :'db_secret', true) AS gss_ignored3,
       set_config('gss.db_uuid', :'db_uuid', true) AS gss_ignored4 \gset

CREATE FUNCTION pg_temp.has_table(tbl text) RETURNS boolean LANGUAGE sql AS $$
  SELECT to_regclass(format('public.%I', tbl)) IS NOT NULL $$;

CREATE FUNCTION pg_temp.has_column(tbl text, col text) RETURNS boolean LANGUAGE sql AS $$
  SELECT EXISTS (SELECT 1 FROM information_schema.columns
                  WHERE table_schema = 'public' AND table_name = tbl AND column_name = col) $$;

-- Sets each of COLS that TBL has to VALUE (an SQL expression) on the rows matching COND.
CREATE FUNCTION pg_temp.set_columns(tbl text, cols text[], value text, cond text DEFAULT 'true')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  col text;
  sets text[] := '{}';
BEGIN
  FOREACH col IN ARRAY cols LOOP
    IF pg_temp.has_column(tbl, col) THEN
      sets := sets || format('%I = %s', col, replace(value, '$col', quote_ident(col)));
    END IF;
  END LOOP;
  IF cardinality(sets) > 0 THEN
    EXECUTE format('UPDATE %I SET %s WHERE %s', tbl, array_to_string(sets, ', '), cond);
  END IF;
END $$;

CREATE FUNCTION pg_temp.xmlid(mod text, nam text) RETURNS integer LANGUAGE sql AS $$
  SELECT res_id FROM ir_model_data WHERE module = mod AND name = nam $$;

-- The hosts maintenance windows name, none where the addon predates them.
CREATE FUNCTION pg_temp.maintenance_hosts() RETURNS TABLE (host text) LANGUAGE plpgsql AS $$
BEGIN
  IF pg_temp.has_column('game_server_maintenance', 'host') THEN
    RETURN QUERY SELECT m.host::text FROM game_server_maintenance m;
  END IF;
END $$;

-- Points every game server and incident at DEMO, and rewrites the old hosts wherever the addon
-- wrote them down: its notes, events (summaries, payloads), errors and reasons, maintenance
-- windows, and the record names activities keep (an incident is named after its host). One
-- regular expression of every old host, longest first, each matched as a whole name or address.
-- A maintenance window by host then covers DEMO, where its servers now are.
CREATE FUNCTION pg_temp.move_hosts(demo text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  hosts text;
  target record;
BEGIN
  SELECT '(?<![\w.-])(' || string_agg(regexp_replace(host, '([^\w])', '\\\1', 'g'), '|'
                                       ORDER BY length(host) DESC) || ')(?![\w.-])'
    INTO hosts
    FROM (SELECT host FROM game_server UNION SELECT host FROM game_server_incident
          UNION SELECT host FROM pg_temp.maintenance_hosts()) h
   WHERE host IS NOT NULL AND host <> demo;
  IF hosts IS NOT NULL THEN
    FOR target IN SELECT * FROM (VALUES ('game_server_event', 'summary', 'true'),
                                        ('game_server_event', 'payload', 'true'),
                                        ('game_server', 'last_error', 'true'),
                                        ('game_server_outage', 'reason', 'true'),
                                        ('game_server_incident', 'reason', 'true'),
                                        ('game_server_notify_delivery', 'last_error', 'true'),
                                        ('game_server_maintenance', 'name', 'true'),
                                        ('mail_activity', 'res_name', 'true'),
                                        ('mail_message', 'body', $c$model LIKE 'game.server%'$c$))
                             AS t(tbl, col, cond) LOOP
      IF pg_temp.has_column(target.tbl, target.col) THEN
        EXECUTE format('UPDATE %1$I SET %2$I = regexp_replace(%2$I::text, $1, $2, ''g'')::%3$s '
                       'WHERE %4$s AND %2$I::text ~ $1',
                       target.tbl, target.col,
                       (SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                         WHERE attrelid = to_regclass(format('public.%I', target.tbl))
                           AND attname = target.col),
                       target.cond)
          USING hosts, demo;
      END IF;
    END LOOP;
  END IF;
  UPDATE game_server SET host = demo;
  PERFORM pg_temp.set_columns('game_server_incident', ARRAY['host'], quote_literal(demo));
  PERFORM pg_temp.set_columns('game_server_maintenance', ARRAY['host'], quote_literal(demo),
                              'host IS NOT NULL');
END $$;

DO $$
DECLARE
  admin_id integer := pg_temp.xmlid('base', 'user_admin');
  admin_partner integer;
  tbl text;
BEGIN
  SELECT partner_id INTO admin_partner FROM res_users WHERE id = admin_id;

  -- The Status Service's users: they keep their login (gss_service_user.py finds its user by
  -- it) and their name, which signs the addon's notes in every chatter.
  CREATE TEMP TABLE gss_service_user ON COMMIT DROP AS
    SELECT r.uid AS id FROM res_groups_users_rel r
      JOIN ir_model_data d ON d.model = 'res.groups' AND d.res_id = r.gid
     WHERE d.module = 'game_server_status' AND d.name = 'group_game_server_service';

  -- People and customers. Kept by name: the companies' own partners, OdooBot's, the public
  -- user's, the Status Service's. Every partner loses its ways to be reached and where it lives.
  CREATE TEMP TABLE gss_kept_partner ON COMMIT DROP AS
    SELECT partner_id AS id FROM res_company
     UNION SELECT pg_temp.xmlid('base', 'partner_root')
     UNION SELECT pg_temp.xmlid('base', 'public_partner')
     UNION SELECT partner_id FROM res_users WHERE id IN (SELECT id FROM gss_service_user);
  UPDATE res_partner
     SET name = CASE WHEN id = admin_partner THEN 'Administrator'
                     WHEN is_company THEN 'Customer ' || id
                     ELSE 'Contact ' || id END
   WHERE name IS NOT NULL AND id NOT IN (SELECT id FROM gss_kept_partner WHERE id IS NOT NULL);
  PERFORM pg_temp.set_columns('res_partner', ARRAY['email', 'email_normalized'],
                              $v$CASE WHEN $col IS NOT NULL THEN 'partner-' || id || '@example.invalid' END$v$);
  PERFORM pg_temp.set_columns('res_partner', ARRAY[
    'phone', 'mobile', 'phone_sanitized', 'street', 'street2', 'zip', 'city', 'vat',
    'company_registry', 'website', 'comment', 'ref', 'function', 'barcode', 'partner_latitude',
    'partner_longitude', 'signup_token', 'signup_type', 'signup_expiration', 'company_name'], 'NULL');
  IF pg_temp.has_column('res_partner', 'commercial_company_name') THEN
    UPDATE res_partner p SET commercial_company_name = c.name
      FROM res_partner c WHERE c.id = p.commercial_partner_id AND c.is_company;
  END IF;
  IF pg_temp.has_column('res_partner', 'complete_name') THEN
    UPDATE res_partner p
       SET complete_name = CASE WHEN parent.id IS NOT NULL AND NOT p.is_company AND p.name IS NOT NULL
                                THEN parent.name || ', ' || p.name
                                ELSE coalesce(p.name, parent.name) END
      FROM res_partner p2 LEFT JOIN res_partner parent ON parent.id = p2.parent_id
     WHERE p2.id = p.id;
  END IF;
  PERFORM pg_temp.set_columns('res_company', ARRAY[
    'email', 'phone', 'mobile', 'vat', 'company_registry', 'street', 'street2', 'zip', 'city'], 'NULL');
  -- Analytic accounts Odoo makes for a customer's projects carry the customer's name.
  IF pg_temp.has_column('account_analytic_account', 'partner_id') THEN
    UPDATE account_analytic_account SET name = jsonb_build_object('en_US', 'Account ' || id)
     WHERE partner_id IS NOT NULL;
  END IF;
  IF pg_temp.has_table('res_partner_bank') THEN
    UPDATE res_partner_bank SET acc_number = 'ANON-' || id;
    PERFORM pg_temp.set_columns('res_partner_bank', ARRAY['sanitized_acc_number'], $v$'ANON' || id$v$);
    PERFORM pg_temp.set_columns('res_partner_bank', ARRAY['acc_holder_name'], 'NULL');
  END IF;

  -- Users: logins made of the id, no password, no second factor. Kept: the admin (login
  -- admin, the documented password), users a module created (they carry its xml id), and the
  -- Status Service's users.
  UPDATE res_users u SET login = 'user' || u.id
   WHERE u.id <> admin_id
     AND NOT EXISTS (SELECT 1 FROM ir_model_data d WHERE d.model = 'res.users' AND d.res_id = u.id
                        AND d.module NOT LIKE '\_\_%')
     AND u.id NOT IN (SELECT id FROM gss_service_user);
  UPDATE res_users SET password = NULL WHERE id <> admin_id;
  UPDATE res_users SET login = 'admin', active = true, password = current_setting('gss.admin_hash')
   WHERE id = admin_id;
  PERFORM pg_temp.set_columns('res_users', ARRAY['totp_secret', 'signature', 'oauth_uid',
                                                 'oauth_access_token'], 'NULL');
  FOREACH tbl IN ARRAY ARRAY['res_users_apikeys', 'auth_passkey_key', 'res_device_log', 'res_device',
                             'auth_totp_rate_limit_log', 'bus_bus', 'ir_logging', 'mail_mail',
                             'mail_compose_message'] LOOP
    IF pg_temp.has_table(tbl) THEN EXECUTE format('DELETE FROM %I', tbl); END IF;
  END LOOP;

  -- Links shared with customers stop working: each token (a secret) is replaced by a new one.
  FOR tbl IN SELECT c.table_name FROM information_schema.columns c
               JOIN information_schema.tables t USING (table_schema, table_name)
              WHERE c.table_schema = 'public' AND c.column_name = 'access_token'
                AND t.table_type = 'BASE TABLE' LOOP
    EXECUTE format('UPDATE %I SET access_token = gen_random_uuid()::text WHERE access_token IS NOT NULL', tbl);
  END LOOP;

  -- Mail: what people wrote and to whom. Odoo's neutralize turns the servers off; their
  -- credentials go here.
  -- Kept: what the addon itself wrote about game servers (status changes, SLA notes), but not
  -- Odoo's "activity done" messages on them, which name the user the activity was assigned to
  -- and carry what people wrote (summary, feedback, note).
  IF pg_temp.has_table('mail_message') THEN
    UPDATE mail_message SET body = '<p>(anonymized)</p>'
     WHERE body IS NOT NULL AND body <> ''
       AND NOT (model LIKE 'game.server%' AND message_type = 'notification'
                AND mail_activity_type_id IS NULL);
    PERFORM pg_temp.set_columns('mail_message', ARRAY['email_from', 'reply_to', 'subject',
                                                      'record_name', 'message_id'], 'NULL');
  END IF;
  PERFORM pg_temp.set_columns('mail_tracking_value', ARRAY['old_value_char', 'new_value_char',
                              'old_value_text', 'new_value_text'], 'NULL');
  PERFORM pg_temp.set_columns('mail_notification', ARRAY['failure_reason'], 'NULL');
  -- Activities: what people wrote (done ones are kept archived on 19, with their feedback), and
  -- the name of the record they are on, which for a customer is the customer's.
  PERFORM pg_temp.set_columns('mail_activity', ARRAY['summary', 'note', 'feedback'], 'NULL');
  IF pg_temp.has_table('mail_activity') THEN
    UPDATE mail_activity a SET res_name = p.name
      FROM res_partner p WHERE a.res_model = 'res.partner' AND p.id = a.res_id;
  END IF;
  -- Tasks (the project bridge): the customer's contact details, and users' private to-dos,
  -- which Odoo opens with the user's name.
  PERFORM pg_temp.set_columns('project_task', ARRAY['partner_phone', 'partner_email'], 'NULL');
  IF pg_temp.has_table('project_task') THEN
    UPDATE project_task SET name = 'Task ' || id, description = NULL WHERE project_id IS NULL;
  END IF;
  PERFORM pg_temp.set_columns('ir_mail_server', ARRAY['smtp_user', 'smtp_pass'], 'NULL');
  PERFORM pg_temp.set_columns('fetchmail_server', ARRAY['user', 'password'], 'NULL');

  -- The copy's own identity, and no other secret the settings hold.
  UPDATE ir_config_parameter SET value = current_setting('gss.db_secret') WHERE key = 'database.secret';
  UPDATE ir_config_parameter SET value = current_setting('gss.db_uuid') WHERE key = 'database.uuid';
  DELETE FROM ir_config_parameter
   WHERE key <> 'database.secret'
     AND (key ILIKE '%secret%' OR key ILIKE '%token%' OR key ILIKE '%password%' OR key ILIKE '%api_key%');

  -- Game servers: what players shared, internal notes, and (with a demo host) where they are.
  PERFORM pg_temp.set_columns('game_server', ARRAY['player_names', 'notes'], 'NULL');
  IF current_setting('gss.demo_host') <> '' THEN
    PERFORM pg_temp.move_hosts(current_setting('gss.demo_host'));
  END IF;

  -- Files of people and of messages: photos, mail attachments, saved reports.
  CREATE TEMP TABLE gss_deleted_file ON COMMIT DROP AS
    SELECT store_fname FROM ir_attachment WHERE false;
  WITH gone AS (
    DELETE FROM ir_attachment
     WHERE (res_model IN ('res.users', 'mail.message', 'mail.compose.message', 'mail.mail')
            OR (res_model = 'res.partner'
                AND res_id NOT IN (SELECT id FROM gss_kept_partner WHERE id IS NOT NULL))
            OR (res_model LIKE 'game.server%' AND mimetype = 'application/pdf'))
    RETURNING store_fname)
  INSERT INTO gss_deleted_file SELECT store_fname FROM gone WHERE store_fname IS NOT NULL;
END $$;

-- A file is shared by every attachment with the same content: removed only once unreferenced.
SELECT DISTINCT f.store_fname FROM gss_deleted_file f
 WHERE NOT EXISTS (SELECT 1 FROM ir_attachment a WHERE a.store_fname = f.store_fname);
