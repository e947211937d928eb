"""Programme economics: outcome payments, projections, milestone grants, full-year
persons, the reimbursement staircase and business cases.

Employment projects in Denmark are paid for by their outcomes or justified by their
savings; these functions compute those figures from the same weekly panels as the effects,
with honest uncertainty.
"""
