"""Running one function in several threads at the same moment, as concurrent workers would."""

import threading

from django.db import connection


def at_once(function, *, threads: int) -> tuple[list, list[Exception]]:
    """Calls `function` in `threads` threads that a barrier releases together, each on its own
    database connection (closed when it is done). Returns what the calls returned and the
    exceptions they raised, which a thread would otherwise lose."""
    start = threading.Barrier(threads)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(function())
        except Exception as error:  # reported to the caller, with the others
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return results, errors
