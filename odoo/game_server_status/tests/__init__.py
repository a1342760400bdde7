from . import test_apply_status_reports
