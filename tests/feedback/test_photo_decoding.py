"""Photos are decoded a few at a time: many large photos at once never decode together (issue:
three 6000×6600 PNGs on one letter took the server from 345 MB to 1.17 GB)."""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from PIL import Image

from feedback.mailbox import photos


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def test_no_more_than_the_bound_are_decoded_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    decoding, most = 0, 0
    lock = threading.Lock()
    reencode = photos._reencode

    def slow_reencode(image: Image.Image, kind: str) -> bytes:
        nonlocal decoding, most
        with lock:
            decoding += 1
            most = max(most, decoding)
        time.sleep(0.05)  # a big photo takes a while
        try:
            return reencode(image, kind)
        finally:
            with lock:
                decoding -= 1

    monkeypatch.setattr(photos, "_reencode", slow_reencode)
    raw = png(400, 300)

    with ThreadPoolExecutor(max_workers=8) as pool:
        cleaned: list[Any] = list(
            pool.map(lambda _: photos.clean_photo(raw, max_bytes=10**7), range(8))
        )

    assert len(cleaned) == 8
    assert most == photos.DECODERS


def test_a_photo_is_still_cleaned_and_kept_whole() -> None:
    cleaned = photos.clean_photo(png(640, 480), max_bytes=10**7)

    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert (image.format, image.size) == ("PNG", (640, 480))
