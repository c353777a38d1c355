"""The embedded sample districts load with one call, in their working CRS."""

from __future__ import annotations

import pytest
from pyproj import CRS

from geo import sample
from geo.district import District
from geo.errors import SampleNotFoundError
from geo.schema import ILLUSTRATIVE, INCIDENT_COLUMNS, STATION_ID


@pytest.fixture(scope="module")
def portland() -> District:
    return sample.load("portland-central")


@pytest.fixture(scope="module")
def toronto() -> District:
    return sample.load("toronto-uoft")


def test_portland_is_the_default_and_loads_whole(portland) -> None:
    assert sample.DEFAULT == "portland-central"
    assert portland.crs == CRS.from_epsg(32610)
    assert len(portland.incidents) == 13_300
    assert not portland.incidents["time_known"].any()
    assert list(portland.incidents.columns[: len(INCIDENT_COLUMNS) - 1]) == list(
        INCIDENT_COLUMNS[:-1]
    )
    assert portland.incidents.within(portland.boundary.buffer(1e-6)).all()
    assert 75 < portland.area_km2 < 85
    assert portland.boundary.is_valid
    assert len(portland.areas) == 37 and portland.areas["name"].str.startswith("District ").all()
    assert portland.network_path is not None and portland.network_path.exists()


def test_only_central_precinct_is_real(portland, toronto) -> None:
    real = portland.stations[~portland.stations[ILLUSTRATIVE]]
    assert list(real[STATION_ID]) == ["central"]
    assert toronto.stations[ILLUSTRATIVE].all()
    for district in (portland, toronto):
        assert district.stations.within(district.boundary).all()


def test_toronto_has_hours_in_local_time(toronto) -> None:
    assert toronto.crs == CRS.from_epsg(32617)
    assert len(toronto.incidents) == 822
    assert toronto.incidents["time_known"].all()
    hours = toronto.incidents["occurred_at"].dt.hour
    assert hours.nunique() == 24
    assert str(toronto.incidents["occurred_at"].dt.tz) == "America/Toronto"
    assert sorted(toronto.areas["name"]) == ["Bay-Cloverhill", "University", "Yonge-Bay Corridor"]


def test_notes_tell_what_the_data_lack(portland) -> None:
    text = " ".join(portland.notes)
    assert "dates only" in text and "illustrative" in text


def test_attribution_names_every_source() -> None:
    text = sample.attribution()
    for source in ("OpenStreetMap", "Open Government Licence – Toronto", "National Institute"):
        assert source in text


def test_unknown_sample_is_refused_with_the_names() -> None:
    with pytest.raises(SampleNotFoundError, match="'portland-central', 'toronto-uoft'"):
        sample.load("springfield")
