"""``deskstate watch``: a live terminal view of a desk, built on the Store (``deskstate[tui]``).

- :mod:`deskstate.tui.app`: the Textual app, :class:`WatchApp`, and :func:`run_watch`;
- :mod:`deskstate.tui.feed`: the reader that feeds the Store off the UI thread;
- :mod:`deskstate.tui.view`: what the panes show, as memoised selectors, and how it reads.

Importing this package imports Textual: the command line imports it only for ``watch``.
"""

from deskstate.tui.app import DEFAULT_HISTORY, WatchApp, run_watch
from deskstate.tui.feed import LogSource

__all__ = ["DEFAULT_HISTORY", "LogSource", "WatchApp", "run_watch"]
