"""One canonical form of an address: what the middleware requests, what the
state keys pages by and what dedupe compares agree on session ids."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request

from govlaw import dedupe, urls
from govlaw.middleware import AddressGuardMiddleware
from govlaw.sources import Portal

TOKEN = "a8f5f167f44f4964e6c998dee827110c"


def _requested(url: str) -> str:
    """The URL the address guard middleware lets through for `url`."""
    class Crawler:
        spider = type("S", (), {"portals": [Portal("p", "P", ("http://www.x.gov.cn/",),
                                                   hosts=frozenset({"www.x.gov.cn"}))]})()
    out = AddressGuardMiddleware(Crawler()).process_request(Request(url))
    return url if out is None else out.url


def test_one_home_for_the_canonical_form():
    assert dedupe.canonical_url is urls.canonical_url
    assert dedupe.address_key is urls.address_key
    import govlaw.middleware
    assert govlaw.middleware.strip_session is urls.strip_session


def test_jsessionid_path_parameters():
    link = "http://www.x.gov.cn/col/list.jsp;jsessionid=ABC123DEF?page=2"
    assert _requested(link) == "http://www.x.gov.cn/col/list.jsp?page=2"
    assert urls.address_key(link) == urls.address_key(_requested(link)) == "www.x.gov.cn/col/list.jsp?page=2"
    assert urls.canonical_url("http://www.x.gov.cn/a.jsp;JSESSIONID=x;sid=y") == "http://www.x.gov.cn/a.jsp"


def test_phpsessid_query_parameters():
    link = "http://www.x.gov.cn/art.php?PHPSESSID=9f8e7d&id=4"
    assert _requested(link) == "http://www.x.gov.cn/art.php?id=4"
    assert urls.canonical_url(link) == "http://www.x.gov.cn/art.php?id=4"
    assert urls.address_key(link) == urls.address_key(_requested(link)) == "www.x.gov.cn/art.php?id=4"


def test_sid_is_a_session_id_only_when_it_looks_like_one():
    session = f"http://www.x.gov.cn/api?sid={TOKEN}&page=1"
    site = "http://www.x.gov.cn/api?sid=755&page=1"  # a site id (the gkmlpt API's sid is a region code)
    assert _requested(session) == "http://www.x.gov.cn/api?page=1"
    assert urls.address_key(session) == urls.address_key(_requested(session)) == "www.x.gov.cn/api?page=1"
    assert _requested(site) == site
    assert urls.address_key(site) == "www.x.gov.cn/api?page=1&sid=755"


def test_the_request_form_changes_nothing_but_session_ids():
    for url in ("http://www.x.gov.cn/a/index.html?utm_source=wx&b=2&a=1",
                "http://WWW.X.gov.cn:80/a?t=5", "http://www.x.gov.cn/api?sid=360902"):
        assert urls.strip_session(url) == url


_PARAM = st.sampled_from(["id", "page", "PHPSESSID", "jsessionid", "sid", "utm_source", "t", "ASPSESSIONIDQQ", "a"])
_VALUE = st.sampled_from(["1", "755", "x y", TOKEN, "", "%E6%B3%95"])


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["http", "https"]), st.sampled_from(["www.x.gov.cn", "WWW.X.GOV.CN:8080", "127.0.0.1:8701"]),
       st.sampled_from(["/", "/a/index.html", "/b.jsp", "/c.jsp;jsessionid=AB12", "/d/法治.html"]),
       st.lists(st.tuples(_PARAM, _VALUE), max_size=4))
def test_a_link_its_request_and_its_key_agree(scheme, host, path, params):
    query = "&".join(f"{k}={v}" for k, v in params)
    link = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    requested = urls.strip_session(link)
    assert urls.canonical_url(requested) == urls.canonical_url(link)
    assert urls.address_key(requested) == urls.address_key(link)
    assert urls.strip_session(requested) == requested  # stripping twice changes nothing more
    key = urls.address_key(link).lower()
    assert "sessid" not in key and "sessionid" not in key and f"sid={TOKEN}" not in key
