"""The conditions notification rules watch besides outages: players over or under a level, a
full server, a new version, a slow answer.

Each condition is told once when it starts to hold (an edge), never while it goes on holding.
Three compare a report with the one before it (players at or above a level, full, version
changed); two must hold for a while first (players at or below a level for N minutes, latency
above a level for N polls), and keep that run's state in game.server.watch, one row per server
and condition while it holds, written when the run starts, when it is told, and removed when it
ends, so a fleet whose servers are quiet costs no writes.

A condition is identified by its key ('players_high:20', 'latency_high:250:3', ...): two rules
with the same condition share one event, and each rule routes only the events of its own
conditions. An event's cause is the condition's key, the server and the report's time, so a
replayed batch (which applies nothing) makes none twice.
"""
from odoo import _, fields, models

#: Conditions whose key carries no parameter.
FULL = 'server_full'
VERSION = 'version_changed'
#: Conditions that hold for a while before they are told, with their run kept in game.server.watch.
LASTING = ('players_low', 'latency_high')


def condition_key(kind, *params):
    return ':'.join([kind, *(str(int(param)) for param in params)])


def _parse_key(key):
    kind, *params = key.split(':')
    return kind, [int(param) for param in params]


class GameServerWatch(models.Model):
    _name = 'game.server.watch'
    _description = 'Game Server Watched Condition'
    _log_access = False

    server_id = fields.Many2one('game.server', required=True, index=True, ondelete='cascade')
    key = fields.Char(required=True, help="The condition, e.g. 'players_low:0:30' (at most 0 players for 30 minutes).")
    since = fields.Datetime(required=True, help="Check time of the first report of the run.")
    polls = fields.Integer(help="Reports of the run so far, counted until it is told.")
    told = fields.Boolean(help="The run has been told; nothing more until it ends.")

    def init(self):
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS game_server_watch_server_key_uniq ON game_server_watch (server_id, key)
        """)

    def _events(self, folds, rules):
        """The events of the watched conditions in the applied reports of ``folds``, oldest first per
        server, with the runs of lasting conditions brought up to date.

        :param folds: the servers' folds (game_server._ServerFold) with their applied reports
        :param rules: the active rules watching a condition
        :return: game.server.event values
        """
        keys_by_server = {}
        rule_keys = {rule: rule._condition_keys() for rule in rules}
        for fold in folds:
            keys = set()
            for rule, watched in rule_keys.items():
                if rule._covers(fold.server):
                    keys.update(watched)
            if keys:
                keys_by_server[fold.server.id] = keys
        if not keys_by_server:
            return []
        rows = self.search([('server_id', 'in', list(keys_by_server))])
        runs = {(row.server_id.id, row.key): row for row in rows}
        # Runs of a condition no rule watches for the server any more (a rule changed or removed).
        events, created, ended = [], [], rows.filtered(lambda row: row.key not in keys_by_server[row.server_id.id])
        for fold in folds:
            keys = keys_by_server.get(fold.server.id)
            if not keys:
                continue
            for key in sorted(keys):
                kind, params = _parse_key(key)
                if kind in LASTING:
                    run = runs.get((fold.server.id, key))
                    state = ({'since': run.since, 'polls': run.polls, 'told': run.told} if run else None)
                    told, state = self._follow_run(fold, kind, params, state, key)
                    events += told
                    if state is None and run:
                        ended |= run
                    elif state is not None and run:
                        if (state['since'], state['polls'], state['told']) != (run.since, run.polls, run.told):
                            run.write(state)
                    elif state is not None:
                        created.append(dict(state, server_id=fold.server.id, key=key))
                else:
                    events += self._edges(fold, kind, params, key)
        ended.unlink()
        self.create(created)
        return events

    def _follow_run(self, fold, kind, params, state, key):
        """Follow a lasting condition through the fold's reports: (events, the run's state or None)."""
        events = []
        for report in fold.reports:
            if kind == 'players_low':
                threshold, minutes = params
                holds = report['online'] and report['players_online'] <= threshold
            else:
                threshold, minutes = params[0], None
                holds = report['online'] and report['latency_ms'] > threshold
            if not holds:
                state = None
                continue
            if state is None:
                state = {'since': report['checked_at'], 'polls': 0, 'told': False}
            if state['told']:
                continue
            state['polls'] += 1
            due = ((report['checked_at'] - state['since']).total_seconds() >= minutes * 60 if minutes is not None
                   else state['polls'] >= params[1])
            if due:
                state['told'] = True
                events.append(self._event_values(fold, report, kind, key, params, state['since'], state['polls']))
        return events, state

    def _edges(self, fold, kind, params, key):
        """Events where a condition compared with the report before starts to hold."""
        events = []
        previous = fold.before
        for report in fold.reports:
            if report['online']:
                if kind == VERSION:
                    if report['version'] and previous['version'] and report['version'] != previous['version']:
                        events.append(self._event_values(fold, report, kind, key, params,
                                                         previous_version=previous['version']))
                elif self._holds(kind, params, report) and not (previous['online']
                                                                and self._holds(kind, params, previous)):
                    events.append(self._event_values(fold, report, kind, key, params))
            previous = {'online': report['online'], 'players_online': report['players_online'],
                        'players_max': report['players_max'],
                        'version': (report['version'] or previous['version']) if report['online'] else previous['version']}
        return events

    @staticmethod
    def _holds(kind, params, values):
        if kind == FULL:
            return values['players_max'] > 0 and values['players_online'] >= values['players_max']
        return values['players_online'] >= params[0]

    def _event_values(self, fold, report, kind, key, params, since=None, polls=None, previous_version=None):
        server = fold.server
        players, players_max = report['players_online'], report['players_max']
        condition = {'key': key, 'players_online': players, 'players_max': players_max,
                     'latency_ms': int(round(report['latency_ms'])), 'version': report['version'] or None}
        if kind == 'players_high':
            condition['threshold'] = params[0]
            summary = _("%(server)s has %(players)s players (at or above %(threshold)s)",
                        server=server.name, players=players, threshold=params[0])
        elif kind == FULL:
            summary = _("%(server)s is full (%(players)s/%(max)s)", server=server.name, players=players,
                        max=players_max)
        elif kind == VERSION:
            condition['previous_version'] = previous_version
            summary = _("%(server)s changed version: %(old)s → %(new)s", server=server.name,
                        old=previous_version, new=report['version'])
        elif kind == 'players_low':
            condition.update(threshold=params[0], minutes=params[1], since=fields.Datetime.to_string(since))
            summary = _("%(server)s has had at most %(threshold)s players for %(minutes)s minutes",
                        server=server.name, threshold=params[0], minutes=params[1])
        else:
            condition.update(threshold_ms=params[0], polls=polls, since=fields.Datetime.to_string(since))
            summary = _("%(server)s answers slowly: %(latency)s ms, above %(threshold)s ms for %(polls)s polls",
                        server=server.name, latency=condition['latency_ms'], threshold=params[0], polls=polls)
        payload = {'server': dict(server._event_payload(), players_online=players, players_max=players_max),
                   'condition': condition}
        return {'kind': kind, 'at': report['checked_at'], 'summary': summary, 'server_id': server.id,
                'cause': '%s:%s:%s' % (key, server.id, int(report['report_ms'])), 'payload': payload}
