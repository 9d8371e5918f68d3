import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (locmem or Redis)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# The first parse imports and warms up the edtf grammar; timing per example is not what these tests check.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("timeline", deadline=None, max_examples=100)
hypothesis_settings.load_profile("timeline")
