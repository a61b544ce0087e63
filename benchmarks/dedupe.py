"""Near-duplicate merging: precision and recall on the labelled pairs, and
time and peak memory to cluster synthetic reports.

    .venv/bin/python benchmarks/dedupe.py                 # pairs + 10,000 + 100,000
    .venv/bin/python benchmarks/dedupe.py --sizes 10000   # a quicker look

Synthetic reports are built like real ones: a government name, a year, and
25–40 sentences drawn from a pool of templated sentences (so unrelated
reports share phrasing), with their own figures. One in ten is followed by a
repost: the same text with a chrome line added, width changed and a few
characters edited. Clustering = for each report in turn, ask the index for a
match and add it when there is none, exactly as the dedupe pipeline does.
Each size runs in a fresh process, so its peak RSS is its own.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLACES = "青溪桐川柳湾石桥白沙东湖南湖云岭清河临溪泺川宣岚松岚连溪沐溪青衣红柳江澜平洲石门双河龙泉凤山金沙玉林"
LEVELS = ["县人民政府", "区人民政府", "市人民政府", "镇人民政府", "街道办事处", "县司法局", "市自然资源和规划局"]
OPENINGS = ["{y}年，{g}坚持以习近平法治思想为指导，认真贯彻落实《法治政府建设实施纲要（2021—2025年）》，各项工作取得新成效。",
            "{y}年，在上级党委、政府的坚强领导下，{g}统筹推进依法行政，法治政府建设迈出新步伐。"]
TEMPLATES = [
    "全年共办理行政复议案件{a}件，纠错率为{b}%，行政机关负责人出庭应诉率达到100%。",
    "公布{a}项告知承诺事项清单，政务服务事项网上可办率达到{b}%。",
    "组织行政执法人员培训{a}人次，开展案卷评查{b}次，发现问题{c}个，已全部整改。",
    "制定出台规范性文件{a}件，全部经过合法性审核，备案率和及时率均为100%。",
    "开展重大行政决策{a}项，均履行公众参与、专家论证、风险评估、合法性审查和集体讨论决定程序。",
    "聘请法律顾问{a}名，全年审查合同协议{b}份，提出法律意见{c}条。",
    "推行“综合查一次”，减少入企检查{a}次，办理“免罚轻罚”事项{b}件。",
    "化解矛盾纠纷{a}起，调解成功率达到{b}%，群众满意度持续提升。",
    "举办领导干部学法活动{a}次，党政主要负责人带头述法{b}次。",
    "建成公共法律服务站点{a}个，提供法律咨询{b}人次。",
]
FILLERS = ["一是", "二是", "三是", "同时，", "此外，", "全年", "持续", "进一步", "不断", "扎实"]


def synthetic(n: int, seed: int = 7):
    """(id, year, text, original id or None) for n reports and their reposts."""
    return list(iter_synthetic(n, seed))


def iter_synthetic(n: int, seed: int = 7):
    """synthetic(), made one report at a time (the texts of 100,000 reports
    would otherwise outweigh the index being measured)."""
    rng = random.Random(seed)
    pool = [rng.choice(FILLERS) + t for t in TEMPLATES for _ in range(12)]
    made = 0
    i = 0
    while made < n:
        g = rng.choice(PLACES) + rng.choice(PLACES) + rng.choice(LEVELS)
        y = rng.randint(2019, 2025)
        sentences = [rng.choice(OPENINGS)] + rng.sample(pool, rng.randint(25, 40))
        text = "\n\n".join(s.format(y=y, g=g, a=rng.randint(3, 999), b=rng.randint(1, 99), c=rng.randint(1, 300))
                           for s in sentences)
        text += f"\n\n{g}\n\n{y + 1}年3月{rng.randint(1, 28)}日"
        rid = f"r{i}"
        yield rid, y, text, None
        made += 1
        if rng.random() < 0.1 and made < n:
            copy = "来源：上级门户网站转载\n\n" + text.replace("，", ",", 3)
            pos = rng.randrange(len(copy) - 10)
            copy = copy[:pos] + "更正" + copy[pos + 2:]
            yield f"{rid}-repost", y, copy, rid
            made += 1
        i += 1


def cluster(n: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from govlaw.dedupe import NearDuplicateIndex, match_key

    reports = synthetic(n)
    keys: dict[str, str] = {}
    index = NearDuplicateIndex(keys.get)
    started = time.perf_counter()
    assigned = {}
    for rid, year, text, _ in reports:
        key = match_key(text)
        found = index.find(key, year)
        if found is None:
            keys[rid] = key
            index.add(rid, key, year)
            assigned[rid] = rid
        else:
            assigned[rid] = found
    seconds = time.perf_counter() - started
    wrong_merges = sum(1 for rid, _, _, orig in reports if orig is None and assigned[rid] != rid)
    missed = sum(1 for rid, _, _, orig in reports if orig is not None and assigned[rid] != orig)
    reposts = sum(1 for r in reports if r[3] is not None)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "seconds": seconds, "peak_mib": peak_mib, "clusters": len(set(assigned.values())),
            "reposts": reposts, "missed_reposts": missed, "wrong_merges": wrong_merges}


def cluster_in_state(n: int, work: Path) -> dict:
    """The crawl's own path: IdentityIndex over a real SQLite state, new
    reports committed a portal's worth (100) at a time and forgotten by the
    index, as the feed pipeline does; the LSH bands live in the state."""
    sys.path.insert(0, str(ROOT))
    from govlaw.dedupe import IdentityIndex, fingerprint
    from govlaw.state.sqlite import SQLiteStore

    store = SQLiteStore(work / f"dedupe-{n}.sqlite")
    store.begin_run("r1", "2025-01-01T00:00:00Z")
    index = IdentityIndex(store)
    started = time.perf_counter()
    assigned, batch, texts, origin = {}, {}, {}, {}
    for i, (rid, year, text, orig) in enumerate(iter_synthetic(n)):
        origin[rid] = orig
        fp = fingerprint(text)
        url = f"http://gov{i}.example/{rid}.html"
        got = index.resolve(url, fp["content_hash"], fp["match_key"], year, fp["signature"], fp["shingle_count"])
        assigned[rid] = got
        if got not in batch and store.get(got) is None:
            batch[got] = {"id": got, "title": rid, "report_year": year, "body": text,
                          "content_hash": fp["content_hash"], "version": 1, "url": url, "urls": [url], "portal": "p", "first_seen": "t", "last_seen": "t",
                          "withdrawn": False, "history": []}
            texts[got] = (fp["match_key"], fp["signature"], fp["shingle_count"])
        if len(batch) >= 100 or i == n - 1:
            store.commit_portal("r1", None, list(batch.values()), [], "t", texts=texts)
            index.forget(batch)
            batch, texts = {}, {}
    seconds = time.perf_counter() - started
    originals = {rid: assigned[rid] for rid, orig in origin.items() if orig is None}
    wrong_merges = len(originals) - len(set(originals.values()))
    missed = sum(1 for rid, orig in origin.items() if orig is not None and assigned[rid] != assigned[orig])
    reposts = sum(1 for orig in origin.values() if orig is not None)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.close()
    return {"n": n, "seconds": seconds, "peak_mib": peak_mib, "clusters": len(set(assigned.values())),
            "reposts": reposts, "missed_reposts": missed, "wrong_merges": wrong_merges}


def labelled(data: Path) -> tuple[float, float, int, list]:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from labelled_pairs import decisions

    rows = decisions(data)
    tp = sum(same and merged for _, same, merged in rows)
    fp = sum(merged and not same for _, same, merged in rows)
    fn = sum(same and not merged for _, same, merged in rows)
    errors = [f"{r['a']} ~ {r['b']} ({r['kind']}, {r['label']})" for r, same, merged in rows if same != merged]
    return tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn), len(rows), errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000", help="synthetic report counts; 0 for none")
    parser.add_argument("--pairs", type=Path, action="append",
                        help="labelled pair folders (default: tests/dedupe and benchmarks/dedupe_holdout if present)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--state", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        if args.state:
            import tempfile
            with tempfile.TemporaryDirectory() as work:
                print(json.dumps(cluster_in_state(args.one, Path(work))))
        else:
            print(json.dumps(cluster(args.one)))
        return
    folders = args.pairs or [f for f in (ROOT / "tests" / "dedupe", ROOT / "benchmarks" / "dedupe_holdout")
                             if (f / "pairs.csv").exists()]
    for folder in folders:
        p, r, n, errors = labelled(folder)
        print(f"{folder.relative_to(ROOT)}: {n} labelled pairs; merge precision {p:.3f}, recall {r:.3f}")
        for e in errors:
            print(f"  wrong: {e}")
    print()
    if args.sizes == "0":
        return
    print(f"{'index':>6} {'reports':>8} {'seconds':>8} {'per 1k':>7} {'peak MiB':>9} {'MiB/1k':>7} {'clusters':>8} "
          f"{'reposts':>8} {'missed':>7} {'wrong':>6}")
    # Each size twice: the in-memory LSH (the reference) and the crawl's
    # path, the index in the state with a portal's commit every 100 reports.
    for size in [int(s) for s in args.sizes.split(",")]:
        for mode in ("memory", "state"):
            cmd = [sys.executable, __file__, "--one", str(size)] + (["--state"] if mode == "state" else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            res = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{mode:>6} {res['n']:8d} {res['seconds']:8.1f} {res['seconds'] / res['n'] * 1000:7.2f} "
                  f"{res['peak_mib']:9.0f} {res['peak_mib'] / res['n'] * 1000:7.1f} {res['clusters']:8d} "
                  f"{res['reposts']:8d} {res['missed_reposts']:7d} {res['wrong_merges']:6d}")


if __name__ == "__main__":
    main()
