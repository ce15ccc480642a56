"""Mainland mobile numbers and resident ID numbers: checked once, masked everywhere."""

from __future__ import annotations

import pytest

from server.domain.errors import BadRequest
from server.domain.personal import (
    id_check_character,
    mask_id_number,
    mask_mobile,
    normalise_id_number,
    normalise_mobile,
)

VALID_ID = "11010519491231002X"  # the GB 11643 example number


def test_mobile_numbers_are_normalised_and_others_refused():
    assert normalise_mobile("138 0013 8000") == "13800138000"
    assert normalise_mobile("+86-139-0000-1111") == "13900001111"
    for bad in ("12800138000", "1380013800", "010-62345678", "１３８００１３８０００", "138001380001"):
        with pytest.raises(BadRequest) as refused:
            normalise_mobile(bad)
        assert refused.value.code == "invalid_phone" and refused.value.status == 400


def test_the_check_character_follows_gb_11643():
    assert id_check_character(VALID_ID[:17]) == "X"
    assert normalise_id_number(VALID_ID.lower()) == VALID_ID
    assert normalise_id_number("340321199001011234"[:17] + id_check_character("34032119900101123")) \
        .startswith("3403211990")


def test_a_wrong_check_digit_a_bad_birth_date_and_a_bad_shape_are_refused():
    wrong_check = VALID_ID[:17] + "1"
    bad_date = "11010519491331" + "002"
    bad_date += id_check_character(bad_date)
    for bad in (wrong_check, bad_date, "110105194912310", "11010519491231002Y", ""):
        with pytest.raises(BadRequest) as refused:
            normalise_id_number(bad)
        assert refused.value.code == "invalid_id_number"


def test_masks_keep_only_the_ends():
    assert mask_id_number("34032119900101123X") == "3403**********123X"
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_mobile("123") == "***"
