from . import test_project_followup
