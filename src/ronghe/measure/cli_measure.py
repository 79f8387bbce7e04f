"""`ronghe measure …`: integration indicators, comparisons and reports."""

import click


@click.group()
def measure() -> None:
    """Integration indicators from stored IO tables."""
