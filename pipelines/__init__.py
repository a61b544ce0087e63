"""Scrapy item pipelines: normalize → dedupe → feed. Thin adapters over govlaw."""
