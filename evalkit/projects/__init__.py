"""Project evaluations, one module per project: used by the notebooks and `evalkit reproduce`."""
