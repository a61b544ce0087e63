"""Data passed between a listing page and the spider."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """A document linked from a listing."""
    url: str
    title: str = ""
    date: str | None = None  # ISO date shown next to the link


@dataclass(frozen=True)
class Follow:
    """A further listing request: another page, an API page, a POST."""
    url: str
    method: str = "GET"
    formdata: tuple = ()  # ((name, value), ...) for POST forms
    kind: str = "html"    # html | xml | json: how to read the answer
    page: int | None = None


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    follow: list[Follow] = field(default_factory=list)
    family: str = "generic"


@dataclass
class ListingPage:
    """What discovery reads: the answer to a listing request."""
    url: str
    text: str
    kind: str = "html"
    page: int | None = None  # which page of the listing this is, when known
