"""govlaw's own signals, sent through the crawler's SignalManager
(crawler.signals.send_catch_log) like Scrapy's."""

# A portal's requests have drained and what it gave was committed to the state.
# Arguments: portal (its id), summary (the portal's counts, as in runs/<run>.json),
# done (portals finished so far this run), total (portals in the run).
portal_finished = object()
