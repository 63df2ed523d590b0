"""Rows in bulk for tests/test_query_counts.py."""
