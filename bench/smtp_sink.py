"""An SMTP server that accepts everything and logs one line per delivered recipient.

Run as its own process (`python bench/smtp_sink.py PORT LOGFILE`) so receiving does not share
a GIL with the senders being measured. Each line is `<unix time>\t<envelope recipient>`,
written before the 250 reply, so a sender that saw 250 can count on the line being there.
"""

import asyncio
import sys
import time

from aiosmtpd.smtp import SMTP


class LogRecipients:
    def __init__(self, log) -> None:
        self.log = log

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.time()
        self.log.write("".join(f"{now:.6f}\t{rcpt}\n" for rcpt in envelope.rcpt_tos))
        self.log.flush()
        return "250 OK"


async def serve(port: int, path: str) -> None:
    with open(path, "a", encoding="utf-8") as log:
        handler = LogRecipients(log)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="sink", loop=loop), "127.0.0.1", port, backlog=128
        )
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2]))
