"""Pick the family that knows a listing page; fall back to generic reading."""
from __future__ import annotations

from govlaw.discovery import gkmlpt, hanweb, jpaas, trs, ucap
from govlaw.discovery.base import Listing, ListingPage
from govlaw.discovery.links import find_entries
from govlaw.discovery.nextpage import next_pages

# Order matters where two could claim a page: UCAP's six-argument pager before TRS's four-argument one.
FAMILIES = {"hanweb": hanweb, "gkmlpt": gkmlpt, "jpaas": jpaas, "ucap": ucap, "trs": trs}


def parse_listing(page: ListingPage, template: str = "auto", max_pages: int = 200) -> Listing:
    """Documents and further pages of one listing page. `template` names a
    family to force; `auto` asks each family whether it knows the page."""
    family = FAMILIES.get(template)
    if family is None:
        family = next((f for f in FAMILIES.values() if f.matches(page)), None)
    if family is not None:
        listing = family.parse(page, max_pages)
    else:
        listing = Listing(entries=find_entries(page.text, page.url))
    if page.kind == "html" and not listing.follow and (family is None or family is trs):
        listing.follow.extend(next_pages(page.text, page.url, max_pages))
    return listing
