"""A local SMTP server that only records when each message arrived: the far end of the delivery benchmark."""

import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.http import free_port


class ArrivalRecorder:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        stamp = time.time()
        message_id = ""
        for line in (envelope.original_content or b"").split(b"\n", 60):
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
                break
        with self.arrived:
            self.arrivals[message_id or f"unknown-{len(self.arrivals)}"] = stamp
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> int:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.arrivals) >= count, timeout=timeout)
            return len(self.arrivals)


def start_sink() -> tuple[Controller, ArrivalRecorder]:
    recorder = ArrivalRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, recorder
