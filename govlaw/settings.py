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
# A page gives one report, a listing a few dozen requests, and the pipelines
# are synchronous: Scrapy's default of 100 would only start 100 idle asyncio
# tasks for every response, on the reactor's CPU.
CONCURRENT_ITEMS = 8
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
    # After decompression (590), before retries: a script challenge goes to the browser.
    "govlaw.browser.BrowserChallengeMiddleware": 580,
    # Responses of portals not yet committed, kept for a killed run's successor.
    "govlaw.replay.ResponseJournalMiddleware": 900,
}
GOVLAW_JOURNAL_BATCH = 10
GOVLAW_JOURNAL_INTERVAL = 0.5
# The browser fallback (govlaw/browser/): portals answering with a script challenge
# (412/468/521 with a script, or a page that is only one) are loaded in headless
# Chromium, started on first need; its cookies then serve plain requests. At most
# GOVLAW_BROWSER_MAX_PAGES pages at once, GOVLAW_BROWSER_TIMEOUT seconds a page, the
# challenge seen at most GOVLAW_BROWSER_MAX_RELOADS times more in one visit; a portal
# failing GOVLAW_BROWSER_MAX_TRIES visits in a row is given up for the run and flagged.
GOVLAW_BROWSER_ENABLED = True
GOVLAW_BROWSER_EXECUTABLE = "/usr/bin/chromium"   # Debian's chromium package
GOVLAW_BROWSER_MAX_PAGES = 2
GOVLAW_BROWSER_TIMEOUT = 20.0
GOVLAW_BROWSER_MAX_RELOADS = 5
GOVLAW_BROWSER_MAX_TRIES = 3
# Retries wait GOVLAW_RETRY_BASE_DELAY × 2^n seconds (±20%), or what Retry-After asks, at most the cap.
GOVLAW_RETRY_BASE_DELAY = 2.0
GOVLAW_RETRY_MAX_DELAY = 300.0

# The stock scheduler, counting what it holds per portal, so that each portal
# is committed to the state as soon as its requests have drained.
SCHEDULER = "govlaw.scheduler.PortalScheduler"
# How often drained portals are looked for and committed, in seconds (0: all
# at the end), and how often the feed files are brought up to date meanwhile.
# Often: a drained portal holds its place in the window below until committed
# (at 2 s, a 100-portal crawl of the loopback farm waited a second in four).
GOVLAW_COMMIT_INTERVAL = 0.5
# Portals crawled at once: the next is opened when one is committed.
GOVLAW_OPEN_PORTALS = 64
GOVLAW_FEED_INTERVAL = 300.0

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.feed.FeedPipeline": 300,
}

# Where the feed and the state live.
GOVLAW_OUTPUT_DIR = "output"
# The state: GOVLAW_STATE_URL (sqlite:///PATH; see govlaw/state/url.py), or the
# file GOVLAW_STATE_PATH names; by default <output>/state.sqlite.
GOVLAW_STATE_URL = None
# Distributed mode (govlaw/distributed/): with GOVLAW_REDIS_URL set, a worker takes
# the run's portals from the queue `govlaw queue` filled, leasing each for
# GOVLAW_LEASE_SECONDS at a time (renewed while it works), and exits when nothing is
# queued or leased (GOVLAW_WAIT_FOR_PORTALS: waits for the next run instead).
GOVLAW_REDIS_URL = None
GOVLAW_REDIS_PREFIX = "govlaw"
GOVLAW_LEASE_SECONDS = 60.0
GOVLAW_MAX_LEASES = 3          # a portal whose worker died this many times is given up (failed)
GOVLAW_WAIT_FOR_PORTALS = False
GOVLAW_STATE_PATH = None
# States kept in <output>/backups/, one per committed run, newest first (0: none).
GOVLAW_STATE_BACKUPS = 3
# Pages far beyond any report's size are refused unread (page:too_large): bytes of an
# HTML/text page (files keep DOWNLOAD_MAXSIZE), and characters of a report's text. 0: no cap.
GOVLAW_MAX_PAGE_BYTES = 4 * 1024 * 1024
GOVLAW_MAX_PAGE_CHARS = 400_000
# Pages and files are read in worker processes (govlaw.extract.pool): None, one
# per core; 0, in the crawling process itself. A reading that takes longer than
# GOVLAW_EXTRACT_TIMEOUT seconds (None: twice the file parser's 30 s limit)
# rejects its page as page:parse_timeout.
GOVLAW_EXTRACT_WORKERS = None
GOVLAW_EXTRACT_TIMEOUT = None
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

# For analysts (govlaw/analysts): after each run's feed, reports.csv and ledger.csv
# (UTF-8 with a BOM, for Excel), govlaw.db (SQLite with full-text search) and
# govlaw.metadata.json (for Datasette). `govlaw ledger` writes them again from the state.
GOVLAW_ANALYST_EXPORTS = True
# ... and brought up to date every this many seconds while the run goes on, in a process
# of their own, so that the end of a run exports only what its last portals changed (0: at the end only).
GOVLAW_ANALYST_REFRESH = 10.0
EXTENSIONS = {"govlaw.analysts.extension.AnalystExports": 500}
# Report years of the ledger: "2019-2024", "2021-" (to last year), "2022,2024";
# None: 2019 (the first year of the duty) to last year.
GOVLAW_LEDGER_YEARS = None
# The annual report is due by this day (MM-DD) of the next year; a source may say `due: "03-31"`.
GOVLAW_REPORT_DUE = "04-01"
# Report bodies in reports.csv too (off: a spreadsheet cell holds 32,767 characters at most).
GOVLAW_ANALYST_CSV_BODIES = False
# The sources file whose governments the ledger accounts for (None: the run's portals).
GOVLAW_LEDGER_SOURCES = None

# Progress in the log (govlaw/progress.py): a line every GOVLAW_PROGRESS_INTERVAL seconds
# (0: none), one per portal as its part of the run is committed, one at the end. It
# takes the place of Scrapy's LogStats line (its pages per minute are in it).
GOVLAW_PROGRESS_INTERVAL = 30
EXTENSIONS = {**EXTENSIONS, "govlaw.progress.Progress": 100, "scrapy.extensions.logstats.LogStats": None}
# What Scrapy keeps per host (govlaw/hosts.py): a host's robots.txt parser and idle download
# slot are dropped once every portal that declares the host is committed, and idle
# keep-alive connections closed after this many seconds (Twisted's default: 240).
EXTENSIONS = {**EXTENSIONS, "govlaw.hosts.FinishedHostsRelease": 110}
GOVLAW_IDLE_CONNECTION_TIMEOUT = 15.0
DOWNLOAD_HANDLERS = {"http": "govlaw.hosts.PortalHTTPDownloadHandler",
                     "https": "govlaw.hosts.PortalHTTPDownloadHandler"}
# The HTML report (govlaw/htmlreport): <output>/report/ written from govlaw.db after each
# run; `govlaw report` writes it on demand.
GOVLAW_HTML_REPORT = True
