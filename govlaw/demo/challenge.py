"""A demo portal behind a script challenge, as many real portals are.

Without the right cookie every page (robots.txt aside) answers 412 with a
small page whose script computes the cookie's value, sets it and reloads,
as Ruishu's and Jiasule's challenge pages do (docs/challenges.md). The value
is derived from a random seed in arithmetic a JavaScript engine has to run:
the server minted the seed, sends it inside the script, and checks the
cookie against its own computation. With the cookie, the portal is one of the
demo portals (its documents, templates and pages).

    with ChallengedPortal("shanwei") as portal:            # a browser passes
        entry = portal.sources_entry("shanwei-behind-waf")
    with ChallengedPortal("shanwei", passable=False):     # its script never sets a valid cookie
        ...

Each answer to a client without a valid cookie is a fresh challenge: a new
session cookie (the server's half) and a new seed. `uses` makes an earned
cookie last that many pages, after which the challenge comes back.
"""
from __future__ import annotations

import secrets
import threading
import time
from http.cookies import CookieError, SimpleCookie

from . import server as demo_server
from .catalog import load_documents, load_portals

SESSION = "gldemo_sid"         # set by the server with the challenge, as real WAFs do
CLEARANCE = "gldemo_clearance"  # set by the challenge's script
_MODULUS = 2147483647


def clearance(seed: str, multiplier: int = 131) -> str:
    """The value the challenge script computes from `seed` (the server's check)."""
    h = 7
    for i, ch in enumerate(seed):
        h = (h * multiplier + ord(ch) * (i + 1)) % _MODULUS
    return _base36(h) + "-" + seed[::-1][2:9]


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def challenge_page(seed: str, multiplier: int = 131) -> bytes:
    """412 page: the script computes the cookie from the seed, sets it and reloads."""
    # The seed travels in pieces and the arithmetic is spelled out in JS: nothing to copy.
    parts = ",".join(f'"{seed[i:i + 4]}"' for i in range(0, len(seed), 4))
    script = (
        "(function(){var p=[" + parts + "],s=p.join(''),h=7;"
        "for(var i=0;i<s.length;i++){h=(h*" + str(multiplier) + "+s.charCodeAt(i)*(i+1))%" + str(_MODULUS) + ";}"
        "var v=h.toString(36)+'-'+s.split('').reverse().join('').slice(2,9);"
        "document.cookie='" + CLEARANCE + "='+v+'; path=/';"
        "setTimeout(function(){location.reload();},10);})();")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">"
            f"<script type=\"text/javascript\">{script}</script></head><body></body></html>").encode("utf-8")


class _GateHandler(demo_server._Handler):
    def _serve(self, method):
        gate = self.server.gate
        path = self.path
        # A browser says what it fetches a page for; Scrapy does not.
        browser = self.headers.get("Sec-Fetch-Dest")
        if path.split("?", 1)[0] == "/robots.txt" or gate.admits(self.headers.get("Cookie", "")):
            gate.note(method, path, True, browser)
            return super()._serve(method)
        gate.note(method, path, False, browser)
        size = self.headers.get("Content-Length", "0")
        if size.isdigit() and int(size) > 0:
            self.rfile.read(int(size))
        sid = secrets.token_hex(8)
        seed = gate.mint(sid)
        body = challenge_page(seed, gate.multiplier)
        self.send_response(412)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Set-Cookie", f"{SESSION}={sid}; Path=/; HttpOnly")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)


class _Gate:
    """The server's side of the challenge: the seeds it minted, per session."""

    def __init__(self, passable: bool, uses: int | None):
        self.multiplier = 131 if passable else 137  # an unpassable script computes the wrong value
        self.uses = uses
        self.lock = threading.Lock()
        self.seeds: dict[str, str] = {}     # session → seed
        self.spent: dict[str, int] = {}     # session → pages served on its clearance
        self.log: list[tuple[float, str, str, bool, str | None]] = []  # (time, method, path, passed, Sec-Fetch-Dest)

    def mint(self, sid: str) -> str:
        seed = secrets.token_hex(10)
        with self.lock:
            self.seeds[sid] = seed
        return seed

    def admits(self, cookie_header: str) -> bool:
        jar = SimpleCookie()
        try:
            jar.load(cookie_header)
        except CookieError:
            return False
        sid, value = jar.get(SESSION), jar.get(CLEARANCE)
        if sid is None or value is None:
            return False
        with self.lock:
            seed = self.seeds.get(sid.value)
            if seed is None or value.value != clearance(seed):
                return False
            used = self.spent.get(sid.value, 0)
            if self.uses is not None and used >= self.uses:
                del self.seeds[sid.value]  # worn out: the next answer is a new challenge
                return False
            self.spent[sid.value] = used + 1
        return True

    def note(self, method: str, path: str, passed: bool, fetch_dest: str | None) -> None:
        with self.lock:
            self.log.append((time.monotonic(), method, path, passed, fetch_dest))


class ChallengedPortal:
    """One demo portal (by catalog id) served behind the challenge on its own loopback port."""

    def __init__(self, portal_id: str = "shanwei", host: str = "127.0.0.1", port: int = 0,
                 passable: bool = True, uses: int | None = None, state: int = 1, documents_dir=None):
        self.portal = next(p for p in load_portals() if p.id == portal_id)
        self.host, self.port, self.state, self.documents_dir = host, port, state, documents_dir
        self.gate = _Gate(passable, uses)
        self._server = None
        self._thread = None
        self.base_url = ""

    def start(self) -> "ChallengedPortal":
        if self._server is not None:
            return self
        server = demo_server._Server((self.host, self.port), _GateHandler)
        server.verbose, server.hostile, server.portal_id, server.gate = False, None, self.portal.id, self.gate
        self.base_url = f"http://{self.host}:{server.server_address[1]}"
        catalog = {p.id: p for p in load_portals()}
        family = demo_server.FAMILIES[self.portal.family]
        server.site = family(self.portal, load_documents(self.documents_dir, state=self.state), self.base_url,
                             catalog)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"demo-challenge-{self.portal.id}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=2)
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def log(self) -> list[tuple[float, str, str, bool, str | None]]:
        """(time, method, path, passed, Sec-Fetch-Dest) of every request, in
        arrival order; Sec-Fetch-Dest is None for a plain client's request and
        "document" for a page the browser loads."""
        with self.gate.lock:
            return list(self.gate.log)

    def challenged(self) -> int:
        return sum(1 for _, _, _, passed, _ in self.log if not passed)

    @property
    def start_url(self) -> str:
        return self.base_url + self.portal.start_path

    def page_urls(self) -> list[str]:
        """The column's first page and every document page the portal serves."""
        return [self.start_url] + [self.base_url + path for path in self._server.site.by_path]

    def sources_entry(self, portal_id: str | None = None, **extra) -> dict:
        """The portal as an entry of a sources file."""
        return {"id": portal_id or f"{self.portal.id}-challenged", "name": self.portal.name,
                "start_urls": [self.start_url], "region_code": self.portal.region_code, **extra}


__all__ = ["CLEARANCE", "SESSION", "ChallengedPortal", "challenge_page", "clearance"]
