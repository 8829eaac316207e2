"""Multi-document news briefs with sentence-level attribution."""

__version__ = "0.1.0"
