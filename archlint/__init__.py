"""archlint: architecture and data-layer linter for Python and Node.js web backends.

Python API::

    import archlint
    result = archlint.check(["path/to/repo"])          # same data as `archlint check --format json`
    result["findings"][0]["rule"]
"""

from __future__ import annotations

import os

__version__ = "0.1.0"


def check(paths, config: str | os.PathLike | None = None) -> dict:
    """Analyse ``paths`` (one path or a list) and return the JSON report as a dict.

    Raises ``archlint.domain.config.ConfigError`` for a bad config or a missing path.
    """
    from archlint.application.pipeline import Options, run_check

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    options = Options(config_path=os.fspath(config) if config is not None else None, keep_model=False)
    return run_check([os.fspath(p) for p in paths], options).to_dict()
