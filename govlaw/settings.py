"""Scrapy settings for govlaw. Politeness first: these crawl public servants' servers."""

BOT_NAME = "govlaw"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` checks settings, sources and the output directory before the
# crawler starts, and says what is wrong in one line (govlaw/commands/crawl.py).
COMMANDS_MODULE = "govlaw.commands"

# Who we are and how to reach us: portals' operators read their logs. The
# User-Agent is built from GOVLAW_CONTACT (set it to your project's address
# or mailbox) unless USER_AGENT itself is set.
GOVLAW_CONTACT = "https://github.com/govlaw/govlaw"
USER_AGENT = None

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated page is an error to retry, never a page to read
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening control port on a scheduled crawler
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    "govlaw.middleware.AddressGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "govlaw.middleware.BackoffRetryMiddleware": 550,
    "govlaw.middleware.DelayMiddleware": 560,
}
# Retries wait GOVLAW_RETRY_BASE_DELAY × 2^n seconds (±20%), or what Retry-After asks, at most the cap.
GOVLAW_RETRY_BASE_DELAY = 2.0
GOVLAW_RETRY_MAX_DELAY = 300.0

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.feed.FeedPipeline": 300,
}

# Where the feed and the state live.
GOVLAW_OUTPUT_DIR = "output"
GOVLAW_STATE_PATH = None          # default: <output>/state.sqlite
# States kept in <output>/backups/, one per committed run, newest first (0: none).
GOVLAW_STATE_BACKUPS = 3
# Pages far beyond any report's size are refused unread (page:too_large): bytes of an
# HTML/text page (files keep DOWNLOAD_MAXSIZE), and characters of a report's text. 0: no cap.
GOVLAW_MAX_PAGE_BYTES = 4 * 1024 * 1024
GOVLAW_MAX_PAGE_CHARS = 400_000
# Known reports asked for again (conditionally) on a re-run: those of the last
# GOVLAW_REVALIDATE_RECENT_YEARS years (report year or publish date) on every run,
# older ones once GOVLAW_REVALIDATE_OLD_DAYS days have passed since they were last
# confirmed (0: on every run too). `-a full=1` asks for everything.
GOVLAW_REVALIDATE_RECENT_YEARS = 2
GOVLAW_REVALIDATE_OLD_DAYS = 30
# How far a listing is walked.
GOVLAW_MAX_LISTING_PAGES = 200
# Skip listing entries whose title rules them out (no 法治/依法行政/报告/情况 and not truncated).
GOVLAW_PREFILTER_TITLES = True
# Pages a portal given by its home page alone may spend to find its report columns.
GOVLAW_DISCOVERY_BUDGET = 40
