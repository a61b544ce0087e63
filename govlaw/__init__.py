"""govlaw: find, clean and track China's annual reports on building law-based government."""
__version__ = "0.1.0"
