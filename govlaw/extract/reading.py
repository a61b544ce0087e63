"""The reading of a response, as one call an extraction worker makes.

Everything CPU-bound between a page's bytes and its draft report — decoding,
the blocked-page check, the DOM, the body, the metadata, a file's text, and
the fingerprint later stages compare the text by — happens in these
functions, so that govlaw.extract.pool can run them in another process.
What they take and give is small and picklable: bytes, strings and
dataclasses in; a Reading out. No Scrapy here: the spider keeps the
decisions about requests, the journal and the items.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from govlaw.dedupe import fingerprint
from govlaw.extract import attachments as files
from govlaw.extract.blocked import classify as blocked_page
from govlaw.extract.html import decode
from govlaw.extract.page import Extraction, Hints, extract_file, extract_html, join_parts, with_attachment
from govlaw.extract.split import continuation_urls


@dataclass
class Reading:
    ex: Extraction | None = None       # the draft report, when the page was read
    blocked: str | None = None         # blocked_page's reason (WAF, soft 404…), when it is not the page
    readable: bool = True              # False: neither a file nor text (nothing to read)
    more: list[str] = field(default_factory=list)  # the article's later pages, to be read before it is whole
    fingerprint: dict | None = None    # govlaw.dedupe.fingerprint of a finished report's body


def _finished(reading: Reading) -> Reading:
    """A report whose text is final carries its fingerprint: the hash, match
    key and signature are made once, here, not again in the pipelines."""
    ex = reading.ex
    if ex is not None and ex.is_report and ex.body and not reading.more and ex.reason != "attachment:pending":
        reading.fingerprint = fingerprint(ex.body)
    return reading


def _text(body: bytes, content_type: str, is_text: bool) -> str | None:
    """The page decoded by govlaw's rules rather than Scrapy's: a GBK page
    under a header that says UTF-8 must still read as GBK."""
    return decode(body, content_type)[0] if is_text else None


def read_document(body: bytes, url: str, status: int, content_type: str, disposition: bytes | None,
                  is_text: bool, hints: Hints) -> Reading:
    """A listing entry's page: not the page (blocked, an error status), a
    file, or an HTML page, perhaps the first of an article split over pages."""
    text = _text(body, content_type, is_text)
    blocked = blocked_page(status, text) if text is not None else None
    if blocked or status >= 400:
        return Reading(blocked=blocked)
    # Bytes say what a file is; servers' Content-Type often does not.
    file_name = files.disposition_name(disposition)
    if files.sniff(body, file_name or url) is not None:  # the entry is the file itself
        return _finished(Reading(extract_file(body, url, content_type, hints, file_name=file_name or None)))
    if text is None:
        return Reading(readable=False)
    return _finished(Reading(extract_html(text, url, hints=hints), more=continuation_urls(text, url)))


def read_part(body: bytes, url: str, status: int, content_type: str, is_text: bool, title: str | None) -> Reading:
    """A later page of a split article (None when it cannot be read)."""
    text = _text(body, content_type, is_text)
    if text is None or status >= 400:
        return Reading(readable=False)
    return Reading(extract_html(text, url, hints=Hints(listing_title=title)))


def join(first: Extraction, parts: list[Extraction]) -> Reading:
    """The split article whole."""
    return _finished(Reading(join_parts(first, parts)))


def read_attachment(ex: Extraction, data: bytes, url: str, content_type: str, file_name: str | None) -> Reading:
    """A cover page's report read from one of its files. The attachment's
    status (read, or why not) comes back on the returned extraction's
    attachments, which the caller copies onto its own."""
    return _finished(Reading(with_attachment(ex, data, url, content_type, file_name=file_name)))
