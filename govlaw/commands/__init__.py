"""Scrapy commands of the govlaw project (COMMANDS_MODULE in govlaw.settings)."""
