"""A real SMTP server for tests (aiosmtpd) that records what it gets and can be told to
misbehave: a 451 or 550 reply, a closed socket. Faults come from the server itself, so the
code under test sees what it would see in production."""

import email
import email.policy
import logging
import threading
from collections import Counter, deque

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from .waiting import free_port, wait_until

# aiosmtpd logs every SMTP command at INFO; a failing test's report should show ours instead.
logging.getLogger("mail.log").setLevel(logging.WARNING)

# Replies a scripted handler can give instead of accepting.
DROP = "drop"  # close the socket without answering (a crashed or overloaded server)


class RecordingHandler:
    """Stores every accepted message. Replies for the next RCPT or DATA commands can be
    scripted (`None` accepts, a string is sent as the reply, DROP closes the connection);
    `reject` and `reject_data` answer a fixed reply to RCPT or DATA for given addresses, for ever."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.rcpt_script: deque = deque()
        self.data_script: deque = deque()
        self.reject: dict[str, str] = {}
        self.reject_data: dict[str, str] = {}
        self.rcpt_attempts: list[str] = []
        self.data_attempts = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_attempts.append(address)
            reply = self.reject.get(address) or (self.rcpt_script.popleft() if self.rcpt_script else None)
        if reply == DROP:
            server.transport.close()
            return "421 4.3.0 closing"  # never reaches the client: the socket is closed
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_attempts += 1
            fixed = [self.reject_data[rcpt] for rcpt in envelope.rcpt_tos if rcpt in self.reject_data]
            reply = fixed[0] if fixed else (self.data_script.popleft() if self.data_script else None)
        if reply == DROP:
            server.transport.close()
            return "421 4.3.0 closing"
        if reply:
            return reply
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.received.append(parsed)
        return "250 Message accepted for delivery"

    # Reading what arrived --------------------------------------------------------------

    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return list(self.received)

    def recipients(self) -> Counter:
        with self.lock:
            return Counter(rcpt for _from, rcpts in self.envelopes for rcpt in rcpts)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages() if address in str(message["To"])]

    def wait_for(self, count: int, *, timeout: float = 10.0) -> list[email.message.EmailMessage]:
        wait_until(lambda: len(self.messages()) >= count, timeout=timeout, message=f"{count} e-mails")
        return self.messages()


class SmtpServer:
    """aiosmtpd in a thread on 127.0.0.1; can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None, *, password: str | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.password = password  # when set, clients must log in (AUTH PLAIN/LOGIN) with it
        self.controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        # handled=False: aiosmtpd then answers the failure itself (535).
        return AuthResult(success=auth_data.password.decode() == self.password, handled=False)

    def start(self) -> "SmtpServer":
        auth = {"authenticator": self._authenticate, "auth_require_tls": False} if self.password else {}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=5, **auth)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mailer(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }


@pytest.fixture
def smtp_servers():
    """Makes SMTP servers (started unless asked not to); all are stopped after the test."""
    servers = []

    def make(*, port: int | None = None, start: bool = True, password: str | None = None) -> SmtpServer:
        server = SmtpServer(port, password=password)
        servers.append(server)
        return server.start() if start else server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(smtp_servers) -> SmtpServer:
    return smtp_servers()


@pytest.fixture
def mailbox(settings, smtp_server) -> RecordingHandler:
    """Django's SMTP backend pointed at a fresh local SMTP server; returns what it receives."""
    settings.MAILERS = smtp_server.mailer()
    return smtp_server.handler
