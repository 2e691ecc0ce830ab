"""Operations: health and readiness probes, request logs, backup export and import.
Project-level: these may look at every app."""
