"""The intake tests' real RFC 5322 messages (tests/intake/messages/), with their {placeholders} filled."""

from pathlib import Path

MESSAGES = Path(__file__).parent / "messages"


def raw(name: str, **values: object) -> bytes:
    data = (MESSAGES / name).read_bytes()
    for key, value in values.items():
        data = data.replace(b"{" + key.encode() + b"}", str(value).encode())
    return data
