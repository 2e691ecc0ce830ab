"""Machinery shared by every app and imported by all of them: optimistic versioning,
the admin base, roles and page access, accounts, CSV exports, chart geometry. It imports no
app."""
