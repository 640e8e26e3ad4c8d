"""A per-park data version for caching read-heavy aggregates (the dashboard).

Every service write marks its park's data changed through the one write path
(`oasis.core.writes`), which bumps the version after the transaction commits; readers put
the version in their cache key, so a change is visible on the next request. The TTL on cached values bounds staleness where the cache
is per process (local memory without REDIS_URL) and another process made the change."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction


def _key(park_id: int) -> str:
    return f"oasis:park:{park_id}:version"


def park_data_version(park_id: int) -> int:
    version = cache.get_or_set(_key(park_id), 1, timeout=None)
    return int(version) if version is not None else 1


def park_data_changed(park_id: int | None) -> None:
    if park_id is None:
        return

    def bump() -> None:
        try:
            cache.incr(_key(park_id))
        except ValueError:  # never read yet: any new value differs from the readers' 1
            cache.set(_key(park_id), 2, timeout=None)

    # After commit: bumping earlier would let a concurrent reader cache the old data
    # under the new version.
    transaction.on_commit(bump)


def parks_cache_key(prefix: str, park_ids: list[int], *parts: str) -> str:
    """A cache key for a result computed over several parks: it changes when any of
    their data versions does. One round trip for all the versions."""
    import hashlib

    keys = [_key(pk) for pk in park_ids]
    found = cache.get_many(keys)
    for k in keys:
        if k not in found:
            cache.add(k, 1, timeout=None)  # add, not set: never undo a concurrent bump
    versions = ",".join(f"{pk}.{int(found.get(k, 1))}" for pk, k in zip(park_ids, keys))
    digest = hashlib.sha256(f"{versions}|{'|'.join(parts)}".encode()).hexdigest()[:32]
    return f"oasis:{prefix}:{digest}"
