"""Fill an Odoo database that has the addon with a fleet's month, for the benchmarks of its views.

    FLEET_SERVERS=10000 odoo-bin shell -d DB < bench/odoo_fleet_fill.py

Run in Odoo's own shell (``env`` is given) on a database made for it: it adds, in SQL where the
ORM would take hours, what the addon's own writes leave after a month: N servers of 28 games on
40 hosts, 200 customers (a third under an SLA policy), 7 local days of 15-minute buckets (15
polls each, players following the hour of the day), the 23 days before as daily rows, the
matching hourly game rows, 200 outages, then the SLA months. Nothing is random: two runs fill the
same figures. The timings it prints (SLA refresh) are the job's own on that data.
"""
import os
import time
from datetime import timedelta

from odoo import fields

from odoo.addons.game_server_status.models import local_time

SERVERS = int(os.environ.get('FLEET_SERVERS', '10000'))
GAMES = ['minecraft', 'counterstrike2', 'rust', 'valheim', 'ark', 'tf2', 'garrysmod', 'arma3', 'dayz', 'factorio',
         'terraria', 'palworld', 'satisfactory', 'projectzomboid', 'sevendaystodie', 'conanexiles', 'squad',
         'insurgencysandstorm', 'mordhau', 'unturned', 'spaceengineers', 'starbound', 'theforest', 'vrising',
         'enshrouded', 'mbe', 'quake3', 'openttd']
cr = env.cr
Settings = env['res.config.settings']
zone = Settings._game_server_timezone()
now = fields.Datetime.now()
assert not env['game.server'].search_count([]), "run on an empty database made for the benchmark"

games = env['game.server.game']._for_codes(GAMES)
for code, game in games.items():
    game.name = code.capitalize()
customers = env['res.partner'].create([{'name': 'Customer %03d' % i, 'is_company': True} for i in range(200)])
policies = env['game.server.sla.policy'].create([
    {'name': 'Standard 99.5 %', 'target_pct': 99.5},
    {'name': 'Premium 99.9 %', 'target_pct': 99.9},
])
for i, customer in enumerate(customers[:66]):
    customer.game_server_sla_policy_id = policies[i % 2]
started = time.perf_counter()
for chunk in range(0, SERVERS, 1000):
    env['game.server'].create([{
        'name': 'srv-%05d' % i, 'game': GAMES[i % len(GAMES)], 'host': 'node%02d.example.net' % (i % 40),
        'port': 20000 + i, 'partner_id': customers[i % 200].id,
    } for i in range(chunk, min(chunk + 1000, SERVERS))])
env.flush_all()
print('servers', SERVERS, round(time.perf_counter() - started, 1), 's', flush=True)

# Live status: 97 % online, players following the server's number.
cr.execute("""
    UPDATE game_server SET is_online = (id %% 33 != 0), players_max = 20 + (id %% 5) * 20,
        players_online = CASE WHEN id %% 33 != 0 THEN (id * 7) %% (20 + (id %% 5) * 20) ELSE 0 END,
        latency_ms = 20 + id %% 80, last_checked = %s, last_online = %s,
        status_rank = CASE WHEN id %% 33 != 0 THEN 2 ELSE 0 END
""", [now, now])

detail_from = local_time.day_start(now, zone, -7)
daily_from = local_time.day_start(now, zone, -30)
started = time.perf_counter()
# A server's players in a bucket: its slots times a share that follows the hour (busiest at 21:00),
# 15 polls, the 33rd server of each hundred failing one poll in ten buckets.
cr.execute("""
    INSERT INTO game_server_stat (server_id, game, game_id, bucket_start, bucket_minutes, polls, polls_online,
        players_sum, players_peak, latency_sum, polls_unplanned, players_avg, latency_avg, uptime_pct,
        uptime_unplanned_pct, create_uid, create_date, write_uid, write_date)
    SELECT s.id, s.game, s.game_id, b, 15, 15, o, p * o, p + 2, (20 + s.id %% 80) * o, 15,
           p, 20 + s.id %% 80, 100.0 * o / 15, 100.0 * o / 15, 1, %(now)s, 1, %(now)s
    FROM game_server s
    CROSS JOIN generate_series(%(from)s::timestamp, %(now)s::timestamp, interval '15 minutes') AS b
    CROSS JOIN LATERAL (SELECT CASE WHEN s.id %% 100 = 33 AND (extract(epoch FROM b)::bigint / 900) %% 10 = 0
                                    THEN 14 ELSE 15 END AS o,
                               ((20 + (s.id %% 5) * 20) * (0.2 + 0.6 * (1 + cos(radians(15 * (extract(hour FROM b) - 21)))) / 2)
                               )::int AS p) AS f
""", {'from': detail_from, 'now': now})
print('detail rows', cr.rowcount, round(time.perf_counter() - started, 1), 's', flush=True)
started = time.perf_counter()
cr.execute("""
    INSERT INTO game_server_stat (server_id, game, game_id, bucket_start, bucket_minutes, polls, polls_online,
        players_sum, players_peak, latency_sum, polls_unplanned, players_avg, latency_avg, uptime_pct,
        uptime_unplanned_pct, create_uid, create_date, write_uid, write_date)
    SELECT s.id, s.game, s.game_id, d AT TIME ZONE %(tz)s AT TIME ZONE 'UTC', 1440, 1440, 1440 - (s.id %% 100 = 33)::int * 10,
           (20 + (s.id %% 5) * 20) * 720, 20 + (s.id %% 5) * 20, (20 + s.id %% 80) * 1440, 1440,
           (20 + (s.id %% 5) * 20) / 2.0, 20 + s.id %% 80, 100.0 * (1440 - (s.id %% 100 = 33)::int * 10) / 1440,
           100.0 * (1440 - (s.id %% 100 = 33)::int * 10) / 1440, 1, %(now)s, 1, %(now)s
    FROM game_server s
    CROSS JOIN generate_series(%(from)s::timestamp, %(to)s::timestamp - interval '1 day', interval '1 day') AS d
""", {'tz': zone.key, 'now': now, 'from': local_time.local_date(daily_from, zone),
      'to': local_time.local_date(detail_from, zone)})
print('daily rows', cr.rowcount, round(time.perf_counter() - started, 1), 's', flush=True)
cr.execute("DELETE FROM game_server_game_stat")
env['game.server.game.stat']._fill_from_server_stats()
cr.execute("""
    INSERT INTO game_server_outage (server_id, game, game_id, partner_id, start, "end", duration_s, state, reason,
                                    create_uid, create_date, write_uid, write_date)
    SELECT s.id, s.game, s.game_id, s.partner_id, %(now)s - interval '1 hour' * (s.id %% 500),
           CASE WHEN s.id %% 33 = 0 THEN NULL ELSE %(now)s - interval '1 hour' * (s.id %% 500) + interval '20 minutes' END,
           CASE WHEN s.id %% 33 = 0 THEN 0 ELSE 1200 END, CASE WHEN s.id %% 33 = 0 THEN 'open' ELSE 'closed' END,
           'timeout: no answer', 1, %(now)s, 1, %(now)s
    FROM game_server s WHERE s.id %% 50 = 0
""", {'now': now})
env.invalidate_all()
cr.execute("ANALYZE")
started = time.perf_counter()
rows = env['game.server.sla.month']._refresh_all()
print('SLA months of every month', rows, round(time.perf_counter() - started, 1), 's', flush=True)
started = time.perf_counter()
rows = env['game.server.sla.month']._refresh()
print('SLA job (this month)', rows, round(time.perf_counter() - started, 1), 's', flush=True)
env.cr.commit()
