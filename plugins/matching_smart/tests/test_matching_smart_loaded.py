"""The plugin is found through its entry point, declares its settings and registers its strategy."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit.errors import ConfigurationError
from mentorkit.hooks import Hooks
from mentorkit.plugins import create_plugin_manager
from mentorkit.settings import load_settings
from mentorkit_matching_smart import CRITERIA, SmartMatchingSettings, explain


def test_matching_smart_is_loaded(mentorkit_admin_client: Any) -> None:
    listed = mentorkit_admin_client.get("/-/plugins.json").json()
    [plugin] = [p for p in listed["plugins"] if p["name"] == "matching_smart"]
    assert plugin["distribution"] == "mentorkit-matching-smart"
    assert plugin["hooks"] == ["register_commands", "register_matching_strategies", "register_settings"]
    runtime = mentorkit_admin_client.app.state.runtime
    assert runtime.settings.plugin("matching_smart") == SmartMatchingSettings()
    assert runtime.strategies["smart"].label == "Smart matching"


def structs() -> dict[str, Any]:
    return Hooks(create_plugin_manager({"MENTORKIT_LOAD_PLUGINS": "matching_smart"})).settings_structs()


def test_weights_come_from_the_environment() -> None:
    settings = load_settings(plugin_structs=structs(), env={
        "MENTORKIT_PLUGINS__MATCHING_SMART__SKILLS_WEIGHT": "0.7",
        "MENTORKIT_PLUGINS__MATCHING_SMART__AVOID_SAME_DEPARTMENT": "true",
    })
    smart = settings.plugin("matching_smart")
    assert (smart.skills_weight, smart.avoid_same_department) == (0.7, True)


def test_negative_weight_is_one_clear_line() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(plugin_structs=structs(),
                      env={"MENTORKIT_PLUGINS__MATCHING_SMART__GOALS_WEIGHT": "-1"})
    assert str(caught.value).startswith("setting 'plugins.matching_smart.goals_weight' = '-1'")
    assert "expected a weight from 0 to 100" in str(caught.value)


def test_every_weight_is_an_explained_criterion() -> None:
    settings = SmartMatchingSettings(skills_weight=0.5)
    weights = {name.removesuffix("_weight") for name in SmartMatchingSettings.__struct_fields__
               if name.endswith("_weight") and name != "question_weight"}
    assert set(CRITERIA) == weights
    score = explain(settings, "skills", 0.6, "They share 3 of 5 skills.")
    assert (score.key, score.label, score.weight, score.value) == ("skills", "Shared skills", 0.5, 0.6)
    assert score.contribution == pytest.approx(0.3)
    assert score.sentence == "They share 3 of 5 skills."
