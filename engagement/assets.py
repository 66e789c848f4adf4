"""Static files under content-hashed names, cached for a year, text ones gzipped once.

`static_url("site.css")` is `/static/site.<hash>.css`: what that address answers never changes, so
a browser keeps it a year without asking again (`immutable`), and a new version gets a new name.
The plain name (`/static/site.css`, which the static error page links) still answers, with a short
cache, and so does a name with an out-of-date hash (a page cached before an upgrade). The folder
is read into memory when the app starts: it is small and does not change while the app runs.
Pages are not compressed: one holding the CSRF token next to text a visitor typed would be open to
BREACH.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
TEXT_SUFFIXES = frozenset({".css", ".js", ".json", ".map", ".md", ".svg", ".txt"})
HASH_LENGTH = 12
_HASHED = re.compile(rf"(?P<stem>.+)\.[0-9a-f]{{{HASH_LENGTH}}}(?P<suffix>\.[^./]+)")


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None  # None where gzip would not make it smaller
    content_type: str
    digest: str


def read_asset(path: Path) -> Asset:
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    gzipped = None
    if path.suffix in TEXT_SUFFIXES:
        content_type += "; charset=utf-8"
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    return Asset(body, gzipped, content_type, digest)


def hashed_name(name: str, digest: str) -> str:
    """`vendor/htmx-2.0.11.min.js` → `vendor/htmx-2.0.11.min.<digest>.js`."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or "/" in suffix:
        return f"{name}.{digest}"
    return f"{stem}.{digest}.{suffix}"


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (`gzip`, `x-gzip` or `*`, not at q=0)."""
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        if coding.strip() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().removeprefix("q=")
        try:
            return not params.strip() or float(quality) > 0
        except ValueError:
            return False
    return False


class StaticAssets:
    """An ASGI app serving a folder's files by their plain and their content-hashed names."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._urls: dict[str, str] = {}
        self._plain: dict[str, Asset] = {}
        self._hashed: dict[str, Asset] = {}
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = path.relative_to(directory).as_posix()
            asset = read_asset(path)
            hashed = hashed_name(name, asset.digest)
            self._plain[name] = asset
            self._hashed[hashed] = asset
            self._urls[name] = PREFIX + hashed

    def url(self, name: str) -> str:
        try:
            return self._urls[name]
        except KeyError:
            raise LookupError(f"no static file {name!r} in {self.directory}") from None

    def find(self, name: str) -> tuple[Asset, str] | None:
        """The asset a name under /static/ stands for, and the Cache-Control it is served with."""
        if name in self._hashed:
            return self._hashed[name], IMMUTABLE
        if name in self._plain:
            return self._plain[name], SHORT
        old = _HASHED.fullmatch(name)
        if old and (asset := self._plain.get(old["stem"] + old["suffix"])):
            return asset, SHORT
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, root = scope["path"], scope.get("root_path", "")
        found = self.find(path.removeprefix(root).lstrip("/"))
        if found is None:
            raise HTTPException(status_code=404)
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
        response = self.response(*found, Headers(scope=scope), head=scope["method"] == "HEAD")
        await response(scope, receive, send)

    @staticmethod
    def response(asset: Asset, cache_control: str, request: Headers, *, head: bool) -> Response:
        headers = {"Cache-Control": cache_control, "Content-Type": asset.content_type}
        body, etag = asset.body, f'"{asset.digest}"'
        if asset.gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
            if accepts_gzip(request.get("accept-encoding", "")):
                body, etag = asset.gzipped, f'"{asset.digest}-gzip"'
                headers["Content-Encoding"] = "gzip"
        headers["ETag"] = etag
        wanted = {
            tag.strip().removeprefix("W/") for tag in request.get("if-none-match", "").split(",")
        }
        if etag in wanted or "*" in wanted:
            del headers["Content-Type"]
            return Response(status_code=304, headers=headers)
        headers["Content-Length"] = str(len(body))
        return Response(b"" if head else body, headers=headers)


@cache
def static_assets() -> StaticAssets:
    """The app's own static folder, read once per process."""
    return StaticAssets(STATIC_DIR)


def static_url(name: str) -> str:
    """The content-hashed address of `name` (a path under engagement/static)."""
    return static_assets().url(name)


def favicon(request: Request) -> Response:
    """`/favicon.ico`, which browsers ask for whatever a page links: the static icon, cached."""
    found = static_assets().find("favicon.ico")
    assert found is not None  # the file ships with the package
    return StaticAssets.response(*found, request.headers, head=request.method == "HEAD")
