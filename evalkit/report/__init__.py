"""Figures, tables and disclosure control for evaluation reports."""
