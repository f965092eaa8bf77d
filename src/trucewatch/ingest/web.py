"""Fetch one http(s) URL with a size cap and timeouts; every failure is a FetchError."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

__all__ = ["USER_AGENT", "FetchError", "Fetched", "fetch"]

USER_AGENT = "trucewatch/0.1"
_SCHEMES = frozenset({"http", "https"})
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL that could not be fetched; ``str()`` names the URL and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Fetched:
    """A successful (2xx) response, body read in full.

    ``url`` is the final URL after redirects; ``content_type`` is the Content-Type header as
    sent (parameters included), ``None`` when absent.
    """

    url: str
    status: int
    content_type: str | None
    body: bytes
    etag: str | None
    last_modified: str | None


def fetch(
    url: str,
    *,
    timeout: float = 20.0,
    max_bytes: int = 10 * 1024 * 1024,
    client: httpx.Client | None = None,
) -> Fetched:
    """GET ``url`` (redirects followed) and return its body, or raise FetchError.

    Only http and https URLs are accepted, for the URL given and for every redirect.
    ``timeout`` bounds each network step (connect, waiting for the headers, each read) and also
    the body as a whole: it is streamed, and reading stops at the first chunk that arrives after
    ``timeout`` seconds in total, so a server that trickles bytes cannot hold the fetch for long
    (at most about twice ``timeout``). The body is read at most ``max_bytes``
    bytes (after content decoding, so a gzip bomb is cut off too); a larger body is an error,
    never truncated silently. A non-2xx final status is an error. ``client`` lets the caller
    share a connection pool; its own User-Agent is kept unless it is httpx's default.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES:
        shown = f"'{parts.scheme}:'" if parts.scheme else "none"
        raise FetchError(url, f"unsupported URL scheme {shown} (only http and https)")
    if not parts.hostname:
        raise FetchError(url, "URL has no host")
    if client is None:
        with httpx.Client(headers={"User-Agent": USER_AGENT}) as own:
            return _fetch(own, url, timeout, max_bytes)
    return _fetch(client, url, timeout, max_bytes)


def _fetch(client: httpx.Client, url: str, timeout: float, max_bytes: int) -> Fetched:
    headers = {}
    if client.headers.get("User-Agent", "").startswith("python-httpx/"):
        headers["User-Agent"] = USER_AGENT
    deadline = time.monotonic() + timeout
    try:
        with client.stream(
            "GET", url, headers=headers, follow_redirects=True, timeout=timeout
        ) as response:
            if not response.is_success:
                phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
                raise FetchError(url, f"HTTP status {response.status_code}{phrase}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(url, f"response larger than {max_bytes} bytes ({declared})")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, f"response larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(url, f"timed out after {timeout:g} s (body not complete)")
                chunks.append(chunk)
            return Fetched(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("Content-Type"),
                body=b"".join(chunks),
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            )
    except httpx.TimeoutException as exc:
        raise FetchError(url, f"timed out after {timeout:g} s ({_timeout_kind(exc)})") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(url, "too many redirects") from exc
    except httpx.UnsupportedProtocol as exc:
        raise FetchError(url, f"redirected to an unsupported URL ({exc})") from exc
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"invalid URL ({exc})") from exc
    except httpx.ConnectError as exc:
        raise FetchError(url, f"could not connect ({exc})") from exc
    except httpx.DecodingError as exc:
        raise FetchError(url, f"could not decode the response body ({exc})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(url, f"request failed ({type(exc).__name__}: {exc})") from exc


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connecting"
    if isinstance(exc, httpx.ReadTimeout):
        return "waiting for data"
    if isinstance(exc, httpx.WriteTimeout):
        return "sending the request"
    return "waiting for a connection"
