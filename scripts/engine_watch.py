"""End a plugin process once the Pulumi engine that started it is gone.

The engine starts each plugin (a language host, a resource provider) in a process group of its own,
so a signal to the CLI's group never reaches them, and a killed CLI cannot stop them: left alone they
would serve a dead engine forever. A plugin is the engine's child, so the engine's end shows in the
plugin at once as a new parent (init, or a subreaper): a watcher thread polls ``os.getppid()`` and,
when it changes, runs the plugin's clean-up and ends the process. (Pulumi's own Go plugins ping the
engine's health service every few minutes to the same end; the parent check costs no call and acts
within a second.)

Used by ``pulumi_language_python.py`` and ``pulumi_dynamic_provider.py``; the native plugin has the
same check in ``pulumi_macie_provider.hosts.native``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

#: Seconds between two looks at the parent.
INTERVAL = 0.25


def exit_with_parent(cleanup: Callable[[], None] | None = None, interval: float = INTERVAL) -> threading.Thread:
    """Watch this process's parent from a daemon thread; once it is gone, run ``cleanup`` and exit."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        try:
            if cleanup is not None:
                cleanup()
        finally:
            os._exit(0)

    thread = threading.Thread(target=watch, name="engine-watch", daemon=True)
    thread.start()
    return thread
