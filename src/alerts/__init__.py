"""Watchlists and alerts: what readers watch, what a run changed that they watch, and telling them.

`watches` makes watch records from what a person typed, `rules` matches a run's changes against
the watches (pure), `evaluate` reads the changes from the store and writes the alerts, `digest`
shapes webhook payloads, `delivery` sends pending alerts through dossier.ingest.webhook.
"""
