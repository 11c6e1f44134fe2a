"""Development defaults: `make run` works with no services and no environment."""

import os

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR, env_list

DEBUG = os.environ.get("DEBUG", "1") == "1"
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

# The embedded broker and the mail files live here; kombu needs its folders to exist.
for folder in ("broker/out", "broker/processed", "broker/control", "mail", "cache"):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
