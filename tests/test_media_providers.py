"""widget.media_providers: the table of media providers and reading their URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from widget.csp import PROVIDER_SOURCES, policy
from widget.media_providers import (
    PROVIDERS,
    MediaProvider,
    bare_host,
    embed_url,
    is_x_post,
    media_provider_for_url,
    player_video_id,
    video_id,
    video_url,
    x_post,
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_every_provider_has_a_row() -> None:
    """Each provider the model knows has its facts in the table."""
    assert set(PROVIDERS) == set(MediaProvider)


@pytest.mark.parametrize("provider", list(MediaProvider))
def test_what_loads_after_consent_is_allowed_by_the_csp(provider: MediaProvider) -> None:
    """The script and the player frame a provider loads come from origins its CSP
    sources allow, and the CSP reads those sources from the table."""
    row = PROVIDERS[provider]
    assert PROVIDER_SOURCES[provider] == row.sources
    header = policy(providers=[provider]).header()
    directives = {part.split()[0]: part.split()[1:] for part in header.split("; ")}
    if row.script_url:
        assert _origin(row.script_url) in directives["script-src"]
    if row.embed_origin:
        assert row.embed_origin in directives["frame-src"]
    assert row.script_url or row.embed_origin  # something has to load


def test_no_host_belongs_to_two_providers() -> None:
    """A host names one provider only."""
    hosts = [host for row in PROVIDERS.values() for host in row.hosts]
    assert len(hosts) == len(set(hosts))


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.x.com/a", "x.com"),
        ("https://mobile.twitter.com/a", "twitter.com"),
        ("https://m.youtube.com/watch", "youtube.com"),
        ("https://WWW.YouTube.com/", "youtube.com"),
        ("https://www.example.org", "example.org"),
        ("http://[::1", ""),  # an unbalanced bracket is no host, not an exception
        ("not a url", ""),
    ],
)
def test_bare_host(url: str, host: str) -> None:
    """The host without www./mobile./m., lower-cased; '' when there is none."""
    assert bare_host(url) == host


@pytest.mark.parametrize(
    ("url", "post"),
    [
        (
            "https://x.com/PauseAI/status/1790248685659447496",
            ("x.com", "PauseAI", "1790248685659447496", ""),
        ),
        ("https://mobile.twitter.com/PauseAI/status/17?s=20", ("twitter.com", "PauseAI", "17", "")),
        (
            "https://TWITTER.com/PauseAI/status/17/photo/1",
            ("twitter.com", "PauseAI", "17", "/photo/1"),
        ),
        ("https://x.com/PauseAI/status/" + "1" * 21, None),  # longer than any status id
        ("https://x.com/a_name_far_too_long/status/1", None),
        ("https://x.com/PauseAI", None),
        ("https://x.com.evil.org/PauseAI/status/1", None),
        ("javascript://x.com/PauseAI/status/1", None),
        ("https://www.youtube.com/PauseAI/status/1", None),
        ("http://[x.com/PauseAI/status/1", None),
    ],
)
def test_x_post(url: str, post: tuple[str, str, str, str] | None) -> None:
    """An X post link gives its host, user, status id and what follows; others give None."""
    assert x_post(url) == post


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://x.com/PauseAI/status/1", True),
        ("https://x.com/PauseAI/status/1/", True),
        ("https://x.com/PauseAI/status/1/photo/1", False),
        ("https://x.com/PauseAI/status/1x", False),
    ],
)
def test_is_x_post(url: str, valid: bool) -> None:
    """An item URL is one post, nothing after its id but a '/'."""
    assert is_x_post(url) is valid


@pytest.mark.parametrize(
    ("url", "video"),
    [
        ("https://www.youtube.com/watch?v=PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://www.youtube.com/watch?feature=share&v=PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://youtu.be/PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://youtube.com/shorts/PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://youtube.com/live/PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://www.youtube.com/embed/PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://www.youtube.com/watch?v=PWyQRFlZa9c%22onload", None),
        ("https://www.youtube.com/channel/PWyQRFlZa9c", None),
        ("https://vimeo.com/PWyQRFlZa9c", None),
    ],
)
def test_video_id(url: str, video: str | None) -> None:
    """The id of a YouTube video in any of its URL forms; None for anything else."""
    assert video_id(url) == video


@pytest.mark.parametrize(
    ("src", "video"),
    [
        ("https://www.youtube.com/embed/PWyQRFlZa9c?si=abc", "PWyQRFlZa9c"),
        ("https://www.youtube-nocookie.com/embed/PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://youtube.com/embed/PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("//www.youtube.com/embed/PWyQRFlZa9c", None),  # no scheme: not what PauseAI writes
        ("https://www.youtube.com/watch?v=PWyQRFlZa9c", None),  # a page, not a player
        ("https://www.youtube.com/embed/" + "a" * 21, None),
        ("https://player.vimeo.com/video/123456", None),
    ],
)
def test_player_video_id(src: str, video: str | None) -> None:
    """A YouTube player frame's video id, from youtube.com or youtube-nocookie.com."""
    assert player_video_id(src) == video


def test_embed_url_and_video_url() -> None:
    """A video plays in the privacy-enhanced player; an X post has no player frame."""
    assert embed_url(MediaProvider.YOUTUBE, "https://youtu.be/PWyQRFlZa9c") == (
        "https://www.youtube-nocookie.com/embed/PWyQRFlZa9c"
    )
    assert embed_url(MediaProvider.X, "https://x.com/PauseAI/status/1") is None
    assert media_provider_for_url(video_url("PWyQRFlZa9c")) is MediaProvider.YOUTUBE
    assert video_id(video_url("PWyQRFlZa9c")) == "PWyQRFlZa9c"
