"""The Redis cache backend (config/cache.py): Django's RedisCache with one client object per pool."""

import os
import uuid

import pytest

from config.cache import ReusedClientRedisCache


@pytest.fixture
def redis_cache():
    # The suite's Redis, else a local one (CI runs one beside the SQLite suite too); keys are
    # prefixed uniquely, so nothing of another user's is touched.
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    backend = ReusedClientRedisCache(url, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})
    try:
        backend._cache.get_client().ping()
    except Exception as error:  # any connection error: no Redis here
        backend.close()
        pytest.skip(f"no Redis at {url}: {error}")
    yield backend
    # Not clear(): it empties the whole Redis database, other users' keys included.
    backend.delete_many(["validators", "count", "missing-soon"])
    backend.close()


def test_redis_cache_round_trips_values_through_one_reused_client(redis_cache):
    redis_cache.set("validators", ("generation", '"7"', ""), timeout=30)
    redis_cache.set_many({"count": 3, "missing-soon": "x"}, timeout=30)
    redis_cache.delete("missing-soon")

    kept = redis_cache.get_many(["validators", "count", "missing-soon"])
    added = redis_cache.add("count", 4)
    incremented = redis_cache.incr("count")

    assert kept == {"validators": ("generation", '"7"', ""), "count": 3}
    assert (added, incremented) == (False, 4)
    client = redis_cache._cache.get_client()
    assert (redis_cache._cache.get_client("count"), redis_cache._cache.get_client(write=True)) == (client, client)
    assert redis_cache._cache.get_client() is client
