"""What differs between Odoo 17.0, 18.0 and 19.0 outside views, in one place.

Each helper tests for the feature itself (a field, an attribute, a return
shape), never for a version number, so a series that backports or drops a
feature still gets the right branch. The views that differ live in
``series_views.py``.
"""
from odoo import fields


def aggregator(function):
    """Keyword argument that sets a field's read_group aggregate.

    17 knows only ``group_operator``; 18 renamed it ``aggregator`` (keeping
    ``group_operator`` as a deprecated alias that warns) and 17 silently
    ignores ``aggregator``.
    """
    if hasattr(fields.Field, 'aggregator'):
        return {'aggregator': function}
    return {'group_operator': function}


def read_group_select(terms, combine):
    """Combine ``_read_group_select`` results into one aggregate.

    ``_read_group_select`` returns ``(SQL, [field names])`` on 17 and the SQL
    alone on 18+; ``combine`` takes the SQL expressions and builds the SQL of
    the new aggregate, returned in the same shape as the series' own.
    """
    if isinstance(terms[0], tuple):
        return combine(*(sql for sql, _names in terms)), [name for _sql, names in terms for name in names]
    return combine(*terms)


def keep_cron_repeating(cron):
    """Make an ir.cron run forever on every series.

    On 17 ``numbercall`` defaults to 1: the job runs once, then deactivates
    itself. 18 removed the field (and ``doall``): jobs always repeat, and XML
    data naming it fails to load there. So it cannot be set in the data file.
    """
    if 'numbercall' in cron._fields:
        cron.write({'numbercall': -1})


def check_read_access(model):
    """Raise AccessError unless the user may read ``model``'s records (its access rights; on 18+
    its record rules too, which an empty recordset always passes).

    17 has only ``check_access_rights``; 18 added ``check_access`` and deprecated the former
    (19 removed it).
    """
    if hasattr(model, 'check_access'):
        model.check_access('read')
    else:
        model.check_access_rights('read')
