from __future__ import annotations

from govlaw.dedupe import IdentityIndex
from govlaw.run import RunContext
from govlaw.signals import portal_finished


class DedupePipeline:
    """Give every copy the id of the report it is: known address, same
    content, or near-duplicate body of the same year."""

    def __init__(self, run: RunContext):
        self.index = IdentityIndex(run.store)

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(RunContext.of(crawler))
        crawler.signals.connect(pipeline.portal_finished, signal=portal_finished)
        return pipeline

    def portal_finished(self, report_ids=()):
        self.index.forget(report_ids)

    def process_item(self, item, spider=None):
        item["id"] = self.index.resolve(item["url"], item["content_hash"], item["match_key"], item.get("report_year"),
                                        item.get("signature"), item.get("shingle_count"))
        return item
