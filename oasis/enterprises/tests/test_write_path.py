"""Enterprise writes take the one write path: the cached dashboard moves on the next request."""

from oasis.enterprises import services
from oasis.enterprises.models import Enterprise


def test_a_firm_settling_shows_on_the_cached_dashboard(dashboard, committed, staff, enterprise):
    Enterprise.objects.filter(pk=enterprise.pk).update(status=Enterprise.Status.SIGNED)
    before = dashboard()[0]
    assert (before.settled, before.pipeline) == (0, 1)
    with committed():
        services.enterprise_update(
            actor=staff, enterprise=enterprise, data={"status": Enterprise.Status.SETTLED}
        )
    after = dashboard()[0]
    assert (after.settled, after.pipeline) == (1, 0)
