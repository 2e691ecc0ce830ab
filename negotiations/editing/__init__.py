"""The editor pages (/edit/): record a round's outcome in one flow, edit what it created,
see who changed what. Views only translate forms into calls of the services
(*/services.py); every rule lives there."""
