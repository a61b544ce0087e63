from __future__ import annotations

import logging

from scrapy import signals

from govlaw import feed, records
from govlaw.run import RunContext, utc_now

logger = logging.getLogger(__name__)


class FeedPipeline:
    """Gather the run's copies by report; when the spider closes, merge them,
    commit records and change lines to the state in one transaction, then
    write the snapshot, this run's change file and the Atom feed."""

    def __init__(self, crawler, run: RunContext):
        self.crawler = crawler
        self.run = run
        self.copies: dict[str, list[dict]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, RunContext.of(crawler))

    def process_item(self, item, spider=None):
        copy = {k: v for k, v in dict(item).items() if k != "folded"}
        self.copies.setdefault(item["id"], []).append(copy)
        return item

    def close_spider(self, spider=None):
        reason = getattr(self.crawler.stats, "get_value", lambda *a: None)("finish_reason")
        seen_at = utc_now()
        out_records, changes = [], []
        for rid in sorted(self.copies):
            record, change = records.merge(self.copies[rid], self.run.store.get(rid), seen_at)
            out_records.append(record)
            if change:
                changes.append(records.change_line(record, change, self.run.run_id, seen_at))
        self.run.store.commit_run(self.run.run_id, out_records, changes, seen_at)
        feed.export(self.run.store, self.run.output_dir)
        counts = {c: sum(1 for x in changes if x["change"] == c) for c in ("new", "updated", "withdrawn")}
        logger.info("run %s: %d reports seen, %s; feed written to %s (finish reason: %s)", self.run.run_id,
                    len(out_records), ", ".join(f"{v} {k}" for k, v in counts.items()), self.run.output_dir, reason)
        self.crawler.stats.set_value("govlaw/run_id", self.run.run_id)
        for k, v in counts.items():
            self.crawler.stats.set_value(f"govlaw/changes/{k}", v)
        self.run.close()
