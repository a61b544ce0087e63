"""Pages have a size; a page far beyond any report's is refused unread.

Reports run 3,000–40,000 characters, their pages a few hundred kilobytes
(more with images pasted in as data: URLs). A 50 MB page once took 89 s and
900 MB of memory to read, and its 16.6-million-character body, which held a
real report among its filler, took over that report's record. So:

* a response whose Content-Type is a page (HTML, XML, JSON, plain text, or
  none at all) is cancelled as soon as its Content-Length, or the bytes
  actually received, pass GOVLAW_MAX_PAGE_BYTES — memory per page stays
  bounded by the cap, and nothing of the page is parsed;
* files (PDF, DOCX, OFD, …) keep Scrapy's DOWNLOAD_MAXSIZE, which is larger:
  attachments are read through their own caps (govlaw.extract.attachments);
* a page that passes but whose report text is longer than
  GOVLAW_MAX_PAGE_CHARS is refused after extraction (`page_too_long`).

Either way the run summary counts it under not_read as `page:too_large`.
0 turns a cap off.
"""
from __future__ import annotations

import weakref

from scrapy import signals
from scrapy.exceptions import StopDownload

REASON = "page:too_large"
DEFAULT_BYTES = 4 * 1024 * 1024
DEFAULT_CHARS = 400_000
_FILE_TYPES = ("application/pdf", "application/msword", "application/vnd.", "application/octet-stream",
               "application/zip", "application/ofd", "application/x-", "image/", "audio/", "video/")


def is_page_type(content_type: str) -> bool:
    ctype = content_type.split(";", 1)[0].strip().lower()
    return not ctype.startswith(_FILE_TYPES)


class PageTooLarge(StopDownload):
    """A page cancelled at its cap; `size` is what was announced or received."""

    def __init__(self, size: int, cap: int, expected: bool):
        super().__init__(fail=True)
        self.size, self.cap, self.expected = size, cap, expected

    def __str__(self) -> str:
        said = "announced" if self.expected else "received over"
        return f"page {said} {self.size} bytes, over the {self.cap}-byte page cap"


class PageCap:
    """Installed by the spider (`PageCap.install(crawler)`); watches every
    download's headers and bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.counting: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # request → bytes so far

    @classmethod
    def install(cls, crawler) -> "PageCap":
        cap = cls(crawler.settings.getint("GOVLAW_MAX_PAGE_BYTES", DEFAULT_BYTES))
        if cap.max_bytes > 0:
            crawler.signals.connect(cap.headers_received, signal=signals.headers_received)
            crawler.signals.connect(cap.bytes_received, signal=signals.bytes_received)
        return cap

    def _is_page(self, headers) -> bool:
        if b"filename" in (headers.get(b"Content-Disposition") or b"").lower():
            return False  # a download, whatever its Content-Type says
        return is_page_type((headers.get(b"Content-Type") or b"").decode("latin-1"))

    def over(self, response) -> bool:
        """A page whose body, as handed to the spider (decompressed), is over the cap."""
        return self.max_bytes > 0 and len(response.body) > self.max_bytes and self._is_page(response.headers)

    def headers_received(self, headers, body_length, request, spider):
        if not self._is_page(headers):
            return
        if isinstance(body_length, int) and body_length > self.max_bytes:
            raise PageTooLarge(body_length, self.max_bytes, expected=True)
        self.counting[request] = 0

    def bytes_received(self, data, request, spider):
        if request not in self.counting:
            return
        self.counting[request] += len(data)
        if self.counting[request] > self.max_bytes:
            size = self.counting.pop(request)
            raise PageTooLarge(size, self.max_bytes, expected=False)


def too_large(failure) -> PageTooLarge | None:
    """The PageTooLarge a failed download carries, if that is why it failed."""
    value = getattr(failure, "value", None)
    return value if isinstance(value, PageTooLarge) else None
