"""The one-line progress display of ``archlint audit`` (the CLI redraws it with ``\\r`` on a TTY)."""

from __future__ import annotations

WIDTH = 28


def progress_line(done: int, total: int, errors: int, elapsed: float) -> str:
    filled = WIDTH * done // total if total else WIDTH
    eta = f"  ETA {elapsed / done * (total - done):.0f} s" if done and done < total else ""
    failed = f"  {errors} errors" if errors else ""
    return f"audit [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} runs  {elapsed:.1f} s{eta}{failed}"
