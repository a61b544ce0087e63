"""Demo portals given by their home page only: discovery's test ground.

Each portal is a government whose sources entry says only ``home_url``; its
reports are found the way a visitor finds them, one portal per way
(``homes/portals.yaml`` describes them, ``homes/<site>/`` holds their pages,
``homes/documents/`` their documents, ``homes/documents/state2/`` what the
second state adds):

  lixi      navigation: home → 政务公开 → 法定主动公开内容 (31 categories) → 法治政府建设年度报告,
            a TRS column of two pages; GBK pages
  sangqian  site search only: the reports sit in 其他文件 (/col/col8812/), which no page links
            (the catalogue draws its tree by script); the so-gov query search finds them
  tiaoxi    the justice bureau: the portal's 部门信息公开 links 市司法局 on a host of its own,
            whose 法治政府建设 column holds the reports
  jihe      a column that moves: in state 1 under 政务公开 > 工作报告; in state 2 the old column
            sends visitors to the home page and the reports sit in 其他法定公开信息
  hejiang   Guangdong's gkmlpt: 政务公开 → /gkmlpt/index#3120 → the JSON API

State 2 (``set_state(2)``, same addresses): each portal publishes its 2025 report where its
others are, and jihe's column moves.

Each page carries the chrome real home pages carry (100+ links on a home page: navigation, news
that names 法治政府建设 but is news, department lists, friend links, footers with 网站标识码).

    with HomePortals() as homes:           # one threaded HTTP server per host, on loopback
        homes.write_sources("homes.yaml")  # - id, name, region_code, home_url
        homes.expected(1)                  # {portal id: {report titles}}
        homes.requests("lixi")             # [Hit(time, host, method, path, query, form)]
        homes.set_state(2)

    python -m govlaw.demo.homes serve [--base-port 8760] [--state 2] [--sources-out homes.yaml]
"""
from __future__ import annotations

import argparse
import signal
import threading
import time
from pathlib import Path

import yaml

from .catalog import Document, load_documents
from .homesite import HOMES, Hit, HostSite
from .server import _Handler, _Server, _Server6

__all__ = ["HomePortals", "Hit", "load_config"]

CONFIG = HOMES / "portals.yaml"
DOCUMENTS = HOMES / "documents"
STATES = (1, 2)


def load_config(path: str | Path | None = None) -> list[dict]:
    with open(path or CONFIG, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _served_keys(site: dict, state: int) -> set[str]:
    """The document keys (front matter ``column:``) the site lists in a state."""
    return {key for col in site.get("columns", []) if state in col.get("states", [state])
            for key in col.get("docs", [col["key"]])}


class HomePortals:
    """Serve every home-page demo portal on ``host``: one port per host of a
    portal (a justice bureau's site is a host of its own), ``base_port + i``
    in the order of portals.yaml, or ephemeral ports when ``base_port`` is 0."""

    def __init__(self, host: str = "127.0.0.1", base_port: int = 0, state: int = 1,
                 documents_dir: str | Path | None = None, verbose: bool = False):
        if state not in STATES:
            raise ValueError(f"no state {state}; the home-page demo has states {STATES}")
        self.host, self.base_port, self.state, self.verbose = host, base_port, state, verbose
        self.documents_dir = Path(documents_dir or DOCUMENTS)
        self.config = load_config()
        self.portals: list[dict] = []
        self._servers: dict[tuple[str, str], _Server] = {}
        self._threads: list[threading.Thread] = []
        self._urls: dict[str, dict[str, str]] = {}
        self._logs: dict[str, list[Hit]] = {p["id"]: [] for p in self.config}

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> "HomePortals":
        if self._servers:
            return self
        try:
            index = 0
            for portal in self.config:
                for site in portal["sites"]:
                    port = self.base_port + index if self.base_port else 0
                    index += 1
                    server = (_Server6 if ":" in self.host else _Server)((self.host, port), _Handler)
                    server.verbose, server.portal_id = self.verbose, portal["id"]
                    self._servers[(portal["id"], site["key"])] = server
                    host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
                    host = f"[{host}]" if ":" in host else host
                    self._urls.setdefault(portal["id"], {})[site["key"]] = f"http://{host}:{server.server_address[1]}"
            self._build(self.state)
        except BaseException:
            self.stop()
            raise
        for (portal_id, key), server in self._servers.items():
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"demo-home-{portal_id}-{key}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.portals = [{"id": p["id"], "name": p["name"], "region_code": p["region_code"],
                         "home_url": self.home_url(p["id"])} for p in self.config]
        return self

    def _build(self, state: int) -> None:
        documents = self.documents(state)
        sites = {}
        for portal in self.config:
            for site in portal["sites"]:
                sites[(portal["id"], site["key"])] = HostSite(
                    portal, site, state, documents, self._urls[portal["id"]], self._logs[portal["id"]])
        for key, site in sites.items():  # swap only once every site is built
            self._servers[key].site = site

    def set_state(self, state: int) -> None:
        """Serve another state without restarting the servers (addresses stay)."""
        if state not in STATES:
            raise ValueError(f"no state {state}; the home-page demo has states {STATES}")
        if self._servers:
            self._build(state)
        self.state = state

    def stop(self) -> None:
        for server in self._servers.values():
            if self._threads:
                server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers, self._threads = {}, []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- addresses ---------------------------------------------------------------------
    def base_url(self, portal_id: str, site: str = "www") -> str:
        return self._urls[portal_id][site]

    def home_url(self, portal_id: str) -> str:
        first = next(p for p in self.config if p["id"] == portal_id)["sites"][0]["key"]
        return self._urls[portal_id][first] + "/"

    def site(self, portal_id: str, site: str = "www") -> HostSite:
        """What a host serves now (its columns, pages and search)."""
        return self._servers[(portal_id, site)].site

    def write_sources(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump(self.portals, fh, allow_unicode=True, sort_keys=False)

    # -- requests ----------------------------------------------------------------------
    def requests(self, portal_id: str, host: str | None = None) -> list[Hit]:
        """Every request the portal's hosts answered (or began to), in order;
        ``host`` (``127.0.0.1:8763``) keeps one host's."""
        return [h for h in list(self._logs[portal_id]) if host is None or h.host == host]

    def clear_requests(self) -> None:
        for log in self._logs.values():
            log.clear()

    # -- what a crawl must find --------------------------------------------------------
    def documents(self, state: int | None = None) -> list[Document]:
        return load_documents(self.documents_dir, state=self.state if state is None else state)

    def reports(self, state: int | None = None) -> dict[str, list[Document]]:
        """The reports each portal serves in a state, newest first."""
        state = self.state if state is None else state
        documents = self.documents(state)
        out = {}
        for portal in self.config:
            served = {(site["key"], key) for site in portal["sites"] for key in _served_keys(site, state)}
            out[portal["id"]] = [d for d in documents if d.is_report and portal["id"] in d.portals
                                 and (d.extra.get("site", "www"), d.extra.get("column")) in served]
        return out

    def expected(self, state: int | None = None) -> dict[str, set[str]]:
        """{portal id: titles of the reports it serves in ``state``}."""
        return {pid: {d.title for d in docs} for pid, docs in self.reports(state).items()}


# ----------------------------------------------------------------------------- command

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govlaw.demo.homes",
                                     description="Serve the demo portals given by home page only.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the portals until Ctrl-C or SIGTERM")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--base-port", type=int, default=8760,
                       help="first port; host i gets base-port + i (0: ephemeral ports)")
    serve.add_argument("--state", type=int, default=1, choices=STATES, help="document set to serve")
    serve.add_argument("--sources-out", help="write the portals as a sources YAML file (home_url only)")
    serve.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    def interrupt(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    with HomePortals(host=args.host, base_port=args.base_port, state=args.state, verbose=args.verbose) as homes:
        for portal in homes.config:
            print(f"{portal['id']:<9} {portal['name']}  {homes.home_url(portal['id'])}  ({portal['way']})",
                  flush=True)
            for site in portal["sites"][1:]:
                print(f"{'':<9}   {site['site_name']}  {homes.base_url(portal['id'], site['key'])}/", flush=True)
        if args.sources_out:
            homes.write_sources(args.sources_out)
            print(f"sources written to {args.sources_out}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopping", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

