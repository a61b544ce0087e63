"""Extraction: page → draft report (body, metadata, sections, detection)."""
from govlaw.extract.page import Extraction, Hints, extract_html, extract_text

__all__ = ["Extraction", "Hints", "extract_html", "extract_text"]
