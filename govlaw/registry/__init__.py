"""Registries of governments: the starter registry of report columns
(starter.yaml) and the national registry of every government (national.jsonl,
built by `python -m govlaw.registry.build` from the files in data/)."""
from govlaw.registry.lookup import (LEVELS, Entry, Match, Registry, load, match_publisher, read,
                                    resolve_publisher)

__all__ = ["LEVELS", "Entry", "Match", "Registry", "load", "match_publisher", "read", "resolve_publisher"]
