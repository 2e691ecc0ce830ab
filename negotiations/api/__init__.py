"""API machinery shared by every resource (renderers, errors, permissions, conditional
requests, pagination, filters, the resource viewset, schema, tokens). It imports no app;
the resources themselves live in each app: negotiations/resources/, parties/api.py,
proposals/api/. urls.py and changes.py are project-level: they know every app."""
