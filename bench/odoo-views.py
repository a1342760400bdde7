"""Time Odoo takes to answer the calls each view of the addon makes when it opens.

    npm run bench:odoo:views -- --url http://127.0.0.1:8069 --db DB [--login admin --password admin]

Runs against a real Odoo 17, 18 or 19 with the addon and a fleet's worth of data (the figures
in docs/benchmarks.md: 10,000 servers and 30 days of statistics). Each view's calls (the
web_search_read of a list or kanban, the read_group calls of a graph or pivot) are timed five
times, the median printed, then one JSON line. Server-side time only: the web client adds its
own drawing, small for these views (at most 80 rows, a few hundred cells).
"""
import argparse
import json
import statistics
import time
import urllib.request
from datetime import datetime, timedelta, timezone

parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
parser.add_argument('--url', required=True)
parser.add_argument('--db', required=True)
parser.add_argument('--login', default='admin')
parser.add_argument('--password', default='admin')
options = parser.parse_args()
URL = options.url.rstrip('/') + '/jsonrpc'
db = options.db
n = 0
def rpc(service, method, *args):
    global n
    n += 1
    body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': n, 'params': {'service': service, 'method': method, 'args': list(args)}}).encode()
    r = json.load(urllib.request.urlopen(urllib.request.Request(URL, body, {'Content-Type': 'application/json'}), timeout=600))
    if 'error' in r:
        raise RuntimeError(r['error']['data']['message'])
    return r['result']
uid = rpc('common', 'login', db, options.login, options.password)
def kw(model, method, args, kwargs=None):
    return rpc('object', 'execute_kw', db, uid, options.password, model, method, args, kwargs or {})
version = rpc('common', 'version')['server_serie']
hourly = version.startswith('19')
today = datetime.now(timezone.utc).date()
d30 = [('bucket_start', '>=', (today - timedelta(days=30)).isoformat())]
d24 = [('bucket_start', '>=', (today - timedelta(days=1)).isoformat())]


def spec(*names):
    return {name: {} for name in names}


def list_view(model, fields, order, limit=80, domain=()):
    return [('web_search_read', lambda: kw(model, 'web_search_read', [list(domain)], {'specification': spec(*fields), 'limit': limit, 'order': order, 'count_limit': 10001}))]
def group(model, domain, groupbys, measures):
    return [(f'read_group {gb}', (lambda gb=gb: kw(model, 'read_group', [domain, measures, gb], {'lazy': False}))) for gb in groupbys]
step = 'bucket_start:hour' if hourly else 'bucket_start:day'
server = kw('game.server', 'search', [[]], {'limit': 1})[0]
views = {
    'Servers kanban (80, status order)': list_view('game.server', ['name', 'game_id', 'host', 'port', 'is_online', 'players_online', 'players_max', 'latency_ms', 'uptime_24h', 'last_checked', 'last_error_code', 'last_error'], 'status_rank, name', 40),
    'Servers list': list_view('game.server', ['name', 'game_id', 'host', 'port', 'is_online', 'players_online', 'players_max', 'latency_ms', 'uptime_24h', 'last_checked'], 'status_rank, name'),
    'Server form': [('web_read', lambda: kw('game.server', 'web_read', [[server]], {'specification': {**spec('name', 'game_id', 'host', 'port', 'is_online', 'uptime_7d', 'uptime_24h', 'uptime_30d', 'peak_players_24h', 'outage_count'), 'stat_ids': {'fields': spec('bucket_start', 'polls', 'uptime_pct'), 'limit': 40, 'order': 'bucket_start desc'}, 'outage_ids': {'fields': spec('start', 'end', 'state'), 'limit': 40}}}))],
    'Outages list': list_view('game.server.outage', ['server_id', 'game_id', 'start', 'end', 'duration_display', 'reason', 'incident_id', 'state'], 'start desc, id desc'),
    'Host incidents list': list_view('game.server.incident', ['host', 'start', 'end', 'duration_display', 'server_count', 'servers_down_count', 'state'], 'start desc, id desc'),
    'Uptime graph (30 d by day x game)': group('game.server.game.stat', d30, [['bucket_start:day', 'game_id']], ['uptime_pct:avg']),
    'Uptime pivot (game x day)': group('game.server.game.stat', d30, [[], ['game_id'], ['bucket_start:day'], ['game_id', 'bucket_start:day']], ['uptime_pct:avg', 'polls:sum']),
    f'Players graph (24 h by {step[13:]} x game)': group('game.server.game.stat', d24, [[step, 'game_id']], ['players_peak:max']),
    f'Players pivot (game x {step[13:]})': group('game.server.game.stat', d24, [[], ['game_id'], [step], ['game_id', step]], ['players_peak:max', 'players_avg:avg']),
    'Per Server list (24 h)': list_view('game.server.stat', ['server_id', 'game_id', 'bucket_start', 'bucket_minutes', 'polls', 'polls_online', 'uptime_pct', 'players_avg', 'players_peak', 'latency_avg'], 'bucket_start desc, id desc', domain=d24),
    'Per Server pivot, on demand (game x day, 24 h)': group('game.server.stat', d24, [[], ['game_id'], ['bucket_start:day'], ['game_id', 'bucket_start:day']], ['uptime_pct:avg', 'players_peak:max']),
    'Server form button: one server, 30 d graph': group('game.server.stat', d30 + [('server_id', '=', server)], [['bucket_start:day']], ['uptime_pct:avg']),
    'Dashboard (one call)': [('dashboard_data', lambda: kw('game.server.dashboard', 'dashboard_data', []))],
    'SLA by Server list (this month, with an SLA)': list_view('game.server.sla.month', ['month', 'server_id', 'partner_id', 'policy_id', 'target_pct', 'uptime_pct', 'downtime_minutes', 'margin_minutes', 'outage_count', 'outage_minutes', 'longest_outage_minutes', 'state'], 'month desc, server_id', domain=[('is_current', '=', True), ('state', '!=', 'none')]),
    'SLA by Server pivot (customer x month)': group('game.server.sla.month', [], [[], ['partner_id'], ['month:month'], ['partner_id', 'month:month']], ['uptime_pct:avg', 'outage_minutes:sum', 'margin_minutes:min']),
    'SLA by Customer list (this month)': list_view('game.server.sla.customer', ['month', 'partner_id', 'server_count', 'breached_count', 'at_risk_count', 'uptime_pct', 'outage_count', 'outage_minutes', 'margin_minutes', 'state'], 'month desc, partner_id', domain=[('is_current', '=', True)]),
    'Notifications list': list_view('game.server.notify.delivery', ['create_date', 'event_id', 'channel_id', 'state', 'attempts', 'sent_at', 'last_error'], 'id desc'),
    'Before (1.2.0): uptime graph on per-server rows': group('game.server.stat', d30, [['bucket_start:day', 'game_id']], ['uptime_pct:avg']),
    'Before (1.2.0): uptime pivot on per-server rows': group('game.server.stat', d30, [[], ['game_id'], ['bucket_start:day'], ['game_id', 'bucket_start:day']], ['uptime_pct:avg', 'polls:sum']),
}
print(f'# {version} {db}: stat rows', kw('game.server.stat', 'search_count', [[]]), 'game rows', kw('game.server.game.stat', 'search_count', [[]]))
out = {}
for name, calls in views.items():
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _label, call in calls:
            call()
        runs.append((time.perf_counter() - t0) * 1000)
    out[name] = round(statistics.median(runs))
    print(f'{name:55s} {out[name]:7d} ms (median of 5; {len(calls)} call(s))', flush=True)
print(json.dumps({'version': version, 'db': db, 'ms': out}))
