from __future__ import annotations

from scrapy.exceptions import DropItem

from govlaw import normalize
from govlaw.dedupe import canonical_url, fingerprint


class NormalizePipeline:
    """Apply the one normalization policy to an extracted report, and compute
    the content fingerprint every later stage compares."""

    def process_item(self, item, spider=None):
        if not item.get("body") and item.get("body_source") != "none":
            raise DropItem(f"no body text: {item.get('url')}")
        item["url"] = canonical_url(item["url"])
        item["publisher"] = normalize.publisher_name(item.get("publisher"))
        item["doc_number"] = normalize.doc_number(item.get("doc_number")) or None
        # The publisher's government in the national registry decides, with the
        # portal's region as the context for names several governments share.
        item["region_code"], item["admin_level"] = normalize.region_and_level(
            item["publisher"], normalize.region_code(item.get("region_code")),
            context=normalize.region_code(item.get("portal_region")))
        for key in ("publish_date", "signed_date"):
            item[key] = normalize.iso(normalize.parse_date(item.get(key)))
        if item["body"]:
            # Hash, match key and signature of the body: carried from where
            # the page was read, made here only for an item that lacks them.
            if item.get("match_key") is None or item.get("content_hash") is None:
                item.update(fingerprint(item["body"]))
        else:
            # Text unread (a .doc or a scan): the report is known by its title
            # and its files, so two such reports never share a hash.
            files = " ".join(sorted(a["url"] for a in item.get("attachments") or []))
            item["content_hash"] = normalize.content_hash(f"{item.get('title') or ''}\n{files}")
            item.update(match_key="", signature=None, shingle_count=None)
        return item
