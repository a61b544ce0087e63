"""The pages of one document beyond the first: the later parts of an article
split over pages, and the attachments that hold a cover page's report.

Mixed into ReportsSpider: each part or file is requested in turn, carrying
what the first page gave, and the document is emitted once, whole.
"""
from __future__ import annotations

from scrapy.http import Request, TextResponse

from govlaw.extract import attachments as files
from govlaw.extract import reading as reading_of
from govlaw.extract.page import attachment_kind, join_parts, unread_report
from govlaw.extract.pool import ReadingFailed


class DocumentPartsMixin:
    """Uses the spider's extraction pool, _own, _emit, _reject, journal and _finish_document."""

    def _part_request(self, portal, asked, page, entry, first, parts, queue):
        """The next part of a split article; once none is left, the joined report."""
        if not queue:
            return None
        return Request(queue[0], callback=self.parse_part, errback=self.part_failed,
                       cb_kwargs={"portal": portal, "asked": asked, "page": page, "entry": entry, "first": first,
                                  "parts": parts, "queue": queue[1:]},
                       meta={"govlaw_portal": portal.id}, dont_filter=True)

    async def parse_part(self, response, portal, asked, page, entry, first, parts, queue):
        try:
            part = await self.extraction.read(
                reading_of.read_part, response.body, response.url, response.status,
                response.headers.get(b"Content-Type", b"").decode("latin-1"), isinstance(response, TextResponse),
                first.title)
        except ReadingFailed as exc:
            self.logger.warning("part of a split article not read (%s): %s (portal %s)", exc, response.url, portal.id)
            self.journal.count_reason(portal.id, f"part:{exc.reason}")
        else:
            if part.readable:
                parts = parts + [part.ex]
            else:
                self.journal.count_reason(portal.id, f"part:http:{response.status}")
        follow = self._part_request(portal, asked, page, entry, first, parts, queue)
        if follow is not None:
            yield follow
            return
        try:
            whole = await self.extraction.read(reading_of.join, first, parts)
        except ReadingFailed as exc:
            self.logger.warning("split article not joined (%s): %s (portal %s)", exc, asked, portal.id)
            self._reject(portal, asked, page, entry, exc.reason)
            return
        for out in self._finish_document(portal, asked, page, entry, whole.ex, whole.fingerprint):
            yield out

    def part_failed(self, failure):
        kw = failure.request.cb_kwargs
        self.journal.count_reason(kw["portal"].id, "part:download_failed")
        follow = self._part_request(kw["portal"], kw["asked"], kw["page"], kw["entry"], kw["first"], kw["parts"],
                                    kw["queue"])
        if follow is not None:
            return [follow]
        return list(self._finish_document(kw["portal"], kw["asked"], kw["page"], kw["entry"],
                                          join_parts(kw["first"], kw["parts"])))

    def _next_attachment(self, portal, asked, response, entry, ex, queue):
        """Read the page's attachments in order until one gives the body."""
        while queue:
            attachment = queue.pop(0)
            kind = attachment_kind(attachment)
            if kind and kind not in files.READABLE:
                # Named as another kind: not fetched. A file only its bytes can
                # name (a download script) is fetched, and its bytes decide.
                attachment["status"] = "unread: " + files.KNOWN_UNREADABLE.get(kind, "not a readable file type")
                continue
            if not self._own(portal, attachment["url"]):
                attachment["status"] = "unread: off-site address"
                continue
            yield Request(attachment["url"], callback=self.parse_attachment, errback=self.attachment_failed,
                          cb_kwargs={"portal": portal, "asked": asked, "page": response, "entry": entry, "ex": ex,
                                     "queue": queue, "attachment": attachment},
                          meta={"govlaw_portal": portal.id}, dont_filter=True)
            return
        yield from self._emit(portal, asked, response, entry, unread_report(ex))

    async def parse_attachment(self, response, portal, asked, page, entry, ex, queue, attachment):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        file_name = files.disposition_name(response.headers.get(b"Content-Disposition")) or None
        try:
            read = await self.extraction.read(reading_of.read_attachment, ex, response.body, attachment["url"],
                                              content_type, file_name)
        except ReadingFailed as exc:
            self.logger.warning("attachment not read (%s): %s (portal %s)", exc, attachment["url"], portal.id)
            attachment["status"] = f"unread: {exc}"
            read = None
        if read is not None:
            full = read.ex
            # The file's status (read, or why not) as the reading left it, on
            # this document's own attachment: a worker changed only its copy.
            attachment.update(next((a for a in full.attachments if a["url"] == attachment["url"]), {}))
            if full.body_source == "attachment":
                for out in self._emit(portal, asked, page, entry, full, read.fingerprint):
                    yield out
                return
        for out in self._next_attachment(portal, asked, page, entry, ex, queue):
            yield out

    def attachment_failed(self, failure):
        kw = failure.request.cb_kwargs
        kw["attachment"]["status"] = f"unread: download failed ({failure.getErrorMessage()})"
        return list(self._next_attachment(kw["portal"], kw["asked"], kw["page"], kw["entry"], kw["ex"], kw["queue"]))
