"""The `ronghe` command.

Sub-command groups live beside the code they drive (``ronghe.measure.cli``, ``ronghe.platform.cli``); this
module only assembles them and turns :class:`~ronghe.errors.InputError` into one line on stderr and a
non-zero exit status, never a traceback.
"""

from __future__ import annotations

import sys

import click

from ronghe import __version__
from ronghe.errors import InputError


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"error: {exc.one_line()}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ronghe")
def main() -> None:
    """融合 ronghe: measure and broker the integration of manufacturing and producer services."""


def _register() -> None:
    from ronghe.measure.cli import data, measure

    main.add_command(data)
    main.add_command(measure)
    from ronghe.match.cli import match

    main.add_command(match)
    from ronghe.platform.cli import register as register_platform

    register_platform(main)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
