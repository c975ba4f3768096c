"""The Redis cache backend (tadamun.core.cache) against the local Redis server, and the
fallback of hit_windows for the other caches."""

from __future__ import annotations

import secrets
import socket

import pytest
from django.core.cache.backends.locmem import LocMemCache

from tadamun.core.cache import RedisCache, hit_windows


def _redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_cache():
    if not _redis_running():
        pytest.skip("no Redis on 127.0.0.1:6379")
    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


def test_one_client_per_pool(redis_cache):
    inner = redis_cache._cache
    assert inner.get_client(write=True) is inner.get_client(write=True)
    assert inner.get_client("some-key") is inner.get_client("other-key")


def test_cache_operations_still_work(redis_cache):
    redis_cache.set("greeting", {"ar": "مرحبا"}, 30)
    assert redis_cache.get("greeting") == {"ar": "مرحبا"}
    assert redis_cache.add("greeting", "x") is False
    redis_cache.set("n", 1, 30)
    assert redis_cache.incr("n") == 2
    with pytest.raises(ValueError, match="not found"):
        redis_cache.incr("missing")


def test_hit_windows_counts_and_expires(redis_cache):
    keys = [("a", 60), ("b", 120)]
    assert hit_windows(redis_cache, keys) == [1, 1]
    assert hit_windows(redis_cache, keys) == [2, 2]
    assert hit_windows(redis_cache, [("a", 60)]) == [3]
    # The counters are plain cache values, and expire with their window.
    assert redis_cache.get("a") == 3
    client = redis_cache._cache.get_client(write=True)
    ttl = client.ttl(redis_cache.make_key("b"))
    assert 100 < ttl <= 120
    # A later hit does not push the expiry back (the window is fixed).
    assert client.ttl(redis_cache.make_key("a")) <= 60


def test_hit_windows_on_another_cache():
    cache = LocMemCache(f"test-{secrets.token_hex(4)}", {})
    assert hit_windows(cache, [("a", 60), ("b", 60)]) == [1, 1]
    assert hit_windows(cache, [("a", 60)]) == [2]
    assert cache.get("a") == 2
