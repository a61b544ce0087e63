from __future__ import annotations

from scrapy import signals

from govlaw.closing import close_run
from govlaw.run import RunContext


class FeedPipeline:
    """Gather the run's copies by report. When the spider has closed (the
    spider_closed signal carries why: finished, shutdown, …), hand them to
    govlaw.closing, which commits the state and writes the feed."""

    def __init__(self, crawler, run: RunContext):
        self.crawler = crawler
        self.run = run
        self.copies: dict[str, list[dict]] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, RunContext.of(crawler))

    def process_item(self, item, spider=None):
        copy = {k: v for k, v in dict(item).items() if k != "match_key"}
        self.copies.setdefault(item["id"], []).append(copy)
        return item

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats
        try:
            summary = close_run(self.run, self.copies, reason)
        finally:
            self.run.close()
        stats.set_value("govlaw/run_id", summary["run_id"])
        for kind, n in summary["changes"].items():
            stats.set_value(f"govlaw/changes/{kind}", n)
