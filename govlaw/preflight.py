"""What a user can get wrong, checked before the crawler starts: settings,
spider arguments, the sources file and the portals chosen from it, and the
output directory. Each mistake is a GovlawError with a one-line message.

The spider and the run check the same things again when they start (the
sources when the spider is made, the output directory when the run opens it),
so a crawl started any other way (scrapyd, a script) fails for the same
reasons with the same sentences.
"""
from __future__ import annotations

import difflib

from govlaw import sources as sources_mod
from govlaw.errors import GovlawError
from govlaw.run import check_output_dir, check_state_path

SPIDER_ARGS = ("sources", "portals", "full")


class SettingsError(GovlawError):
    """A setting or a spider argument that cannot be used."""


def _whole(minimum: int):
    def check(settings, name):
        value = settings.get(name)
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
        if number is None or number < minimum:
            return f"must be a whole number of at least {minimum}"
        return None
    return check


def _seconds(settings, name):
    value = settings.get(name)
    try:
        number = float(str(value).strip())
    except ValueError:
        return "must be a number of seconds"
    if number < 0 or number != number:
        return "must be a number of seconds, 0 or more"
    return None


def _boolean(settings, name):
    try:
        settings.getbool(name)
    except ValueError:
        return "must be true or false (1 or 0)"
    return None


def _path(optional: bool):
    def check(settings, name):
        value = settings.get(name)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            return "must be a path"
        return None
    return check


def _text(settings, name):
    value = settings.get(name)
    return None if value is None or isinstance(value, str) else "must be text"


# govlaw's own settings: how to check each, and an example value for the fix.
GOVLAW_SETTINGS = {
    "GOVLAW_OUTPUT_DIR": (_path(False), "/srv/govlaw"),
    "GOVLAW_STATE_PATH": (_path(True), "/srv/govlaw/state.sqlite"),
    "GOVLAW_STATE_URL": (_path(True), "sqlite:////srv/govlaw/state.sqlite"),
    "GOVLAW_MAX_LISTING_PAGES": (_whole(1), "200"),
    "GOVLAW_KNOWN_MARGIN": (_whole(0), "10"),
    "GOVLAW_PREFILTER_TITLES": (_boolean, "true"),
    "GOVLAW_RETRY_BASE_DELAY": (_seconds, "2"),
    "GOVLAW_RETRY_MAX_DELAY": (_seconds, "300"),
    "GOVLAW_CONTACT": (_text, "mailto:you@example.org"),
}


def known_settings() -> set[str]:
    """govlaw's settings: the checked ones and any other the settings module defines."""
    from govlaw import settings as module

    return set(GOVLAW_SETTINGS) | {n for n in vars(module) if n.startswith("GOVLAW_")}


def _by_default(name: str):
    """A govlaw setting without an entry above is checked by the type of its
    default in govlaw.settings: a whole number, a number, true/false or text."""
    from govlaw import settings as module

    default = getattr(module, name, None)
    if isinstance(default, bool):
        return _boolean, str(default).lower()
    if isinstance(default, int):
        return _whole(0), str(default)
    if isinstance(default, float):
        return _seconds, str(default)
    if isinstance(default, str):
        return _text, default
    return None, None


def check_settings(settings) -> None:
    from scrapy.settings import SETTINGS_PRIORITIES, default_settings

    cmdline = SETTINGS_PRIORITIES["cmdline"]
    known = known_settings()
    for name in sorted(settings.attributes):
        given = settings.getpriority(name) is not None and settings.getpriority(name) >= cmdline
        if name.startswith("GOVLAW_"):
            if name not in known:
                if not given:
                    continue
                close = difflib.get_close_matches(name, sorted(known), 1)
                hint = f"did you mean {close[0]}? " if close else ""
                raise SettingsError(f"setting {name} (-s {name}=…) is not a govlaw setting; {hint}"
                                    f"govlaw's settings are {', '.join(sorted(known))}")
            check, example = GOVLAW_SETTINGS.get(name) or _by_default(name)
            problem = check(settings, name) if check else None
            if problem:
                raise SettingsError(f"setting {name}={settings.get(name)!r} {problem}; "
                                    f"e.g. -s {name}={example}")
        elif given:
            # A Scrapy setting given on the command line: it must read as the
            # type of its default, or Scrapy fails with a traceback mid-start.
            # (Scrapy reads some int defaults, DOWNLOAD_DELAY's 0, as floats.)
            default = getattr(default_settings, name, None)
            kind = type(default)
            try:
                if kind is bool:
                    settings.getbool(name)
                elif kind in (int, float):
                    settings.getfloat(name)
            except (TypeError, ValueError):
                word = "true or false (1 or 0)" if kind is bool else "a number"
                raise SettingsError(f"setting {name}={settings.get(name)!r} must be {word}; "
                                    f"e.g. -s {name}={default}") from None


def check_spider_args(spargs: dict) -> None:
    for name in spargs:
        if name in SPIDER_ARGS or name.startswith("_"):  # _job: scrapyd's own
            continue
        close = difflib.get_close_matches(name, SPIDER_ARGS, 1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise SettingsError(f"spider argument -a {name}=… is not one the reports spider takes; {hint}"
                            f"its arguments are {', '.join(SPIDER_ARGS)}")


def check(settings, spargs: dict) -> list:
    """Everything above, in the order a user would fix it; the portals to crawl."""
    check_settings(settings)
    check_spider_args(spargs)
    portals = sources_mod.load(spargs.get("sources"))
    if "portals" in spargs:
        portals = sources_mod.select(portals, spargs["portals"], spargs.get("sources"))
    check_output_dir(settings.get("GOVLAW_OUTPUT_DIR") or "output")
    from govlaw.state.url import state_location

    output = settings.get("GOVLAW_OUTPUT_DIR") or "output"
    if settings.get("GOVLAW_STATE_URL") or settings.get("GOVLAW_STATE_PATH"):
        where = state_location(settings, output)
        if not isinstance(where, str):  # a file; a database server is checked when it is opened
            check_state_path(where)
    return portals
