from __future__ import annotations

import httpx
import pytest

from shopagent.errors import InvalidInput, NotFound, PayloadTooLarge
from shopagent.retrieval.images import ImageStore, check_url, fetch_image

PUBLIC = {
    "cdn.example.com": ["93.184.216.34"],
    "evil.example.com": ["10.0.0.5"],
    "rebind.example.com": ["93.184.216.34", "127.0.0.1"],
}


def resolver(host: str, port: int) -> list[str]:
    try:
        return PUBLIC[host]
    except KeyError:
        import ipaddress

        ipaddress.ip_address(host.strip("[]"))  # literal addresses resolve to themselves
        return [host.strip("[]")]


def test_image_store_is_content_addressed(tmp_path):
    store = ImageStore(tmp_path / "uploads")
    a = store.put(b"\x89PNG fake", "png")
    assert a == store.put(b"\x89PNG fake", ".PNG")
    assert len(a.split(".")[0]) == 64 and store.get(a) == b"\x89PNG fake"
    assert store.path(a).parent == tmp_path / "uploads"
    with pytest.raises(NotFound):
        store.get("0" * 64 + ".png")
    with pytest.raises(NotFound):
        store.get("../../etc/passwd")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://cdn.example.com/a.png",
        "gopher://x/",
        "http://127.0.0.1/a.png",
        "http://localhost.localdomain/",
        "http://10.1.2.3/a.png",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/a.png",
        "http://0.0.0.0/",
        "http://evil.example.com/a.png",
        "http://rebind.example.com/a.png",
        "http:///nohost",
    ],
)
def test_unsafe_urls_are_refused(url):
    def res(host: str, port: int) -> list[str]:
        if host == "localhost.localdomain":
            return ["127.0.0.1"]
        return resolver(host, port)

    with pytest.raises(InvalidInput) as err:
        check_url(url, res)
    assert err.value.code == "unsafe_url"


def _client(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_fetch_public_image_and_limits():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/big.png":
            return httpx.Response(200, content=b"x" * 5000)
        if request.url.path == "/redirect":
            return httpx.Response(302, headers={"location": "http://169.254.169.254/x"})
        if request.url.path == "/missing":
            return httpx.Response(404)
        return httpx.Response(200, content=b"PNGDATA")

    with _client(handler) as c:
        got = fetch_image("https://cdn.example.com/a.png", client=c, resolver=resolver)
        assert got == b"PNGDATA"
        with pytest.raises(PayloadTooLarge):
            fetch_image(
                "https://cdn.example.com/big.png", client=c, resolver=resolver, max_bytes=1000
            )
        # a redirect to the metadata service is checked like the first URL
        with pytest.raises(InvalidInput) as err:
            fetch_image("https://cdn.example.com/redirect", client=c, resolver=resolver)
        assert err.value.code == "unsafe_url"
        with pytest.raises(InvalidInput) as err:
            fetch_image("https://cdn.example.com/missing", client=c, resolver=resolver)
        assert err.value.code == "image_fetch_failed"


def test_fetch_timeout_is_reported():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with _client(handler) as c, pytest.raises(InvalidInput) as err:
        fetch_image("https://cdn.example.com/a.png", client=c, resolver=resolver, timeout_s=0.1)
    assert err.value.code == "image_fetch_failed"
