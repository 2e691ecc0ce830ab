"""API resources of the proposals app, one module per resource (the router is
negotiations/api_urls.py); negotiations.py and rounds.py extend the negotiation domain's
resources with what needs the proposals' statuses."""
