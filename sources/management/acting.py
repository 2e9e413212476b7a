"""The `--as USERNAME` option of every command that writes.

A command's changes go through the services like any other, and they need an acting user:
the one named with `--as`, or the system account (`sources.audit.SYSTEM_USERNAME`), which
says in the history that the change came from a command rather than a person.
"""

from argparse import ArgumentParser
from typing import Any

from sources.audit import SYSTEM_USERNAME, user_named


def add_acting_user_argument(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="acting_username",
        metavar="USERNAME",
        default="",
        help=f"The user the changes are recorded as (default: the '{SYSTEM_USERNAME}' account).",
    )


def acting_user_from(options: dict[str, Any]) -> Any:
    """The user named by `--as`, or the system account; CommandError for an unknown name."""
    return user_named(options.get("acting_username"))
