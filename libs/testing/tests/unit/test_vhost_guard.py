"""The development-vhost guard's pure parts: which settings name `jumin`, what counts as a change."""

from __future__ import annotations

from jumin_testing.vhost_guard import VhostSnapshot, differences, settings_naming


def test_the_test_vhost_and_its_urls_pass() -> None:
    environ = {
        "JUMIN_AMQP_VHOST": "jumin_test",
        "JUMIN_REGISTRY_AMQP_URL": "amqp://jumin_registry:x@127.0.0.1:5672/jumin_test",
        "JUMIN_CS_ADAPTER_AMQP_URL": "amqp://jumin_cs_adapter:x@127.0.0.1:5672/jumin_test",
    }
    assert settings_naming("jumin", environ) == []


def test_an_unset_vhost_means_the_development_one() -> None:
    assert settings_naming("jumin", {}) == ["JUMIN_AMQP_VHOST=(unset: jumin)"]


def test_a_service_url_on_the_development_vhost_is_named() -> None:
    environ = {
        "JUMIN_AMQP_VHOST": "jumin_test",
        "JUMIN_REGISTRY_AMQP_URL": "amqp://jumin_registry:x@127.0.0.1:5672/jumin",
        "JUMIN_CS_ADAPTER_AMQP_URL": "amqp://jumin_cs_adapter:x@127.0.0.1:5672/%6Aumin",
        "JUMIN_AMQP_HOST": "127.0.0.1",
    }
    assert settings_naming("jumin", environ) == [
        "JUMIN_CS_ADAPTER_AMQP_URL (vhost jumin)",
        "JUMIN_REGISTRY_AMQP_URL (vhost jumin)",
    ]


def test_differences_name_each_changed_queue_and_new_publishes() -> None:
    before = VhostSnapshot({"cs.events": 0, "koseki.events": 3}, published=10, connections=0)
    assert differences(before, before) == []
    after = VhostSnapshot(
        {"cs.events": 2, "koseki.events": 3, "moj.events": 1}, published=13, connections=0
    )
    assert differences(before, after) == [
        "queue cs.events: 0 → 2 messages",
        "queue moj.events: 0 → 1 messages",
        "3 messages published into the vhost",
    ]


def test_a_consumed_publish_still_counts_but_a_reset_counter_does_not() -> None:
    before = VhostSnapshot({"registry.in": 0}, published=10, connections=0)
    consumed = VhostSnapshot({"registry.in": 0}, published=11, connections=0)
    assert differences(before, consumed) == ["1 messages published into the vhost"]
    restarted = VhostSnapshot({"registry.in": 0}, published=0, connections=0)
    assert differences(before, restarted) == []
