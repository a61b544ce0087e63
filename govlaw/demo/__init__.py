"""Demo portals: five local web sites that imitate real government portals.

``python -m govlaw.demo`` serves them; ``DemoPortals`` does the same inside a
test.  ``catalog`` tells which documents each portal lists and where.
"""

from .catalog import (Document, Portal, article_path, documents_for, load_documents,
                      load_portals)
from .server import DemoPortals

__all__ = ["DemoPortals", "Document", "Portal", "article_path", "documents_for",
           "load_documents", "load_portals"]
