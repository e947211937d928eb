"""The errors and warnings evalkit raises.

Every error is an :class:`EvalkitError`, which is a :class:`ValueError`, so
``except ValueError`` keeps working for callers who do not know evalkit. The
message says what was wrong, where (column, rows, values) and what to do.

Warnings (:class:`EvalkitWarning`) mark inputs that are legal but fragile: the
numbers are computed, and the warning says what they rest on.
"""

from __future__ import annotations


class EvalkitError(ValueError):
    """Base class of every error evalkit raises on bad input or an impossible design."""


class ColumnError(EvalkitError):
    """A column named in a call is absent from the data frame, or named twice."""


class TreatmentError(EvalkitError):
    """The treatment column is not 0/1 or boolean, or one arm is empty."""


class OutcomeError(EvalkitError):
    """An outcome or covariate is not numeric, or not 0/1 where a binary outcome is needed."""


class MissingValueError(EvalkitError):
    """A column used by the call holds missing values and no ``missing=`` policy allows them."""


class DesignError(EvalkitError):
    """The design cannot support the estimator: empty blocks, clusters split across arms,
    collinear covariates, no variance to estimate a standard error from."""


class ArgumentError(EvalkitError):
    """An argument has an invalid value (alpha outside (0, 1), an unknown method name...)."""


class EvalkitWarning(UserWarning):
    """Base class of evalkit's warnings: the input is legal but the result is fragile."""


class FragileDesignWarning(EvalkitWarning):
    """Few clusters, a block with one unit in an arm, an arm with no outcome variance."""


class SmallSubgroupWarning(FragileDesignWarning):
    """A subgroup has an arm of fewer persons than asked for (``min_size``); counts under
    the disclosure threshold are written as "fewer than 5", never as the number."""


class ConvergenceWarning(EvalkitWarning):
    """An iterative fit stopped before converging; the message says what the numbers mean."""


class MissingValueWarning(EvalkitWarning):
    """Rows were dropped under ``missing="drop"``; the warning gives the count."""
