"""State: the only memory between runs, behind one small interface."""
from govlaw.state.base import OutputLocked, Store
from govlaw.state.sqlite import SQLiteStore

__all__ = ["OutputLocked", "Store", "SQLiteStore", "open_store"]


def open_store(path) -> Store:
    return SQLiteStore(path)
