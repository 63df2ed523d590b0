"""The permission tables, one module per app: see tests/test_permissions.py."""
