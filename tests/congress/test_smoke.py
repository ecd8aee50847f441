import pytest

from congress.models import Region

pytestmark = pytest.mark.django_db


def test_region_prefix_matches_descendants_only(county_a, county_b, township_a):
    """A county's prefix covers its townships and no other county."""
    assert county_a.contains(township_a)
    assert not county_b.contains(township_a)
    assert Region.objects.filter(code__startswith=county_a.prefix).count() == 2
