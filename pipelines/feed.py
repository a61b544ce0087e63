from __future__ import annotations

from govlaw.closing import close_run
from govlaw.run import RunContext


class FeedPipeline:
    """Gather the run's copies by report; when the spider closes, hand them
    to govlaw.closing, which commits state and writes the feed."""

    def __init__(self, crawler, run: RunContext):
        self.crawler = crawler
        self.run = run
        self.copies: dict[str, list[dict]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, RunContext.of(crawler))

    def process_item(self, item, spider=None):
        copy = {k: v for k, v in dict(item).items() if k != "match_key"}
        self.copies.setdefault(item["id"], []).append(copy)
        return item

    def close_spider(self, spider=None):
        stats = self.crawler.stats
        try:
            summary = close_run(self.run, self.copies, stats.get_value("finish_reason"))
        finally:
            self.run.close()
        stats.set_value("govlaw/run_id", summary["run_id"])
        for kind, n in summary["changes"].items():
            stats.set_value(f"govlaw/changes/{kind}", n)
