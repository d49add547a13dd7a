"""`manage.py bench`: load a large organisation into its own database and measure the pages.

The work is in bench/ (runner.py from start to end; data.py the load, http.py and queries.py the
measuring, report.py the table); README.md, "Benchmarks", lists every module.
BENCHMARKS.md holds the last full run and says how to read it.
"""

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bench import runner


class Command(BaseCommand):
    help = (
        "Build a help desk of --tickets tickets in its own PostgreSQL database (--database), serve it with "
        "gunicorn on 127.0.0.1 and measure each page; writes BENCHMARKS.md."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        defaults = runner.Options()
        parser.add_argument("--tickets", type=int, help=f"How many tickets (default {defaults.tickets:,}).")
        parser.add_argument("--database", default=defaults.database, help="The bench database's name.")
        parser.add_argument("--fresh", action="store_true", help="Drop and recreate the bench database first.")
        parser.add_argument("--skip-load", action="store_true", help="Measure the data already loaded.")
        parser.add_argument("--seconds", type=float, help="Seconds of concurrent load per page (default 15).")
        parser.add_argument("--requests", type=int, help="Sequential requests per page (default 300).")
        parser.add_argument("--connections", type=int, help="Concurrent connections (default 8).")
        parser.add_argument("--output", default=defaults.output, help="Where to write the report.")
        parser.add_argument("--quick", action="store_true", help="CI scale: few tickets, few requests, short loads.")
        parser.add_argument("--seed", type=int, default=defaults.seed, help="Random seed of the generated data.")
        parser.add_argument("--no-notifications", action="store_true", help="Leave out the delivery benchmark.")
        parser.add_argument("--no-intake", action="store_true", help="Leave out the email intake benchmark.")
        # The measuring process the command starts for itself, with the bench database's environment.
        parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: str, **options: Any) -> None:
        def log(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        try:
            if options["inner"]:
                code = runner.run_inner(runner.options_from_environment(), log)
            else:
                code = runner.run_outer(self._options(options), log)
        except runner.BenchError as error:
            raise CommandError(str(error)) from error
        if code:
            raise CommandError("The benchmark finished with errors: see above.", returncode=code)

    def _options(self, given: dict) -> runner.Options:
        values = runner.Options.quick_defaults() if given["quick"] else {}
        for name in ("tickets", "seconds", "requests", "connections"):
            if given[name] is not None:
                values[name] = given[name]
        values.update({name: given[name] for name in ("database", "fresh", "skip_load", "output", "quick", "seed")})
        values["notifications"] = not given["no_notifications"]
        values["intake"] = not given["no_intake"]
        values["command"] = runner.describe_command(sys.argv)
        return runner.Options(**values)
