from __future__ import annotations

from govlaw.dedupe import IdentityIndex
from govlaw.run import RunContext


class DedupePipeline:
    """Give every copy the id of the report it is: known address, same
    content, or near-duplicate body of the same year."""

    def __init__(self, run: RunContext):
        self.index = IdentityIndex(run.store)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(RunContext.of(crawler))

    def process_item(self, item, spider=None):
        item["id"] = self.index.resolve(item["url"], item["content_hash"], item["match_key"], item.get("report_year"))
        return item
