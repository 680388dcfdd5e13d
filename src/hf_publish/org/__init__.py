"""Org-level commands: access requests, members, moves (and the org audit)."""
