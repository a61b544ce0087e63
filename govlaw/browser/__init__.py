"""A real headless browser for the portals that answer plain clients with a
script challenge, and only for them (see govlaw.browser.middleware)."""
from govlaw.browser.challenge import is_script_challenge
from govlaw.browser.middleware import MODES, BrowserChallengeMiddleware

__all__ = ["BrowserChallengeMiddleware", "MODES", "is_script_challenge"]
