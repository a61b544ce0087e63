"""Discovery: which links on a listing are documents, and how the listing pages on.

Each portal family is a module with `matches(page)` and `parse(page)`; the
generic link finder and the 下一页 follower apply to every HTML listing, so a
portal of an unknown family still gets walked.
"""
from govlaw.discovery.base import Entry, Follow, Listing, ListingPage
from govlaw.discovery.dispatch import parse_listing

__all__ = ["Entry", "Follow", "Listing", "ListingPage", "parse_listing"]
