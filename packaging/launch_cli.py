"""Entry point of the frozen ``jwtdesk`` command (packaging/jwtdesk.spec)."""

import multiprocessing

from jwtdesk.cli import run

if __name__ == "__main__":
    # A frozen app has no interpreter to start worker processes with: the executable itself
    # is re-run, and this hands such a run to multiprocessing (a no-op otherwise).
    multiprocessing.freeze_support()
    run()  # exits (fast for `audit`, see jwtdesk.cli.run)
