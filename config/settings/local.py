"""One machine: `make run` works with no services and no environment.

Debug is off unless DJANGO_DEBUG=1 (`make dev`): a 500 shows the site's own page, never a
traceback. Static files are served by WhiteNoise from STATIC_ROOT (`make run` collects them).
"""

import os
import secrets
from pathlib import Path

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, VAR_DIR, env_list

DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

# The embedded broker, the mail files and the secret key live here; kombu needs its folders.
for folder in ("broker/out", "broker/processed", "broker/control", "mail", "cache"):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)


def _kept_secret_key(path: Path) -> str:
    """The key in `path`, made on first start. Written aside and linked into place, so the web
    server, worker and beat starting together all end up with the same key."""
    if not path.exists():
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first; its key wins
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _kept_secret_key(VAR_DIR / "secret_key")

STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Static files from the application server itself, as in production; with DEBUG on, WhiteNoise
# finds them in the source folders and `collectstatic` is not needed.
MIDDLEWARE = [*MIDDLEWARE[:2], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[2:]]
