"""The contract every state backend keeps (govlaw.state.base): run against
each backend of govlaw.state.url.BACKENDS, through the interface only."""
from __future__ import annotations

import pytest

from govlaw.dedupe import address_key, fingerprint
from govlaw.incremental import PageRecord
from govlaw.state.url import BACKENDS

TEXT_A = "一、主要举措和成效\n\n" + "县人民政府坚持依法行政，全面推进法治政府建设，" * 12
TEXT_A2 = TEXT_A + "\n\n二、存在的不足和原因\n\n执法队伍专业化水平有待提高。"
TEXT_B = "一、主要举措和成效\n\n" + "区司法局围绕行政复议体制改革开展了大量工作，案件办理质效持续提升。" * 12


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """A fresh, empty state of each backend."""
    if request.param == "sqlite":
        from govlaw.state.sqlite import SQLiteStore
        s = SQLiteStore(tmp_path / "state.sqlite")
    else:
        from govlaw.state.postgres import PostgresStore
        from tests.servers import new_database
        s = PostgresStore(new_database(request.getfixturevalue("postgres"),
                                       f"contract_{abs(hash(request.node.name)) % 10**8}"))
    yield s
    s.close()


def record(rid: str, body: str, version: int = 1, year: int = 2024, urls=("http://gov.example/a.html",),
           portal: str = "p1", withdrawn: bool = False) -> dict:
    fp = fingerprint(body)
    return {"id": rid, "title": f"标题{rid}", "report_year": year, "body": body, "content_hash": fp["content_hash"],
            "version": version, "url": urls[0], "urls": list(urls), "portal": portal,
            "first_seen": "2025-01-01T00:00:00Z", "last_seen": "2025-01-01T00:00:00Z", "withdrawn": withdrawn,
            "history": []}


def line(rec: dict, change: str, run_id: str) -> dict:
    return {"id": rec["id"], "change": change, "run_id": run_id, "at": "2025-01-01T00:00:00Z",
            "title": rec["title"], "version": rec["version"]}


def commit(store, run_id, portal, records, changes=(), **kw):
    store.commit_portal(run_id, portal, list(records), list(changes), "2025-01-01T00:00:00Z", **kw)


def test_identity_by_address_hash_and_near_duplicate_bands(store):
    store.begin_run("r1", "2025-01-01T00:00:00Z")
    a = record("a", TEXT_A)
    commit(store, "r1", "p1", [a], [line(a, "new", "r1")])
    assert store.report_for_url(address_key("http://gov.example/a.html")) == "a"
    assert store.report_for_url(address_key("http://gov.example/other.html")) is None
    assert store.report_for_hash(a["content_hash"]) == "a"
    assert store.match_key_of("a") == fingerprint(TEXT_A)["match_key"]
    near = fingerprint(TEXT_A2)["signature"]
    assert [c[0] for c in store.near_candidates(near, 2024)] == ["a"]
    assert [c[0] for c in store.near_candidates(near, None)] == ["a"]
    assert store.near_candidates(near, 2023) == []
    rid, sig, count = store.near_candidates(near, 2024)[0]
    assert (sig, count) == (fingerprint(TEXT_A)["signature"], fingerprint(TEXT_A)["shingle_count"])
    # A new text replaces the report's bands: the old text's signature finds
    # it no more, the new one does.
    b = record("a", TEXT_B, version=2)
    commit(store, "r1", "p1", [b])
    assert [c[0] for c in store.near_candidates(fingerprint(TEXT_B)["signature"], 2024)] == ["a"]
    assert store.near_candidates(fingerprint(TEXT_A)["signature"], 2024) == []


def test_records_and_versions_keep_their_texts(store):
    store.begin_run("r1", "2025-01-01T00:00:00Z")
    commit(store, "r1", "p1", [record("a", TEXT_A), record("b", TEXT_B, urls=("http://gov.example/b.html",))])
    commit(store, "r1", "p1", [record("a", TEXT_A2, version=2)])
    assert store.get("a")["body"] == TEXT_A2
    assert store.get("missing") is None
    assert [r["id"] for r in store.all_reports()] == ["a", "b"]
    assert [(v["version"], v["body"]) for v in store.versions_of("a")] == [(1, TEXT_A), (2, TEXT_A2)]
    assert store.report_count() == 2
    # A version made again within its run is replaced, not added.
    commit(store, "r1", "p1", [record("a", TEXT_B, version=2)], replace_versions={"a"})
    assert [(v["version"], v["body"]) for v in store.versions_of("a")] == [(1, TEXT_A), (2, TEXT_B)]


def test_a_run_keeps_one_change_line_per_report_in_one_order(store):
    store.begin_run("r1", "2025-01-01T00:00:00Z")
    b, a = record("b", TEXT_B, urls=("http://gov.example/b.html",)), record("a", TEXT_A)
    commit(store, "r1", "p2", [b], [line(b, "new", "r1")], summary={"new": 1})
    commit(store, "r1", "p1", [a], [line(a, "new", "r1")], summary={"new": 1})
    assert store.run_change("r1", "a")["change"] == "new"
    commit(store, "r1", "p3", [a], [dict(line(a, "new", "r1"), title="better")], summary={"new": 0})
    assert [(c["id"], c.get("title")) for c in store.changes_of("r1")] == [("a", "better"), ("b", "标题b")]
    assert store.run_change_counts("r1") == {"new": 2, "updated": 0, "withdrawn": 0}
    assert store.committed_portals("r1") == {"p1", "p2", "p3"}
    assert store.portal_committed("r1", "p2") and not store.portal_committed("r1", "p4")
    assert store.unfinished_run() == ("r1", "2025-01-01T00:00:00Z")
    assert store.unexported_runs() == []
    store.finish_run("r1", [], [], "2025-01-01T01:00:00Z")
    assert store.unfinished_run() is None
    assert store.unexported_runs() == ["r1"]
    store.mark_exported("r1")
    assert store.unexported_runs() == []
    assert store.later_run("r1") and not store.later_run("r2")


def test_withdrawals_need_evidence_of_absence_at_every_address(store):
    store.begin_run("r1", "2025-01-01T00:00:00Z")
    two = ("http://gov.example/x.html", "http://other.example/x.html")
    for rid, body in (("gone_both", TEXT_A), ("gone_one", TEXT_B), ("present", TEXT_A2)):
        urls = tuple(u.replace("x.html", f"{rid}.html") for u in two)
        commit(store, "r1", None, [record(rid, body, urls=urls)])
        store.commit_portal("r1", None, [], [], "t", addresses=[(address_key(urls[0]), rid, "p1"),
                                                                  (address_key(urls[1]), rid, "p2")])
    store.finish_run("r1", [], [], "2025-01-01T01:00:00Z")
    store.begin_run("r2", "2025-01-02T00:00:00Z")
    key = lambda rid, host: address_key(f"http://{host}/{rid}.html")  # noqa: E731
    commit(store, "r2", "p1", [], verdicts=[(key("gone_both", "gov.example"), "gone"),
                                            (key("gone_one", "gov.example"), "gone"),
                                            (key("present", "gov.example"), "absent")])
    commit(store, "r2", "p2", [], verdicts=[(key("gone_both", "other.example"), "absent"),
                                            (key("present", "other.example"), "present")])
    assert store.withdrawal_candidates("r2") == ["gone_both"]
    assert sorted(store.addresses_on_portal("p1")) == [(key(r, "gov.example"), r)
                                                       for r in ("gone_both", "gone_one", "present")]
    withdrawn = store.get("gone_both") | {"withdrawn": True}
    store.finish_run("r2", [withdrawn], [line(withdrawn, "withdrawn", "r2")], "2025-01-02T01:00:00Z",
                     withdrawn_by_portal={"p1": 1})
    assert store.active_report_ids() == ["gone_one", "present"]
    assert store.portal_summaries("r2")["p1"]["withdrawn"] == 1
    assert store.withdrawal_candidates("r2") == []  # the run's evidence is dropped with its end


def test_pages_and_kept_responses(store):
    store.begin_run("r1", "2025-01-01T00:00:00Z")
    page = PageRecord("http://gov.example/list.html", "p1", "listing", '"e1"', "Mon, 01 Jan 2024 00:00:00 GMT",
                      None, {"entries": [["http://gov.example/a.html", "标题", "2024-03-01"]], "follow": []})
    store.keep_fetched("r1", [("fp1", "p1", b"one"), ("fp2", "p2", b"two")])
    assert store.fetched_fingerprints("r1") == {"fp1", "fp2"}
    assert store.fetched_response("r1", "fp2") == b"two"
    assert store.fetched_response("r2", "fp2") is None
    commit(store, "r1", "p1", [record("a", TEXT_A)], pages=[page])
    assert store.pages_of("p1") == {page.key: page}
    assert store.pages_of("p2") == {}
    assert store.fetched_fingerprints("r1") == {"fp2"}  # the committed portal's responses are dropped
    store.finish_run("r1", [], [], "2025-01-01T01:00:00Z")
    assert store.fetched_fingerprints("r1") == set()
