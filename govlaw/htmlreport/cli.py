"""`govlaw report`: write the HTML report from the analysts' database."""
from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="write the HTML report (<output>/report/) from <output>/govlaw.db",
                       description="Write static HTML pages from <output>/govlaw.db into <output>/report/: "
                                   "open report/index.html in a browser, no server needed.")
    p.add_argument("--output", default="output", help="the output directory (default: output)")
    p.set_defaults(func=main)


def main(args) -> int:
    from govlaw.errors import report as report_error
    from govlaw.errors import user_error_types
    from govlaw.htmlreport import write_report

    try:
        index = write_report(args.output)
    except user_error_types() as exc:
        return report_error(exc, getattr(args, "debug", False))
    except OSError as exc:
        sys.stderr.write(f"govlaw: cannot write {args.output}/report: {exc.strerror or exc}\n")
        return 1
    print(f"report written: {index}")
    return 0
