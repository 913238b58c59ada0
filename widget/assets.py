"""Static assets: read once, served under content-hashed names, inlined by hash.

``/static/widget.css`` is published as ``/static/widget.3f2a9c1b.css``: the hash changes
when the content does, so responses can be cached as immutable. Small files can also be
inlined into a page; their sha256 then goes into the page's CSP.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from widget.resources import STATIC_DIR
from widget.urls import Urls

MAX_ASSET_BYTES = 2 * 1024 * 1024
_TEXT_TYPES = ("text/", "application/javascript", "image/svg+xml", "application/json")


@dataclass(frozen=True)
class Asset:
    """One static file, with its hashed URL name and CSP hash."""

    name: str
    hashed_name: str
    content: bytes
    gzipped: bytes | None
    media_type: str
    etag: str
    csp_hash: str

    @property
    def text(self) -> str:
        """The content as text (for inlining)."""
        return self.content.decode("utf-8")


def csp_hash(text: str) -> str:
    """The CSP source for an inline block: 'sha256-BASE64'."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _media_type(name: str) -> str:
    if name.endswith(".js"):
        return "text/javascript; charset=utf-8"
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("image/svg+xml", "application/json"):
        return f"{guessed}; charset=utf-8"
    return guessed


def _load(path: Path, name: str) -> Asset:
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    stem, dot, suffix = name.rpartition(".")
    hashed = f"{stem}.{digest[:10]}.{suffix}" if dot else f"{name}.{digest[:10]}"
    media_type = _media_type(name)
    compressible = media_type.startswith(_TEXT_TYPES) and len(content) > 256
    gzipped = gzip.compress(content, compresslevel=9, mtime=0) if compressible else None
    text_hash = csp_hash(content.decode("utf-8")) if media_type.startswith(_TEXT_TYPES) else ""
    return Asset(name, hashed, content, gzipped, media_type, f'"{digest[:32]}"', text_hash)


class Assets:
    """Every file under the static directory, addressable by plain or hashed name."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        self._by_name: dict[str, Asset] = {}
        self._by_hashed: dict[str, Asset] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.stat().st_size <= MAX_ASSET_BYTES:
                name = path.relative_to(root).as_posix()
                asset = _load(path, name)
                self._by_name[name] = asset
                self._by_hashed[asset.hashed_name] = asset

    def __getitem__(self, name: str) -> Asset:
        return self._by_name[name]

    def url_path(self, name: str) -> str:
        """The hashed path of an asset, e.g. '/static/widget.3f2a9c1b.js'."""
        return Urls.static_path(self._by_name[name].hashed_name)

    def lookup(self, path: str) -> tuple[Asset, bool] | None:
        """The asset at a request path under /static/, and whether the name was hashed."""
        if path in self._by_hashed:
            return self._by_hashed[path], True
        if path in self._by_name:
            return self._by_name[path], False
        return None
