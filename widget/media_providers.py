"""The third-party media an event can show behind a consent facade: one row per provider.

Each row holds every fact the code needs about a provider: the hosts its item URLs live
on, the words of its facade (a post or a video), its privacy policy, what loads once the
visitor consents (a script, or a player frame at an embed origin) and the sources the
Content-Security-Policy must then allow. The model validates item URLs with it, the CSP
adds its sources, the importer recognizes embeds by it and the consent facade
(``templates/_consent.html`` through ``widget_view.MediaView``) shows it; consent.js only
loads the URLs the facade's data attributes give it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal
from urllib.parse import SplitResult, urlsplit


class MediaProvider(StrEnum):
    """Third-party media we know how to load behind a consent facade."""

    X = "x"
    YOUTUBE = "youtube"


@dataclass(frozen=True)
class Provider:
    """What the widget knows about one media provider."""

    name: str  # as shown: 'Post on X', "X's privacy policy"
    kind: Literal["post", "video"]  # which words the facade uses ('Load post', 'Load video')
    hosts: tuple[str, ...]  # item URL hosts, without a www./mobile./m. prefix
    privacy_url: str
    sources: Mapping[str, tuple[str, ...]]  # CSP directive → what loads after consent
    script_url: str | None = None  # the provider's script that turns a link into the post
    embed_origin: str | None = None  # where the player frame loads from
    player_url: str | None = None  # the player frame's URL for a video id: PREFIX + id


_X_PLATFORM = "https://platform.twitter.com"
_YOUTUBE_PLAYER = "https://www.youtube-nocookie.com"  # YouTube's privacy-enhanced mode

PROVIDERS: dict[MediaProvider, Provider] = {
    MediaProvider.X: Provider(
        name="X",
        kind="post",
        hosts=("twitter.com", "x.com"),
        privacy_url="https://x.com/en/privacy",
        # What the script needs once the visitor consents.
        sources={
            "script-src": (_X_PLATFORM, "https://cdn.syndication.twimg.com"),
            "frame-src": (_X_PLATFORM, "https://syndication.twitter.com"),
            "img-src": ("https://pbs.twimg.com", "https://syndication.twitter.com"),
            "connect-src": ("https://cdn.syndication.twimg.com",),
        },
        script_url=f"{_X_PLATFORM}/widgets.js",
    ),
    MediaProvider.YOUTUBE: Provider(
        name="YouTube",
        kind="video",
        hosts=("youtube.com", "youtu.be"),
        privacy_url="https://policies.google.com/privacy",
        sources={"frame-src": (_YOUTUBE_PLAYER,)},
        embed_origin=_YOUTUBE_PLAYER,
        player_url="https://www.youtube-nocookie.com/embed/",
    ),
}

_HOSTS = {host: provider for provider, row in PROVIDERS.items() for host in row.hosts}
_WEB = ("http", "https")


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # an unbalanced IPv6 bracket, a bad port: not media
        return SplitResult("", "", "", "", "")


def bare_host(url: str) -> str:
    """The URL's host without a www./mobile./m. prefix ('' for a URL with none)."""
    host = _split(url).hostname or ""
    for prefix in ("www.", "mobile.", "m."):
        host = host.removeprefix(prefix)
    return host


def media_provider_for_url(url: str) -> MediaProvider | None:
    """The media provider serving ``url``, or None for hosts we cannot embed."""
    return _HOSTS.get(bare_host(url))


# --- X posts ------------------------------------------------------------------------

_POST_PATH = re.compile(r"/(\w{1,15})/status/(\d{1,20})(?!\d)")


def x_post(url: str) -> tuple[str, str, str, str] | None:
    """An X post link's host, user, status id and the rest of its path, or None.

    'https://mobile.twitter.com/PauseAI/status/17?s=20' → ('twitter.com', 'PauseAI',
    '17', '').
    """
    parts = _split(url)
    host = bare_host(url)
    if parts.scheme not in _WEB or _HOSTS.get(host) is not MediaProvider.X:
        return None
    match = _POST_PATH.match(parts.path)
    if match is None:
        return None
    return host, match[1], match[2], parts.path[match.end() :]


def is_x_post(url: str) -> bool:
    """True for the URL of one X post: https://x.com/USER/status/ID (a trailing '/' too)."""
    post = x_post(url)
    return post is not None and post[3] in ("", "/")


# --- YouTube videos -----------------------------------------------------------------

_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{6,20}")
_PLAYER_HOSTS = ("youtube.com", bare_host(_YOUTUBE_PLAYER))


def video_id(url: str) -> str | None:
    """The video id of a YouTube URL (watch?v=, youtu.be/, shorts/, embed/, live/)."""
    parts = _split(url)
    host = bare_host(url)
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.strip("/")
    elif host == "youtube.com":
        if parts.path == "/watch":
            for pair in parts.query.split("&"):
                if pair.startswith("v="):
                    candidate = pair[2:]
        elif parts.path.startswith(("/shorts/", "/embed/", "/live/")):
            candidate = parts.path.split("/")[2]
    return candidate if _VIDEO_ID.fullmatch(candidate) else None


def player_video_id(src: str) -> str | None:
    """The video id of a YouTube player frame's ``src`` (youtube.com or
    youtube-nocookie.com ``/embed/ID``), or None for any other frame."""
    parts = _split(src)
    if parts.scheme not in _WEB or bare_host(src) not in _PLAYER_HOSTS:
        return None
    if not parts.path.startswith("/embed/"):
        return None
    candidate = parts.path.split("/")[2]
    return candidate if _VIDEO_ID.fullmatch(candidate) else None


def video_url(video: str) -> str:
    """The canonical page of a YouTube video, the URL event files store."""
    return f"https://www.youtube.com/watch?v={video}"


def embed_url(provider: MediaProvider, url: str) -> str | None:
    """The player frame that shows ``url`` after consent (None: the provider's script
    turns a link into the post instead)."""
    player = PROVIDERS[provider].player_url
    video = video_id(url) if provider is MediaProvider.YOUTUBE else None
    return player + video if player and video else None
