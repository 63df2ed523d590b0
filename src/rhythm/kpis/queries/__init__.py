"""The KPIs' aggregate queries, one module per area of the records they read."""
