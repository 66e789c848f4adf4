"""Photos sent with letters: checked by content, re-encoded so no metadata (location) survives.

Decoding is the costly part: a 6000×6600 PNG of 130 KB takes 160 MB once decoded. At most
`DECODERS` photos are decoded at once in a process; the others wait their turn, so memory stays
bounded however many letters with photos arrive together.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from engagement.errors import Invalid

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
MAX_PIXELS = 40_000_000  # refuses decompression bombs long before memory runs out
DECODERS = 2
_decoding = threading.BoundedSemaphore(DECODERS)


@dataclass(frozen=True)
class CleanPhoto:
    content_type: str
    data: bytes


def clean_photo(raw: bytes, *, max_bytes: int) -> CleanPhoto:
    """A JPEG or PNG of at most `max_bytes`, re-encoded without EXIF, GPS or text chunks."""
    if len(raw) > max_bytes:
        raise Invalid(
            "A photo may be at most %(mb)s MB.", field="photos", mb=max_bytes // (1024 * 1024)
        )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            if kind not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise Invalid("Only JPEG and PNG photos can be sent.", field="photos")
            probe.verify()
        with _decoding, Image.open(io.BytesIO(raw)) as image:
            image.load()
            return CleanPhoto(FORMATS[kind], _reencode(image, kind))
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise Invalid("Only JPEG and PNG photos can be sent.", field="photos") from exc


def _reencode(image: Image.Image, kind: str) -> bytes:
    from PIL import ImageOps

    # Apply the EXIF orientation first so the photo stays upright once EXIF is dropped.
    image = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        # Pillow writes no text, EXIF or time chunks unless asked to: only the pixels remain.
        image.save(out, "PNG", optimize=True)
    return out.getvalue()
