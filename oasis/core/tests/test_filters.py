"""The one filter style: blank parameters are unset, a bad one is named and dropped."""

from typing import Literal

from django.http import QueryDict

from oasis.core.filters import ListFilter, ParkFilter, parse_filters


class Sample(ListFilter):
    labels = {"state": "状态", "park": "园区"}
    state: Literal["open", "all"] = "open"
    park: int | None = None
    mine: bool = False


def test_blank_parameters_keep_their_defaults():
    filters, errors = parse_filters(Sample, QueryDict("state=&park=&mine="))
    assert (filters.state, filters.park, filters.mine, errors) == ("open", None, False, [])


def test_good_parameters_parse_and_page_parameters_are_ignored():
    filters, errors = parse_filters(Sample, QueryDict("state=all&park=7&mine=1&page=3&export=xlsx"))
    assert (filters.state, filters.park, filters.mine, errors) == ("all", 7, True, [])


def test_a_bad_parameter_is_named_by_its_label_and_the_good_ones_still_filter():
    filters, errors = parse_filters(Sample, QueryDict("state=closed&park=7"))
    assert (filters.state, filters.park) == ("open", 7)
    assert errors == ["筛选条件“状态”的值“closed”无效，已忽略。"]


def test_every_bad_parameter_is_reported_and_long_values_are_cut():
    filters, errors = parse_filters(Sample, {"state": "x" * 100, "park": "abc"})
    assert (filters.state, filters.park) == ("open", None)
    assert errors == [
        "筛选条件“园区”的值“abc”无效，已忽略。",
        f"筛选条件“状态”的值“{'x' * 40}”无效，已忽略。",
    ]


def test_park_filter():
    assert parse_filters(ParkFilter, QueryDict("park=12"))[0].park == 12
    assert parse_filters(ParkFilter, QueryDict("park=-"))[1] == [
        "筛选条件“园区”的值“-”无效，已忽略。"
    ]
