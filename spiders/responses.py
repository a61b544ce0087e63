"""What govlaw reads off a response besides its text's contents: the page
decoded by govlaw's rules, the address asked for and the one to keep, the
validators for the next run's conditional request, a column that moved away."""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.http import TextResponse

from govlaw.extract.html import decode


def page_text(response) -> str | None:
    """A text response decoded once, by govlaw's rules rather than Scrapy's:
    a GBK page under a header that says UTF-8 must still read as GBK."""
    if not isinstance(response, TextResponse):
        return None
    return decode(response.body, response.headers.get(b"Content-Type", b"").decode("latin-1"))[0]


def with_fragment(response) -> str:
    """The page's address with the fragment it was asked with: servers never
    see a fragment, but some columns are named by one (gkmlpt's #<catid>)."""
    fragment = urlsplit(response.request.url).fragment if response.request is not None else ""
    if fragment and not urlsplit(response.url).fragment:
        return f"{response.url}#{fragment}"
    return response.url


def moved_elsewhere(response) -> bool:
    """A listing address redirected to another site or to a home page: the
    column is gone, whatever the new page says."""
    asked = (response.meta.get("redirect_urls") or [None])[0]
    if asked is None:
        return False
    before, after = urlsplit(asked), urlsplit(response.url)
    return before.netloc != after.netloc or after.path.rstrip("/") in ("", "/index.html", "/index.htm", "/index.shtml")


def asked_url(response) -> str:
    """The address we asked for, before any redirect: validators belong to it."""
    return (response.meta.get("redirect_urls") or [response.url])[0]


def validators(response) -> tuple[str | None, str | None]:
    etag = response.headers.get(b"ETag")
    modified = response.headers.get(b"Last-Modified")
    return (etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None)
