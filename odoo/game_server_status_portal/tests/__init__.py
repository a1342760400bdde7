from . import test_portal_isolation
