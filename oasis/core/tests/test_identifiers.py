import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oasis.core.identifiers import (
    USCC_CHARSET,
    industry_label,
    industry_section,
    industry_table,
    make_uscc,
    normalize_uscc,
    org_code_check_char,
    uscc_check_char,
    validate_industry_code,
    validate_uscc,
)


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "91130600738737199K", " 91130600738737199k "]
)
def test_valid_uscc(code):
    validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("9135010M000100Y43", "uscc_length"),
        ("91350100M000100Y4Z", "uscc_charset"),
        ("91350100M000100Y44", "uscc_check"),
        ("91350100M000100YA3", "uscc_org_format"),
    ],
)
def test_invalid_uscc_names_the_broken_part(code, error_code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == error_code


def test_organisation_check_failure_is_the_same_check_failure():
    # Organisation check char wrong (Y→X), USCC check recomputed so only GB 11714 fails:
    # the person is told the code does not verify, not that position 17 is wrong.
    code = "91350100M000100X" + "4"
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code[:17] + uscc_check_char(code[:17]))
    assert exc.value.code == "uscc_check"


@pytest.mark.parametrize(
    "typed",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width, from a Chinese input method
        "９１３５０１００ｍ０００１００ｙ４３",
        "9135 0100 M000 100Y 43",
        "91350100-M000100Y4-3",
        "\u300091350100M000100Y43\u3000",  # ideographic spaces around it
    ],
)
def test_typed_forms_normalise_to_the_code(typed):
    assert normalize_uscc(typed) == "91350100M000100Y43"
    validate_uscc(typed)


def test_worked_examples_from_the_standard():
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert org_code_check_char("M000100Y") == "4"
    assert org_code_check_char("73873719") == "9"


# Under a loaded machine generating from a regex is slow; the property, not the clock, counts.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(
    region=st.from_regex(r"\A[1-6][0-9]{5}\Z"),
    body=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)
def test_generated_codes_are_valid_and_any_single_substitution_is_caught(region, body):
    code = make_uscc(region, body)
    validate_uscc(code)
    # mod 31 is prime and every weight is non-zero: one wrong character always shows.
    for pos in range(18):
        for replacement in ("0", "7", "A", "Y"):
            if code[pos] != replacement:
                broken = code[:pos] + replacement + code[pos + 1 :]
                with pytest.raises(ValidationError) as exc:
                    validate_uscc(broken)
                # A typo anywhere is reported without blaming a position it cannot know
                # (position 17 only when it is not a digit or X, which the format fixes).
                message = str(exc.value.messages[0])
                assert "第18位" not in message
                assert "第17位" not in message or (pos == 16 and replacement in "AY")


def test_charset_has_31_symbols_without_ioszv():
    assert len(USCC_CHARSET) == 31
    assert not set("IOSVZ") & set(USCC_CHARSET)


def test_industry_table_is_complete():
    levels = [0, 0, 0, 0]
    for item in industry_table().values():
        levels[item.level - 1] += 1
    assert levels == [20, 97, 473, 1381]


def test_industry_lookups():
    assert industry_section("3976") == "C"
    assert industry_section("65") == "I"
    assert industry_section("X") == ""
    assert industry_label("3976") == "3976 光电子器件制造"
    validate_industry_code("0111")
    with pytest.raises(ValidationError) as exc:
        validate_industry_code("3999")
    assert exc.value.code == "industry_unknown"
