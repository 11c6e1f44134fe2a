"""`make run` (gunicorn, debug off) and `make dev` (`--dev`: runserver, debug on) once the
virtualenv is installed: migrate, load the demo data, collect static files, then run the web
server, a Celery worker and Celery beat side by side until Ctrl-C or SIGTERM.

Each runs in its own process group, so the terminal's Ctrl-C reaches only this script, which
stops them in order. A worker or beat that exits is started again; if the web server exits,
everything stops. Standard library only.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin/, where gunicorn and celery are
VAR_DIR = Path(os.environ.get("TRAFFPUNKT_VAR_DIR", ROOT / "var"))
PORT = os.environ.get("PORT", "8000")

# Seconds before each escalation at shutdown: SIGTERM, then a second signal, then SIGKILL.
STOP_GRACE = 3.0
SECOND_SIGNAL_GRACE = 2.0
# A process that exits after running this many seconds is restarted after a second; one that
# keeps dying sooner, after a pause that doubles each time, up to MAX_RESTART_DELAY.
STEADY_RUN = 60.0
MAX_RESTART_DELAY = 30.0
# Second signals: a Celery worker's SIGQUIT is its cold shutdown (running tasks are abandoned;
# every task is safe to run again), gunicorn's and runserver's SIGINT a quick exit.
SECOND_SIGNAL = {"web": signal.SIGINT, "worker": signal.SIGQUIT, "beat": signal.SIGTERM}


def say(text: str) -> None:
    print(f"[run {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def commands(*, dev: bool) -> dict[str, list[str]]:
    address = f"127.0.0.1:{PORT}"
    if dev:
        web = [sys.executable, "manage.py", "runserver", address]
    else:
        # Workers come from WEB_CONCURRENCY (gunicorn reads it; see main()). Gunicorn's own
        # graceful stop ends before this script's first escalation.
        web = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", address]
        web += ["--graceful-timeout", str(int(STOP_GRACE) - 1), "--access-logfile", "-"]
    celery = [str(BIN / "celery"), "-A", "config"]
    return {
        "web": web,
        "worker": [*celery, "worker", "--loglevel", "INFO"],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(VAR_DIR / "celerybeat-schedule")],
    }


def prepare(*, dev: bool) -> None:
    steps = [["migrate", "--noinput"], ["seed_demo"]]
    if not dev:  # with debug on, WhiteNoise serves the source folders instead
        steps.append(["collectstatic", "--noinput", "--verbosity", "0"])
    for step in steps:
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, check=True)


class Supervisor:
    def __init__(self, commands: dict[str, list[str]]):
        self.commands = commands
        self.processes: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.restart_delay = dict.fromkeys(commands, 1.0)
        self.restart_at: dict[str, float] = {}
        self.stop_requested = False

    def start(self, name: str) -> None:
        process = subprocess.Popen(self.commands[name], cwd=ROOT, stdin=subprocess.DEVNULL, process_group=0)
        self.processes[name] = process
        self.started_at[name] = time.monotonic()
        say(f"{name} started (pid {process.pid})")

    def run(self) -> int:
        for name in self.commands:
            self.start(name)
        say(f"Träffpunkt: http://127.0.0.1:{PORT}/  (organisers: /arrangor/ and /admin/, API docs: /api/docs)")
        while not self.stop_requested:
            now = time.monotonic()
            for name, process in list(self.processes.items()):
                code = process.poll()
                if code is None:
                    continue
                del self.processes[name]
                kill_group(process.pid)  # what it leaves behind, e.g. a worker's pool processes
                if name == "web":
                    say(f"the web server exited (code {code}); stopping")
                    self.stop()
                    return code or 1
                ran = now - self.started_at[name]
                delay = 1.0 if ran > STEADY_RUN else min(self.restart_delay[name] * 2, MAX_RESTART_DELAY)
                self.restart_delay[name] = delay
                say(f"{name} exited (code {code}); starting it again in {delay:.0f} s")
                self.restart_at[name] = now + delay
            for name, when in list(self.restart_at.items()):
                if now >= when:
                    del self.restart_at[name]
                    self.start(name)
            time.sleep(0.2)
        self.stop()
        return 0

    def request_stop(self, signum, _frame) -> None:
        self.stop_requested = True

    def stop(self) -> None:
        say("stopping")
        # Signals go to each group's leader: gunicorn and Celery stop their own children.
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        if not wait_all(self.processes.values(), STOP_GRACE):
            for name, process in self.processes.items():
                if process.poll() is None:
                    say(f"{name} is still stopping; sending {SECOND_SIGNAL[name].name}")
                    process.send_signal(SECOND_SIGNAL[name])
            wait_all(self.processes.values(), SECOND_SIGNAL_GRACE)
        for process in self.processes.values():
            kill_group(process.pid)
            process.wait()


def wait_all(processes, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(process.poll() is None for process in processes):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # nothing left in it


def main() -> int:
    dev = "--dev" in sys.argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{PORT}")
    os.environ.setdefault("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1))
    os.environ["PYTHONUNBUFFERED"] = "1"  # the three logs interleave line by line
    if dev:
        os.environ["DJANGO_DEBUG"] = "1"
    try:
        prepare(dev=dev)
    except KeyboardInterrupt:
        return 130  # Ctrl-C while migrating: nothing else has started
    supervisor = Supervisor(commands(dev=dev))
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
