"""The portal registry: a YAML list of portals to crawl.

    - id: yuanzhou
      name: 宜春市袁州区人民政府
      start_urls: [https://www.yuanzhou.gov.cn/zwgk/fzzfjsndbg/]
      region_code: "360902"     # optional, 6-digit division code
      template: auto            # optional: auto | trs | hanweb | gkmlpt
      hosts: [www.yuanzhou.gov.cn]   # optional, defaults to the start URLs' hosts
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import yaml

TEMPLATES = {"auto", "trs", "hanweb", "gkmlpt"}


class SourcesError(ValueError):
    """The registry file is unreadable or an entry is malformed."""


@dataclass(frozen=True)
class Portal:
    id: str
    name: str
    start_urls: tuple[str, ...]
    region_code: str | None = None
    template: str = "auto"
    hosts: frozenset = field(default_factory=frozenset)
    verified: bool = True


def load(path: str | Path | None = None) -> list[Portal]:
    """Portals from a YAML file; the starter registry of real portals when no path is given."""
    if path is None:
        text = resources.files("govlaw.registry").joinpath("starter.yaml").read_text(encoding="utf-8")
        where = "starter registry"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SourcesError(f"cannot read sources file {path}: {exc.strerror}") from exc
        where = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesError(f"{where}: not valid YAML: {exc}") from exc
    if isinstance(data, dict) and "portals" in data:
        data = data["portals"]
    if not isinstance(data, list):
        raise SourcesError(f"{where}: expected a list of portals")
    portals = [_portal(entry, where, i) for i, entry in enumerate(data)]
    ids = [p.id for p in portals]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise SourcesError(f"{where}: duplicate portal ids: {', '.join(sorted(dupes))}")
    return portals


def _portal(entry, where: str, index: int) -> Portal:
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: entry {index} is not a mapping")
    pid = str(entry.get("id") or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", pid):
        raise SourcesError(f"{where}: entry {index}: id must be letters, digits, '-', '_' or '.'")
    urls = entry.get("start_urls")
    if isinstance(urls, str):
        urls = [urls]
    if not urls or not all(isinstance(u, str) and urlsplit(u).scheme in ("http", "https") for u in urls):
        raise SourcesError(f"{where}: portal {pid}: start_urls must be a list of http(s) URLs")
    template = str(entry.get("template") or "auto")
    if template not in TEMPLATES:
        raise SourcesError(f"{where}: portal {pid}: template must be one of {sorted(TEMPLATES)}")
    region = entry.get("region_code")
    region = str(region) if region is not None else None
    if region is not None and not re.fullmatch(r"\d{6}", region):
        raise SourcesError(f"{where}: portal {pid}: region_code must be 6 digits")
    hosts = entry.get("hosts") or [urlsplit(u).netloc for u in urls]
    return Portal(id=pid, name=str(entry.get("name") or pid), start_urls=tuple(urls), region_code=region,
                  template=template, hosts=frozenset(h.lower() for h in hosts),
                  verified=bool(entry.get("verified", True)))
