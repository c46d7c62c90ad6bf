"""What ``interlocal serve`` sets up around uvicorn: the log, the grace period for requests
in flight at SIGTERM, and the folder where several workers keep their metrics.

Imports nothing of prometheus_client: the folder must be named in the environment before
any process imports it.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.config import Settings

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for the log and for shutting down."""
    from app.operations.logs import log_config

    return {
        "log_config": log_config(settings.log_format, settings.log_level),
        "access_log": False,  # ours (interlocal.access) has the route and the request id
        "timeout_graceful_shutdown": settings.graceful_shutdown_seconds,
    }


@contextmanager
def metrics_folder(workers: int) -> Iterator[None]:
    """Several workers share their metrics through files in ``PROMETHEUS_MULTIPROC_DIR``
    (prometheus_client's multiprocess mode): a folder the host names, emptied of the last
    run's files, or else with more than one worker a temporary one, removed at exit."""
    given = os.environ.get(MULTIPROC_DIR)
    if given:
        for stale in Path(given).glob("*.db"):
            stale.unlink(missing_ok=True)
        yield
        return
    if workers <= 1:
        yield
        return
    folder = tempfile.mkdtemp(prefix="interlocal-metrics-")
    os.environ[MULTIPROC_DIR] = folder  # the workers inherit it
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_DIR, None)
        shutil.rmtree(folder, ignore_errors=True)
