"""Every example in every docstring of evalkit runs and prints what it says."""

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import evalkit

matplotlib.use("Agg")

MODULES = sorted(m.name for m in pkgutil.walk_packages(evalkit.__path__, "evalkit."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, report=True
    )
    assert result.failed == 0
