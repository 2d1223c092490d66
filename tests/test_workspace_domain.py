"""The workspace formulas (DOMAIN.md section 2), as pure functions: health, weekly series,
success rate and adoption counts."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from csm_graphql.domain.adoption import (
    AdoptionBands,
    AdoptionCategory,
    distribution,
    weekly_distribution,
)
from csm_graphql.domain.blueprint import (
    ClosureCode,
    ClosureRequired,
    closure_values,
    objective_score,
    success_rate,
)
from csm_graphql.domain.enums import PerceivedHealth
from csm_graphql.domain.health import (
    ColourBands,
    Definition,
    Direction,
    Indicator,
    InvalidWeights,
    attainment,
    check_weights,
    effective_definition,
    gap_percent,
    score,
)
from csm_graphql.domain.weeks import fill_weeks, last_weeks, week_start
from csm_graphql.domain.workspace import has_cycle

MAX, MIN = Direction.MAXIMIZE, Direction.MINIMIZE

# -- health ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "direction", "expected"),
    [
        (100, 50, MAX, 0.5),
        (100, 100, MAX, 1.0),
        (100, 150, MAX, 1.0),  # clamped at 1
        (100, -10, MAX, 0.0),  # clamped at 0
        (10, 20, MIN, 0.5),  # target / actual
        (10, 5, MIN, 1.0),  # better than target: clamped
        (10, 10, MIN, 1.0),
        (0, 0, MAX, 1.0),
        (0, 5, MIN, 0.0),
        (5, 0, MIN, 1.0),
        (100, None, MAX, 0.0),  # unmeasured
        (10, None, MIN, 0.0),
    ],
)
def test_attainment(target: float, actual: float | None, direction: Direction, expected: float):
    assert attainment(target, actual, direction) == expected


@pytest.mark.parametrize(
    ("target", "actual", "direction", "expected"),
    [
        (100, 40, MAX, 60.0),
        (100, 120, MAX, 0.0),  # over target: no gap
        (200, 200, MAX, 0.0),
        (10, 15, MIN, 50.0),  # mirrored: above the target is the gap
        (10, 5, MIN, 0.0),
        (10, None, MIN, None),
        (0, 3, MAX, None),
    ],
)
def test_gap_percent(target: float, actual: float | None, direction: Direction, expected):
    assert gap_percent(target, actual, direction) == expected


def test_score_is_the_weighted_sum_of_attainments() -> None:
    indicators = [
        Indicator("Weekly active users", 1000, 50, MAX, 800),  # 0.8 x 50 = 40
        Indicator("Open P1 incidents", 2, 30, MIN, 4),  # 0.5 x 30 = 15
        Indicator("Training completion", 100, 20, MAX, 100),  # 1 x 20 = 20
    ]
    assert score(indicators) == pytest.approx(75.0)
    assert score([]) is None
    perfect = [Indicator("x", 1, 60, MAX, 9), Indicator("y", 1, 40, MIN, 0.5)]
    assert score(perfect) == 100
    assert score([Indicator("x", 1, 100, MAX, None)]) == 0


def test_weights_of_a_definition_sum_to_100() -> None:
    check_weights([50, 30, 20])
    check_weights([100])
    for weights in ([50, 30], [60, 50], [], [100, 0], [110, -10]):
        with pytest.raises(InvalidWeights):
            check_weights(weights)


@pytest.mark.parametrize(
    ("value", "colour"),
    [
        (None, PerceivedHealth.UNKNOWN),
        (0, PerceivedHealth.RED),
        (39.99, PerceivedHealth.RED),
        (40, PerceivedHealth.YELLOW),
        (69.9, PerceivedHealth.YELLOW),
        (70, PerceivedHealth.GREEN),
        (100, PerceivedHealth.GREEN),
    ],
)
def test_default_colour_bands(value: float | None, colour: PerceivedHealth) -> None:
    assert ColourBands().colour(value) == colour


def test_colour_bands_are_configurable() -> None:
    bands = ColourBands(green_from=80, yellow_from=60)
    assert bands.colour(75) is PerceivedHealth.YELLOW
    assert bands.colour(59) is PerceivedHealth.RED
    assert bands.colour(80) is PerceivedHealth.GREEN
    with pytest.raises(ValueError, match="bands"):
        ColourBands(green_from=30, yellow_from=60)


def test_an_engagement_definition_overrides_the_global_one() -> None:
    definitions = [Definition(1, None), Definition(2, 17), Definition(3, 18)]
    assert effective_definition(definitions, 17) == 2
    assert effective_definition(definitions, 18) == 3
    assert effective_definition(definitions, 99) == 1
    assert effective_definition([Definition(2, 17)], 99) is None
    assert effective_definition(list(reversed(definitions)), 17) == 2


# -- weekly series --------------------------------------------------------------------------------


def test_week_start_is_the_monday() -> None:
    assert week_start(date(2026, 6, 1)) == date(2026, 6, 1)  # a Monday
    assert week_start(date(2026, 6, 7)) == date(2026, 6, 1)  # Sunday
    assert week_start(date(2026, 6, 3)) == date(2026, 6, 1)


def test_series_has_one_point_per_week_oldest_first_and_no_missing_week() -> None:
    today = date(2026, 6, 3)
    mondays = last_weeks(today, 12)
    assert len(mondays) == 12
    assert mondays[-1] == date(2026, 6, 1)
    assert all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(mondays))
    values = {mondays[0]: 10.0, mondays[5]: 55.5, date(2020, 1, 6): 99.0}
    points = fill_weeks(values, today, 12)
    assert [p.week_start for p in points] == mondays
    assert [p.value for p in points] == [10.0, None, None, None, None, 55.5, *[None] * 6]
    assert [p.has_value for p in points].count(True) == 2
    assert len(fill_weeks({}, today, 6)) == 6
    for bad in (0, -1, 105):
        with pytest.raises(ValueError, match="weeks"):
            last_weeks(today, bad)


# -- success rate ---------------------------------------------------------------------------------


def test_success_rate_the_75_percent_example() -> None:
    assert success_rate([ClosureCode.ACHIEVED, ClosureCode.PARTIALLY_ACHIEVED]) == 75.0


def test_success_rate_weights_and_skips() -> None:
    A, P, M, C = (
        ClosureCode.ACHIEVED,
        ClosureCode.PARTIALLY_ACHIEVED,
        ClosureCode.MISSED,
        ClosureCode.CANCELED,
    )
    assert [objective_score(code) for code in (A, P, M, C, None)] == [1, 0.5, 0, None, None]
    assert success_rate([A, P, C, None]) == 75.0  # canceled and open ones are skipped
    assert success_rate([A, M]) == 50.0
    assert success_rate([M, M]) == 0.0
    assert success_rate([C, None]) is None
    assert success_rate([]) is None


# -- adoption -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (None, AdoptionCategory.NONE),
        (0, AdoptionCategory.LOW),
        (39.9, AdoptionCategory.LOW),
        (40, AdoptionCategory.MEDIUM),
        (69, AdoptionCategory.MEDIUM),
        (69.99, AdoptionCategory.MEDIUM),
        (70, AdoptionCategory.HIGH),
        (100, AdoptionCategory.HIGH),
    ],
)
def test_adoption_categories(value: float | None, category: AdoptionCategory) -> None:
    assert AdoptionBands().category(value) is category


def test_adoption_bands_are_configurable() -> None:
    bands = AdoptionBands(medium_from=20, high_from=90)
    assert bands.category(25) is AdoptionCategory.MEDIUM
    assert bands.category(89) is AdoptionCategory.MEDIUM
    assert bands.category(19) is AdoptionCategory.LOW
    with pytest.raises(ValueError, match="bands"):
        AdoptionBands(medium_from=80, high_from=50)


def test_each_weeks_counts_sum_to_the_sold_products() -> None:
    mondays = last_weeks(date(2026, 6, 1), 3)
    products = [1, 2, 3, 4]
    scores = {
        (1, mondays[0]): 10.0,
        (2, mondays[0]): 50.0,
        (1, mondays[2]): 80.0,
        (3, mondays[2]): 70.0,
        (4, mondays[2]): 39.0,
        (9, mondays[2]): 99.0,  # not a sold product of this engagement
    }
    weeks = weekly_distribution(products, scores, mondays)
    assert [monday for monday, _ in weeks] == mondays
    for _, counts in weeks:
        assert sum(counts.values()) == len(products)
        assert set(counts) == set(AdoptionCategory)
    low, medium, high, none = (
        AdoptionCategory.LOW,
        AdoptionCategory.MEDIUM,
        AdoptionCategory.HIGH,
        AdoptionCategory.NONE,
    )
    assert weeks[0][1] == {low: 1, medium: 1, high: 0, none: 2}
    assert weeks[1][1] == {low: 0, medium: 0, high: 0, none: 4}
    assert weeks[2][1] == {low: 1, medium: 0, high: 2, none: 1}
    assert distribution([]) == {low: 0, medium: 0, high: 0, none: 0}


# -- business rules -------------------------------------------------------------------------------


def test_closing_needs_a_closure_code_and_notes_and_reopening_clears_them() -> None:
    closed = closure_values(True, ClosureCode.ACHIEVED, "  Done with the customer.  ")
    assert closed == {"closure_code": "ACHIEVED", "closure_notes": "Done with the customer."}
    for code, notes in ((None, "notes"), (ClosureCode.MISSED, None), (ClosureCode.MISSED, "  ")):
        with pytest.raises(ClosureRequired):
            closure_values(True, code, notes)
    assert closure_values(False, ClosureCode.ACHIEVED, "kept?") == {
        "closure_code": None,
        "closure_notes": None,
    }


def test_no_cyclic_parents() -> None:
    parents = {1: None, 2: 1, 3: 2, 4: None}
    assert has_cycle(parents, 1, 3)  # 3 -> 2 -> 1: making 3 the parent of 1 loops
    assert has_cycle(parents, 2, 2)  # its own parent
    assert not has_cycle(parents, 3, 4)
    assert not has_cycle(parents, 4, 3)
    assert not has_cycle(parents, 1, None)
    assert not has_cycle({5: 6, 6: 5}, 1, 5)  # a loop elsewhere is not this change's
