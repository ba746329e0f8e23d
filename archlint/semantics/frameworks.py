"""Framework behaviour the interpreter cannot read from the code: what a framework does with the
objects a project hands it (a DRF serializer given a queryset with ``many=True`` reads every field
of every row)."""

from __future__ import annotations


def instantiate_hook(frame, node, cls, args):
    """A project class instantiated: a framework may act on the arguments.  ``None`` = no hook."""
    return None
