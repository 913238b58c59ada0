"""Third-party embeds found in a page's HTML: X posts and YouTube iframes → media items."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from widget.media_providers import player_video_id, video_url, x_post

MAX_FALLBACK = 1000


class MediaScanner(HTMLParser):
    """Collects X posts (blockquote.twitter-tweet) and YouTube iframes from embed HTML."""

    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.found: list[tuple[int, dict[str, Any] | None, str]] = []  # line, item, problem
        self._depth = 0  # blockquote nesting inside a tweet
        self._line = 0
        self._links: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.first_line + self.getpos()[0] - 1
        if tag == "blockquote" and (self._depth or "twitter-tweet" in values.get("class", "")):
            if not self._depth:
                self._line, self._links, self._text = line, [], []
            self._depth += 1
        elif self._depth and tag == "a":
            self._links.append(values.get("href", ""))
        elif self._depth and tag in ("br", "p"):
            self._text.append("\n")
        elif tag == "iframe":
            video = player_video_id(values.get("src", ""))
            if video:
                item = {"url": video_url(video)}
                if values.get("title"):
                    item["fallback"] = values["title"][:MAX_FALLBACK]
                self.found.append((line, item, ""))

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "p":
            self._text.append("\n")
        if self._depth and tag == "blockquote":
            self._depth -= 1
            if not self._depth:
                self._finish_post()

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._text.append(data)

    def _finish_post(self) -> None:
        posts = [post for post in map(x_post, self._links) if post]
        if not posts:
            self.found.append((self._line, None, "X post without a link to its status URL"))
            return
        host, user, status, _ = posts[-1]
        text = " ".join("".join(self._text).split())
        if len(text) > MAX_FALLBACK:
            text = text[: MAX_FALLBACK - 1].rstrip() + "…"
        item: dict[str, Any] = {"url": f"https://{host}/{user}/status/{status}"}
        if text:
            item["fallback"] = text
        self.found.append((self._line, item, ""))
