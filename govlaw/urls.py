"""One canonical form of an address, used by requests, state keys and dedupe alike.

    strip_session(url)   the address to fetch: the URL without session ids
                         (;jsessionid=…, ?PHPSESSID=…, a token-like ?sid=…);
                         nothing else changes, so the server is asked for the
                         page it linked
    canonical_url(url)   the address to compare and store: strip_session, then
                         lower-case scheme and host, no default port, no
                         fragment, no tracking parameters, sorted query,
                         index.html folded into its folder
    address_key(url)     canonical_url without its scheme (portals serve the
                         same page over http and https); a Traditional-Chinese
                         gateway copy (/gate/big5/<host>/<path>) keyed as the
                         page it converts

Every step of canonical_url starts from strip_session, so a listing link that
carries a session id, the request made for it (session id stripped by the
middleware) and the state's record of that page share one key:
canonical_url(strip_session(u)) == canonical_url(u) for every u.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Session ids as path parameters (Java servlets, some PHP set-ups).
_SESSION_PATH = re.compile(r";(jsessionid|phpsessid|sessionid|sid)=[^/?#;]*", re.I)
# Query parameters that are always a session id.
_SESSION_PARAM = re.compile(r"^(jsessionid|phpsessid|aspsessionid\w*|sessionid|sess_?id|cfid|cftoken)$", re.I)
# `sid` is a session id only when its value looks like a token: on many
# portals `sid=755` is a site id (the gkmlpt API takes its region code there).
_AMBIGUOUS_PARAM = re.compile(r"^(sid|s_id)$", re.I)
_TOKEN = re.compile(r"^(?=[0-9a-z]*[a-z])(?=[0-9a-z]*[0-9])[0-9a-z_-]{16,}$", re.I)

_TRACKING = re.compile(r"^(utm_\w+|spm|from|source|share|isappinstalled|timestamp|_t|t|v|nsukey|clicktime|enterid|"
                       r"scene)$", re.I)
_INDEX = re.compile(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", re.I)
_GATEWAY = re.compile(r"^[^/]+/gate/(?:big5|gb)/([^/?#]+)(/.*)?$", re.I)


def _is_session_param(name: str, value: str) -> bool:
    return bool(_SESSION_PARAM.match(name) or (_AMBIGUOUS_PARAM.match(name) and _TOKEN.match(value)))


def strip_session(url: str) -> str:
    """The URL without session ids: every visit mints a new one, and a crawl
    that keeps them never ends (and never recognises a page it knows)."""
    cleaned = _SESSION_PATH.sub("", url.strip())
    parts = urlsplit(cleaned)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_session_param(k, v)]
        if len(kept) != len(pairs):
            cleaned = urlunsplit(parts._replace(query=urlencode(kept)))
    return cleaned


def canonical_url(url: str) -> str:
    """One spelling per address (see the module's docstring)."""
    parts = urlsplit(strip_session(url))
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = _INDEX.sub("/", parts.path or "/")
    netloc = parts.netloc.lower()
    if netloc.endswith(":80") or netloc.endswith(":443"):
        netloc = netloc.rsplit(":", 1)[0]
    return canonicalize_url(urlunsplit((parts.scheme.lower(), netloc, path, query, "")))


def address_key(url: str) -> str:
    """The state's key of an address: canonical_url without the scheme, a
    gateway copy keyed as the page it converts."""
    key = canonical_url(url).split("://", 1)[-1]
    m = _GATEWAY.match(key)
    if m:
        key = canonical_url("http://" + m.group(1) + (m.group(2) or "/")).split("://", 1)[-1]
    return key
