"""API machinery shared by every resource (renderers, errors, permissions, conditional
requests, pagination, filters, the resource viewset, schema, tokens). It imports no app;
the resources themselves live in each app: negotiations/resources/, parties/api.py,
proposals/api/; the router is negotiations/api_urls.py."""
