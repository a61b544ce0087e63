"""The portal registry: a YAML list of portals to crawl.

    - id: yuanzhou
      name: 宜春市袁州区人民政府
      start_urls: [https://www.yuanzhou.gov.cn/zwgk/fzzfjsndbg/]
      region_code: "360902"     # optional, 6-digit division code
      template: auto            # optional: auto | trs | hanweb | gkmlpt
      hosts: [www.yuanzhou.gov.cn]   # optional, defaults to the start URLs' hosts
      browser: auto             # optional: auto | always | never (a headless browser for script challenges)
      due: "03-31"              # optional: the annual report's due date (MM-DD of the next year)

Every mistake in the file is a SourcesError whose message is one line: the
file, the line and entry, what is wrong and how to write it instead.
"""
from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from govlaw.errors import GovlawError

TEMPLATES = {"auto", "trs", "hanweb", "gkmlpt", "ucap", "jpaas"}
KEYS = ("id", "name", "start_urls", "home_url", "region_code", "template", "hosts", "verified", "browser",
        # written by `govlaw registry export`, read as facts about the government
        "level", "parent", "former_codes", "former_names")
# Read by the analysts' ledger: the annual report's due date (MM-DD, of the
# year after the report year), when it is not GOVLAW_REPORT_DUE.
LEDGER_KEYS = ("due",)
LEVELS = {"province", "city", "county", "township", "department"}
BROWSER_MODES = ("auto", "always", "never")
_ID = re.compile(r"[A-Za-z0-9_.\-]+")
_HOST_NAME = re.compile(r"(?=.{1,253}$)[^\W_](?:[\w-]{0,61}[^\W_])?(?:\.[^\W_](?:[\w-]{0,61}[^\W_])?)*\.?", re.U)


class SourcesError(GovlawError, ValueError):
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
    home_url: str | None = None   # where discovery starts when no column is given
    level: str | None = None
    browser: str = "auto"         # a headless browser loads its pages: auto (on a script challenge) | always | never
    due: str | None = None        # "MM-DD": this government's own due date for the annual report


def load(path: str | Path | None = None) -> list[Portal]:
    """Portals from a YAML file; the starter registry of real portals when no path is given."""
    if path is None:
        text = resources.files("govlaw.registry").joinpath("starter.yaml").read_text(encoding="utf-8")
        where = "starter registry"
    else:
        where = str(path)
        if not where.strip():
            raise SourcesError("-a sources= names no file; pass -a sources=<a YAML file of portals>, or leave it "
                               "out to crawl the starter registry")
        if Path(path).is_dir():
            raise SourcesError(f"sources file {where} is a directory; pass -a sources=<a YAML file of portals>")
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SourcesError(f"cannot read sources file {where}: {exc.strerror or exc}; "
                               "pass -a sources=<a YAML file of portals>") from exc
        except UnicodeDecodeError as exc:
            raise SourcesError(f"{where}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise SourcesError(f"{where}{at}: not valid YAML ({problem}); check the indentation, and quote values "
                           "that contain ': ' or start with a special character") from exc
    nodes = None
    if isinstance(data, dict) and "portals" in data:
        data = data["portals"]
        nodes = _mapping_nodes(root).get("portals")
    else:
        nodes = root
    if data is None or data == []:
        raise SourcesError(f"{where}: the file lists no portals; add at least one entry "
                           "(- id: …, name: …, start_urls: [https://…])")
    if not isinstance(data, list):
        raise SourcesError(f"{where}: expected a YAML list of portals (entries starting with '- id: '), "
                           f"found {_kind(data)}")
    items = nodes.value if isinstance(nodes, yaml.SequenceNode) else [None] * len(data)
    portals: list[Portal] = []
    first_line: dict[str, str] = {}
    for index, (entry, node) in enumerate(zip(data, items), start=1):
        at = _at(where, node, index)
        portal = _portal(entry, node, at)
        if portal.id in first_line:
            raise SourcesError(f"{at} (id {portal.id}): id {portal.id} is already used by {first_line[portal.id]}; "
                               "give each portal its own id")
        first_line[portal.id] = f"entry {index}" + (f" (line {node.start_mark.line + 1})" if node is not None else "")
        portals.append(portal)
    return portals


def select(portals: list[Portal], ids: str, where: str | None = None) -> list[Portal]:
    """The portals named by `-a portals=id1,id2`, in the file's order; an id
    the file does not have is an error, never a silent empty run."""
    where = where or "starter registry"
    wanted = [i.strip() for i in (ids or "").split(",") if i.strip()]
    known = [p.id for p in portals]
    if not wanted:
        raise SourcesError(f"{where}: -a portals= names no portal; give ids separated by commas "
                           f"({_listing(known)}), or leave -a portals out to crawl them all")
    unknown = [i for i in wanted if i not in known]
    if unknown:
        hints = [f"{u} (did you mean {m[0]}?)" if (m := difflib.get_close_matches(u, known, 1)) else u
                 for u in unknown]
        raise SourcesError(f"{where}: -a portals= names {'an id' if len(unknown) == 1 else 'ids'} the file does "
                           f"not have: {', '.join(hints)}; its ids are {_listing(known)}")
    return [p for p in portals if p.id in wanted]


# -- one entry -----------------------------------------------------------------

def _portal(entry, node, at: str) -> Portal:
    if not isinstance(entry, dict):
        raise SourcesError(f"{at}: expected a portal (id: …, name: …, start_urls: […]), found {_kind(entry)}")
    raw = _mapping_nodes(node)
    pid = entry.get("id")
    if pid is None or (isinstance(pid, str) and not pid.strip()):
        raise SourcesError(f"{at}: the entry has no id; add id: <letters, digits, '-', '_' or '.'>")
    pid = str(pid).strip()
    if not _ID.fullmatch(pid):
        raise SourcesError(f"{at}: id {pid!r} may hold only letters, digits, '-', '_' and '.'; rename it")
    at = f"{at} (id {pid})"
    unknown = [str(k) for k in entry if k not in KEYS and k not in LEDGER_KEYS]
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, KEYS, 1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise SourcesError(f"{at}: unknown key {key}; {hint}a portal's keys are {', '.join(KEYS)}")
    home = entry.get("home_url")
    if home is not None:
        problem = url_problem(home)
        if problem:
            raise SourcesError(f"{at}: home_url: {home!r} {problem}")
    urls = _start_urls(entry.get("start_urls"), at, has_home=home is not None)
    template = entry.get("template")
    template = "auto" if template is None else str(template)
    if template not in TEMPLATES:
        raise SourcesError(f"{at}: template {template!r} is not one of {', '.join(sorted(TEMPLATES))}; "
                           "leave it out to let govlaw recognise the portal's software")
    region = _region_code(entry.get("region_code"), raw.get("region_code"), at)
    hosts = _hosts(entry.get("hosts"), urls + ([home] if home else []), at)
    level = entry.get("level")
    if level is not None and level not in LEVELS:
        raise SourcesError(f"{at}: level {level!r} is not one of {', '.join(sorted(LEVELS))}")
    verified = entry.get("verified", True)
    if not isinstance(verified, bool):
        raise SourcesError(f"{at}: verified must be true or false, not {verified!r}")
    browser = _browser(entry.get("browser"), at)
    name = entry.get("name")
    name = pid if name is None or not str(name).strip() else str(name).strip()
    due = _due(entry.get("due"), at)
    return Portal(id=pid, name=name, start_urls=tuple(urls), region_code=region, template=template,
                  hosts=frozenset(hosts), verified=verified, home_url=home, level=level, browser=browser, due=due)


def due_problem(value) -> str | None:
    """Why `value` is not a due date written MM-DD (with the fix), or None."""
    import datetime as dt

    if not isinstance(value, str) or not re.fullmatch(r"\d{2}-\d{2}", value.strip()):
        return f"{value!r} must be a month and day written MM-DD in quotes, e.g. due: \"03-31\""
    month, day = map(int, value.strip().split("-"))
    try:
        dt.date(2024, month, day)  # a leap year, so 02-29 passes
    except ValueError:
        return f"{value!r} is not a day of the year; write MM-DD, e.g. due: \"03-31\""
    return None


def _due(value, at: str) -> str | None:
    if value is None:
        return None
    problem = due_problem(value)
    if problem:
        raise SourcesError(f"{at}: due {problem}")
    return value.strip()


def _browser(value, at: str) -> str:
    if value is None:
        return "auto"
    if isinstance(value, bool):  # YAML reads yes/no/on/off/true/false as booleans
        raise SourcesError(f"{at}: browser {str(value).lower()} is read by YAML as a boolean; write browser: "
                           f"{'always' if value else 'never'} (one of {', '.join(BROWSER_MODES)})")
    if str(value) not in BROWSER_MODES:
        raise SourcesError(f"{at}: browser {value!r} is not one of {', '.join(BROWSER_MODES)}; leave it out to "
                           "load a portal in a browser only when it answers with a script challenge")
    return str(value)


def _start_urls(value, at: str, has_home: bool = False) -> list[str]:
    if value is None or value == [] or value == "":
        if has_home:
            return []  # discovery finds the columns from the home page
        raise SourcesError(f"{at}: start_urls is missing; add start_urls: [https://<host>/<column>/], the "
                           "column page that lists the reports, or home_url: https://<host>/ to let govlaw "
                           "find it")
    urls = [value] if isinstance(value, str) else value
    if not isinstance(urls, list):
        raise SourcesError(f"{at}: start_urls must be a list of http(s) addresses, not {_kind(value)}")
    for url in urls:
        problem = url_problem(url)
        if problem:
            raise SourcesError(f"{at}: start_urls: {url!r} {problem}")
    return urls


def url_problem(url) -> str | None:
    """Why `url` cannot be crawled (with the fix), or None."""
    if not isinstance(url, str):
        return f"is {_kind(url)}, not an address; write the address as text (https://…)"
    if not url:
        return "is empty; write the column's address (https://…)"
    if re.search(r"\s", url):
        return "has a blank in it; remove it (a blank inside a path is written %20)"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"is not a valid address ({exc}); write it as https://<host>/<path>"
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"a {parts.scheme}: address" if parts.scheme else "not an absolute address"
        return f"is {scheme}; only http:// and https:// pages are crawled"
    host = parts.hostname
    if not host:
        return "has no host; write it as http(s)://<host>/<path>"
    if port == 0:
        return "has port 0; leave the port out or give the real one"
    if not _valid_host(host):
        return f"has an invalid host {host!r}; write it as http(s)://<host>/<path>"
    return None


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return bool(_HOST_NAME.fullmatch(host))


def _hosts(value, urls: list[str], at: str) -> set[str]:
    """Hosts (host or host:port) the crawl may follow. A single string is read
    as a one-element list."""
    if value is None or value == []:
        return {urlsplit(u).netloc.lower() for u in urls}
    hosts = [value] if isinstance(value, str) else value
    if not isinstance(hosts, list):
        raise SourcesError(f"{at}: hosts must be a list of host names, e.g. hosts: [www.example.gov.cn], "
                           f"not {_kind(value)}")
    out = set()
    for host in hosts:
        name = None
        if isinstance(host, str) and host.strip() and not re.search(r"[\s/@?#]", host.strip()):
            host = host.strip().lower()
            try:
                parts = urlsplit("//" + host)
                name, _ = parts.hostname, parts.port
            except ValueError:
                name = None
        if not name or not _valid_host(name):
            raise SourcesError(f"{at}: hosts: {host!r} is not a host name; write host names such as "
                               "www.example.gov.cn (add :port when the portal uses one), not addresses")
        out.add(host)
    return out


def _region_code(value, node, at: str) -> str | None:
    """A 6-digit GB/T 2260 code. Quoted in the file it is taken as written. A
    YAML number is accepted only if it is 6 digits once zero-padded; a number
    YAML read in another base is refused with the fix: YAML reads 011000 as
    the octal number 4608."""
    if value is None:
        return None
    written = node.value if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, str):
        code = value.strip()
        if not re.fullmatch(r"\d{6}", code):
            raise SourcesError(f"{at}: region_code {code!r} must be 6 digits (GB/T 2260), "
                               "e.g. region_code: \"441500\"")
        return code
    if isinstance(value, bool) or not isinstance(value, int):
        raise SourcesError(f"{at}: region_code {written or value!r} must be 6 digits, in quotes: "
                           "region_code: \"441500\"")
    if written is None:
        # No text to go by: an int of fewer than 6 decimal digits whose octal
        # spelling, zero-padded, is 6 digits was most likely a code with a
        # leading 0 that YAML read as octal.
        spelled = format(value, "o").zfill(6) if value > 0 else ""
        if len(str(value)) < 6 and len(spelled) == 6:
            written = spelled
    if written is not None and re.fullmatch(r"[-+]?0[0-7_]+", written):
        raise SourcesError(f"{at}: region_code {written} is read by YAML as the octal number {value}; "
                           f"quote it: region_code: \"{written}\"")
    if written is not None and not re.fullmatch(r"[1-9][0-9]*|0", written):
        raise SourcesError(f"{at}: region_code {written} is read by YAML as the number {value}; "
                           "write the 6 digits in quotes: region_code: \"441500\"")
    code = str(value).zfill(6)
    if value < 0 or len(code) != 6:
        raise SourcesError(f"{at}: region_code {value} must be 6 digits (a number is accepted only if it is "
                           "6 digits once zero-padded); write the code in quotes: region_code: \"441500\"")
    return code


# -- helpers -------------------------------------------------------------------

def _at(where: str, node, index: int) -> str:
    if node is not None:
        return f"{where} line {node.start_mark.line + 1}, entry {index}"
    return f"{where} entry {index}"


def _mapping_nodes(node) -> dict:
    """Key → value node of a YAML mapping node (for the text as written)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _kind(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"a {type(value).__name__}"


def _listing(ids: list[str], limit: int = 12) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "") if ids else "(none)"
