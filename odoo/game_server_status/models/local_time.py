"""Days and months of the company's timezone, as naive UTC datetimes (what Odoo stores).

A local day is 23 or 25 hours long when the clocks change; a local month starts at its first
local midnight. Everything here goes through zoneinfo, so those lengths come out right.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo('UTC')


def to_utc(local_day, zone):
    """Naive UTC datetime of the local midnight starting ``local_day`` (a date) in ``zone``."""
    return datetime.combine(local_day, time(), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def local_date(moment, zone):
    """The date in ``zone`` of ``moment`` (naive UTC)."""
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def day_start(moment, zone, days=0):
    """Naive UTC start of the local day holding ``moment``, moved by ``days`` local days."""
    return to_utc(local_date(moment, zone) + timedelta(days=days), zone)


def month_of(moment, zone):
    """First day (a date) of the local month holding ``moment`` (naive UTC)."""
    return local_date(moment, zone).replace(day=1)


def next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month, zone):
    """(start, end) of the local month starting on ``month``, naive UTC: end - start is the
    month's real length, an hour more or less when the clocks change within it."""
    return to_utc(month, zone), to_utc(next_month(month), zone)
