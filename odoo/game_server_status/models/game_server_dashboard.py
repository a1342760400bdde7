"""The figures of the fleet dashboard (static/src/dashboard), in one call.

Each figure comes from the smallest rows that hold it: the live status from game.server (one row
per server), uptime from the hourly game rows, the month from game.server.sla.month (one row per
server), players at once from game.server.game.players (one row per game and bucket) and, for the
buckets since its last run, the detail rows. Everything but the players goes through the ORM's
read_group, so access rights and record rules apply; the players are read in SQL only after the
same rights are checked on their rows.
"""
from datetime import timedelta

from odoo import _, api, fields, models

from . import local_time, series

#: Games drawn one by one in the players chart; the others are added up as one line.
CHART_GAMES = 6
#: Servers in the least-used list.
LEAST_USED = 10


class GameServerDashboard(models.AbstractModel):
    _name = 'game.server.dashboard'
    _description = 'Game Server Dashboard'

    @api.model
    def dashboard_data(self):
        """Everything the dashboard shows (see the module docstring for where each comes from)."""
        return self._dashboard_data(fields.Datetime.now())

    @api.model
    def _dashboard_data(self, now):
        Settings = self.env['res.config.settings']
        zone = Settings._game_server_timezone()
        return {
            'fleet': self._fleet(),
            'games': self._games_now(),
            'uptime_30d': self._uptime(now - timedelta(days=30), Settings._uptime_excludes_maintenance()),
            'open_incidents': self.env['game.server.incident'].search_count([('state', '=', 'open')]),
            'open_outages': self.env['game.server.outage'].search_count([('state', '=', 'open')]),
            'sla': self._sla_now(),
            'players': self._players_by_hour(now, zone),
            'least_used': self._least_used(),
            'timezone': zone.key,
        }

    def _fleet(self):
        counts = {online: (count, players, slots) for online, count, players, slots in
                  self.env['game.server']._read_group(
                      [], ['is_online'], ['__count', 'players_online:sum', 'players_max:sum'])}
        online, players, slots = counts.get(True, (0, 0, 0))
        return {'servers': online + counts.get(False, (0, 0, 0))[0], 'online': online,
                'players': players or 0, 'slots': slots or 0}

    def _games_now(self):
        """Per game: servers online, players and slots now, and this month's average utilization."""
        month = {game.id: utilization for game, utilization in self.env['game.server.sla.month']._read_group(
            [('is_current', '=', True), ('game_id', '!=', False)], ['game_id'], ['utilization_pct:avg'])}
        games = [{'id': game.id, 'name': game.display_name, 'online': count, 'players': players or 0,
                  'slots': slots or 0, 'utilization_now': 100.0 * (players or 0) / slots if slots else 0.0,
                  'utilization_month': month.get(game.id, 0.0)}
                 for game, count, players, slots in self.env['game.server']._read_group(
                     [('is_online', '=', True), ('game_id', '!=', False)], ['game_id'],
                     ['__count', 'players_online:sum', 'players_max:sum'])]
        return sorted(games, key=lambda game: (-game['players'], game['name']))

    def _uptime(self, since, excludes_maintenance):
        fname = 'uptime_unplanned_pct' if excludes_maintenance else 'uptime_pct'
        GameStat = self.env['game.server.game.stat']
        ((polls, uptime),) = GameStat._read_group([('bucket_start', '>=', since)], [], ['polls:sum', fname + ':avg'])
        return uptime if polls else None

    def _sla_now(self):
        Month = self.env['game.server.sla.month']
        states = dict(Month._read_group([('is_current', '=', True), ('state', '!=', 'none')], ['state'],
                                        ['__count']))
        return {'measured': sum(states.values()), 'at_risk': states.get('at_risk', 0),
                'breached': states.get('breached', 0)}

    def _players_by_hour(self, now, zone):
        """Players online at once per game and hour over the last 24 hours, and today's peak (a
        day of the company's timezone). A bucket's players over its polls is what one server held
        on average during it; summed over the servers, what the fleet held at once. An hour is the
        average of its buckets; the peak is the highest bucket."""
        Players = self.env['game.server.game.players']
        series.check_read_access(Players)
        series.check_read_access(self.env['game.server.stat'])
        hours = [now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23 - i) for i in range(24)]
        today = local_time.day_start(now, zone)
        fleet, buckets = {}, {}
        for start, game_id, players in Players._since(min(hours[0], today)):
            if start >= today:
                fleet[start] = fleet.get(start, 0.0) + players
            hour = start.replace(minute=0, second=0)
            if hour >= hours[0]:
                buckets.setdefault(game_id, {}).setdefault(hour, []).append(players)
        by_game = {game_id: {hour: sum(values) / len(values) for hour, values in by_hour.items()}
                   for game_id, by_hour in buckets.items()}
        ranked = sorted(by_game, key=lambda game_id: (-sum(by_game[game_id].values()), game_id))
        shown = self.env['game.server.game'].browse(ranked[:CHART_GAMES])
        lines = [(game.display_name, [by_game[game.id]]) for game in shown]
        if ranked[CHART_GAMES:]:
            lines.append((_("Other games"), [by_game[game_id] for game_id in ranked[CHART_GAMES:]]))
        return {
            'hours': [fields.Datetime.to_string(hour) for hour in hours],
            'series': [{'name': name,
                        'values': [round(sum(game.get(hour, 0.0) for game in added), 1) for hour in hours]}
                       for name, added in lines],
            'peak_today': round(max(fleet.values()), 1) if fleet else 0.0,
        }

    def _least_used(self):
        months = self.env['game.server.sla.month'].search(
            [('is_current', '=', True), ('capacity', '>', 0), ('server_id.active', '=', True)],
            order='utilization_pct, players_avg, id', limit=LEAST_USED)
        return [{'id': month.server_id.id, 'name': month.server_id.display_name,
                 'game': month.game_id.display_name or '', 'customer': month.partner_id.display_name or '',
                 'players_avg': month.players_avg, 'slots': month.capacity,
                 'utilization_pct': month.utilization_pct} for month in months]
