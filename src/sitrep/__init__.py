"""sitrep: conflict news in, sourced events out."""

__version__ = "0.2.0"
