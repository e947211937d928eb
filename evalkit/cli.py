"""The ``evalkit`` command.

``evalkit example`` runs an example evaluation end to end on a public randomized
trial (the National Supported Work demonstration): effects of the job-training
offer on 1978 earnings and employment by every estimator, printed and written as
a tidy CSV table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from . import (
    __version__,
    ancova,
    difference_in_means,
    fisher_exact,
    lin_estimator,
    risk_difference,
    risk_ratio,
)
from .datasets import load_nsw
from .errors import EvalkitError

NSW_COVARIATES = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]


def example_evaluation(out: Path) -> pd.DataFrame:
    """Evaluate the NSW trial with every estimator; write ``effects.csv`` to ``out``."""
    nsw = load_nsw()
    results = [
        difference_in_means(nsw, "re78", "treat"),
        difference_in_means(nsw, "re78", "treat", blocks="nodegree"),
        lin_estimator(nsw, "re78", "treat", NSW_COVARIATES),
        ancova(nsw, "re78", "treat", NSW_COVARIATES),
        risk_difference(nsw, "employed78", "treat"),
        risk_ratio(nsw, "employed78", "treat"),
        fisher_exact(nsw, "employed78", "treat"),
    ]
    print(
        f"NSW job-training trial (Dehejia-Wahba sample): {int(nsw['treat'].sum())} treated, "
        f"{int((nsw['treat'] == 0).sum())} controls\n"
    )
    for result in results:
        print(result.summary(), end="\n\n")
    table = pd.concat([r.to_frame().query("term == 'treat'") for r in results], ignore_index=True)
    from .output import OutputLog, check_folder
    from .report import export_table

    out = check_folder(out)
    log = OutputLog(out)
    # NSW is a public data set (LaLonde 1986); the table holds no counts of persons.
    export_table(table, out / "effects.csv", count_columns=[], source="public", log=log)
    log.write()
    print(f"Wrote {len(table)} effects to {out / 'effects.csv'}")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="evalkit", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    example = commands.add_parser(
        "example", help="run an example evaluation of a public randomized trial (NSW)"
    )
    example.add_argument("--out", type=Path, default=Path("evalkit-output"), help="output folder")
    rebuild = commands.add_parser(
        "reproduce",
        help="rebuild every project's evaluation figures and tables from the packaged data",
    )
    rebuild.add_argument("--project", action="append", help="only this project (repeatable)")
    rebuild.add_argument("--out", type=Path, default=Path("evalkit-output"), help="output folder")
    rebuild.add_argument("--lang", choices=("en", "da"), default="en", help="label language")
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")
    rebuild.add_argument(
        "--format",
        default="html",
        help="what to write besides the files: html (index.html, the default), docx (one "
        "Word document per project), xlsx (one Excel workbook per project: a contents sheet "
        "and a sheet per table), or several, comma-separated (html,docx,xlsx)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "example":
            example_evaluation(args.out)
        elif args.command == "reproduce":
            from .reproduce import check_formats, reproduce

            artifacts = reproduce(
                args.out, args.project, args.lang, progress=not args.quiet, formats=args.format
            )
            formats = check_formats(args.format)
            where = [str(args.out / "index.html")] if "html" in formats else []
            for fmt, what in (("docx", "Word documents"), ("xlsx", "Excel workbooks")):
                if fmt in formats:
                    where.append(f"the {what} in {args.out}/<project>/<project>.{fmt}")
            print(f"Wrote {len(artifacts)} figures and tables; open {' or '.join(where)}")
    except EvalkitError as error:
        print(f"evalkit: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
