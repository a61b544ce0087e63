"""Where the state lives, as one setting: GOVLAW_STATE_URL.

    sqlite:///relative/state.sqlite      a file, relative to the working folder
    sqlite:////srv/govlaw/state.sqlite   an absolute path (four slashes)
    postgresql://govlaw@db.example:5432/govlaw   a PostgreSQL database several workers share

Unset, the state is <output>/state.sqlite (or GOVLAW_STATE_PATH, the older
setting, which names the file). Each backend implements the interface of
govlaw.state.base and passes tests/test_state_contract.py.
"""
from __future__ import annotations

from pathlib import Path

from govlaw.errors import GovlawError

BACKENDS = ("sqlite", "postgresql")


class StateURLError(GovlawError):
    """GOVLAW_STATE_URL cannot be used."""


def location(url: str):
    """What a GOVLAW_STATE_URL names: a file (Path) for sqlite:///PATH, the
    URL itself for postgresql://…; StateURLError for anything else."""
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        raise StateURLError(f"GOVLAW_STATE_URL={url} is not a URL; give sqlite:///PATH (e.g. "
                            "sqlite:////srv/govlaw/state.sqlite) or postgresql://USER@HOST:PORT/DATABASE")
    if scheme in ("postgresql", "postgres"):
        return url
    if scheme != "sqlite":
        raise StateURLError(f"GOVLAW_STATE_URL={url}: no {scheme} state in govlaw; it keeps its state in "
                            "sqlite (sqlite:///PATH) or postgresql (postgresql://USER@HOST:PORT/DATABASE)")
    if not rest.startswith("/") or rest == "/":
        raise StateURLError(f"GOVLAW_STATE_URL={url}: a sqlite URL is sqlite:///PATH (three slashes, then the path)")
    return Path(rest[1:])


def state_location(settings, output_dir):
    """The state a run uses: GOVLAW_STATE_URL, else the file
    GOVLAW_STATE_PATH names, else <output>/state.sqlite."""
    url = settings.get("GOVLAW_STATE_URL")
    if url:
        return location(str(url))
    if settings.get("GOVLAW_STATE_PATH"):
        return Path(settings.get("GOVLAW_STATE_PATH"))
    return Path(output_dir) / "state.sqlite"
