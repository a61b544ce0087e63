"""Extraction quality and speed on the saved example pages, govlaw against
trafilatura, GNE and readability-lxml, in one run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/extraction.py [--repeat 5]

Body character F1: both texts NFKC-normalized with all whitespace removed;
matched characters = the sum of difflib.SequenceMatcher(None, gold, out,
autojunk=False) matching blocks; P = matched/len(out), R = matched/len(gold).
Chrome leaks: chrome strings (tests/chrome_strings.py) found in the output.
Metadata: title, publish date, report year, publisher and region code,
exact match against the gold JSON (a tool that does not give a field is
wrong on it). Pages with a gold body (reports whose text is on the page).
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from chrome_strings import chrome_in  # noqa: E402

from govlaw import normalize  # noqa: E402
from govlaw.extract import extract_html  # noqa: E402
from govlaw.extract.html import decode  # noqa: E402

META = ["title", "publish_date", "report_year", "publisher", "region_code"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def f1(gold: str, out: str) -> tuple[float, float, float]:
    g, o = squash(gold), squash(out)
    if not g or not o:
        return 0.0, 0.0, 0.0
    matched = sum(b.size for b in difflib.SequenceMatcher(None, g, o, autojunk=False).get_matching_blocks())
    p, r = matched / len(o), matched / len(g)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# --- the extractors: page bytes + URL → {"body", and whatever metadata they give} --------

def run_govlaw(data: bytes, url: str) -> dict:
    ex = extract_html(data, url)
    return {"body": ex.body, "title": ex.title, "publish_date": ex.publish_date, "report_year": ex.report_year,
            "publisher": ex.publisher, "region_code": ex.region_code}


def run_trafilatura(data: bytes, url: str) -> dict:
    import trafilatura

    text, _ = decode(data)
    body = trafilatura.extract(text, url=url, include_comments=False, include_tables=True, favor_precision=False)
    meta = trafilatura.extract_metadata(text, default_url=url)
    return {"body": body or "", "title": meta.title if meta else None,
            "publish_date": meta.date if meta else None, "publisher": (meta.author or meta.sitename) if meta else None}


def run_gne(data: bytes, url: str) -> dict:
    from gne import GeneralNewsExtractor

    text, _ = decode(data)
    try:
        result = GeneralNewsExtractor().extract(text, noise_node_list=['//div[@class="comment-list"]'])
    except Exception:  # GNE raises on pages it cannot read
        return {"body": ""}
    date = normalize.iso(normalize.parse_date(result.get("publish_time") or ""))
    return {"body": result.get("content") or "", "title": result.get("title"), "publish_date": date,
            "publisher": result.get("author") or None}


def run_readability(data: bytes, url: str) -> dict:
    import lxml.html
    from readability import Document

    text, _ = decode(data)
    doc = Document(text)
    summary = doc.summary(html_partial=True)
    root = lxml.html.fromstring(summary)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    body = "\n".join(t.strip() for t in root.itertext() if t.strip())
    return {"body": body, "title": doc.short_title()}


EXTRACTORS = {"govlaw": run_govlaw, "trafilatura": run_trafilatura, "GNE": run_gne, "readability": run_readability}


def load_pages(folder: Path):
    pages = []
    for html in sorted(folder.glob("*/*.html")):
        gold = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
        if gold.get("is_report") and gold.get("body_from") != "attachment":
            pages.append((html, html.read_bytes(), gold))
    return pages


def detection(folder: Path) -> None:
    """Report detection on every page of the folder, look-alikes included."""
    right, wrong = 0, []
    for html in sorted(folder.glob("*/*.html")):
        gold = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
        ex = extract_html(html.read_bytes(), gold["url"])
        said = ex.is_report or ex.reason == "attachment:pending"
        if said == gold["is_report"]:
            right += 1
        else:
            wrong.append(f"{html.parent.name}/{html.stem} ({ex.reason})")
    total = right + len(wrong)
    print(f"report detection (govlaw): {right}/{total} right" + (f"; wrong: {', '.join(wrong)}" if wrong else ""))


def _forget_lines() -> None:
    """Empty govlaw's per-line caches (chrome and label tests), where it has them."""
    from govlaw.extract import chrome

    for name in ("is_chrome", "is_label_line", "label_only", "_labelled", "_folded"):
        getattr(getattr(chrome, name, None), "cache_clear", lambda: None)()


def realpages(repeat: int = 3) -> None:
    """The real-page corpus, its tuned part and its set-aside part, every
    extractor given the same minimal HTML page made of the stored lines;
    govlaw's speed on them (pages per second, `repeat` timing passes)."""
    from realpages_score import as_html, govlaw_text, load, score

    def wrap(fn):
        def run(page):
            out = fn(as_html(page), page["url"])
            if fn is not run_govlaw:
                out["is_report"] = None  # the others cannot tell a report from a look-alike
            return out
        return run

    def govlaw_html(data, url):
        ex = extract_html(data, url)
        return {**run_govlaw(data, url), "is_report": ex.is_report, "reason": ex.reason}

    run_govlaw_html = govlaw_html
    for part in ("dev", "holdout"):
        pages = load(part)
        if not pages:
            print(f"{part}: no pages")
            continue
        n_rep = sum(p["kind"] == "report" for p in pages)
        label = "tuned on" if part == "dev" else "set aside before tuning, measured once"
        print(f"\nreal pages, {part} ({label}): {n_rep} reports, {len(pages) - n_rep} look-alikes")
        print(f"  {'govlaw (text)':16} {score(pages, govlaw_text).line()}")
        html = [(as_html(p), p["url"]) for p in pages]
        spent = 0.0
        for _ in range(repeat):
            _forget_lines()  # each pass reads the pages afresh, as a crawl reads new ones
            started = time.perf_counter()
            for data, url in html:
                extract_html(data, url)
            spent += time.perf_counter() - started
        print(f"  {'govlaw (html)':16} {repeat * len(html) / spent:.1f} pages/s")
        for name, fn in [("govlaw (html)", run_govlaw_html)] + [(k, v) for k, v in EXTRACTORS.items() if k != "govlaw"]:
            try:
                result = score(pages, wrap(fn) if fn is not run_govlaw_html else lambda p: fn(as_html(p), p["url"]))
            except ImportError as exc:
                print(f"  {name:16} not installed ({exc.name})")
                continue
            print(f"  {name:16} {result.line()}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="timing passes over all pages")
    parser.add_argument("--pages", type=Path, default=ROOT / "tests" / "examples",
                        help="a folder of <layout>/<page>.html with gold JSON (benchmarks/holdout: layouts govlaw was not tuned on)")
    parser.add_argument("--realpages", action="store_true",
                        help="the real stored pages of tests/realpages: the tuned part and the set-aside part")
    args = parser.parse_args()
    if args.realpages:
        realpages(args.repeat)
        return
    pages = load_pages(args.pages)
    detection(args.pages)
    print(f"{len(pages)} report pages in {len({p.parent.name for p, _, _ in pages})} layouts\n")
    rows = []
    for name, fn in EXTRACTORS.items():
        try:
            fn(pages[0][1], pages[0][2]["url"])
        except ImportError as exc:
            print(f"{name}: not installed ({exc.name}); pip install -e '.[bench]'")
            continue
        outs = [fn(data, gold["url"]) for _, data, gold in pages]
        started = time.perf_counter()
        for _ in range(args.repeat):
            for _, data, gold in pages:
                fn(data, gold["url"])
        pps = args.repeat * len(pages) / (time.perf_counter() - started)
        scores = [f1(gold["body"], out["body"]) for (_, _, gold), out in zip(pages, outs)]
        leaks = sum(len(chrome_in(out["body"])) for out in outs)
        leaky_pages = sum(1 for out in outs if chrome_in(out["body"]))
        meta_right = {m: sum(1 for (_, _, gold), out in zip(pages, outs) if out.get(m) == gold.get(m)) for m in META}
        rows.append((name, scores, leaks, leaky_pages, meta_right, pps))
    n = len(pages)
    print(f"{'extractor':12} {'P':>6} {'R':>6} {'F1':>6} {'F1 min':>7} {'leaks':>6} {'pages':>6} "
          + " ".join(f"{m[:10]:>10}" for m in META) + f" {'pages/s':>8}")
    for name, scores, leaks, leaky, meta, pps in rows:
        p = sum(s[0] for s in scores) / n
        r = sum(s[1] for s in scores) / n
        f = sum(s[2] for s in scores) / n
        print(f"{name:12} {p:6.4f} {r:6.4f} {f:6.4f} {min(s[2] for s in scores):7.4f} {leaks:6d} {leaky:6d} "
              + " ".join(f"{meta[m] / n:10.0%}" for m in META) + f" {pps:8.1f}")
    base = next((r for r in rows if r[0] == "govlaw"), None)
    if base:
        print()
        for name, scores, leaks, leaky, meta, pps in rows:
            if name != "govlaw":
                print(f"govlaw vs {name}: {base[5] / pps:.2f}x the pages per second")


if __name__ == "__main__":
    main()
