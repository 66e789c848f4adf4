"""Attachments of consultations: PDF and DOCX only, recognised by content, not by name."""

from __future__ import annotations

import io
import zipfile

from engagement.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def check_attachment(filename: str, data: bytes) -> str:
    """The content type of a PDF or DOCX file, or Invalid for anything else."""
    if len(data) > MAX_BYTES:
        raise Invalid("An attachment may be at most 10 MB.", field="attachment")
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            pass
    raise Invalid("Only PDF and Word (DOCX) files can be attached.", field="attachment")
