"""Several machines: a run's portals leased from a Redis queue
(`queue.py`, `worker.py`), its state in a shared PostgreSQL database
(govlaw.state.postgres), the commands `govlaw queue` and `govlaw status`
(`cli.py`)."""
