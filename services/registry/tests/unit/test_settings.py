"""The registry's settings: the ward comes from them, office hours are validated."""

from __future__ import annotations

from datetime import time

import pytest
from pydantic import ValidationError
from registry.bootstrap import address_book
from registry.config import Settings
from registry.domain.recipient_policy import Ward
from registry.policy import load_policy


def test_the_ward_and_its_policy_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUMIN_REGISTRY_WARD_CODE", "131148")
    monkeypatch.setenv("JUMIN_REGISTRY_WARD_NAME", "中野区")

    settings = Settings()
    policy = load_policy(ward=settings.ward)

    assert settings.ward == Ward(code="131148", prefecture="東京都", name="中野区")
    assert policy.ward.holds_honseki("東京都中野区中野四丁目8番地")
    assert not policy.ward.holds_honseki("東京都新宿区西新宿二丁目8番地")
    assert address_book(settings).parse_ward_address("中野四丁目8番1号").municipality == "中野区"


def test_a_ward_code_that_is_not_the_named_wards_stops_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUMIN_REGISTRY_WARD_CODE", "131148")  # 中野区's code, 新宿区's name

    with pytest.raises(ValueError, match="131148"):
        address_book(Settings())


@pytest.mark.parametrize(
    ("opens", "closes"), [("8:3O", "17:15"), ("25:00", "17:15"), ("17:15", "08:30")]
)
def test_office_hours_must_be_times_and_open_before_they_close(
    monkeypatch: pytest.MonkeyPatch, opens: str, closes: str
) -> None:
    monkeypatch.setenv("JUMIN_REGISTRY_OFFICE_OPENS", opens)
    monkeypatch.setenv("JUMIN_REGISTRY_OFFICE_CLOSES", closes)

    with pytest.raises(ValidationError, match="office_"):
        Settings()


def test_office_hours_are_read_as_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUMIN_REGISTRY_OFFICE_OPENS", "09:00")

    assert Settings().office_opens == time(9, 0)
