"""Analyst pages. Every page shows statuses or positions, so all of them live here, above
the negotiation and party domains they also read (proposals -> negotiations -> parties):
home, negotiation and round pages (negotiations.py), proposal, comparison and term pages
(proposals.py), the party page (parties.py); search.py and feeds.py beside this package."""
