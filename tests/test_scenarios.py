"""Scenarios and profiles resolve to one config with a stable hash."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import scenarios


def test_five_rows_declared_with_dataset_backbone_and_head():
    rows = {s.id: (s.dataset, s.backbone, s.head) for s in scenarios.SCENARIOS.values()}
    assert rows == {
        "baseline-resnet50-masked": ("masked", "resnet50", "softmax"),
        "model1-resnet50-arcface-masked": ("masked", "resnet50", "arcface"),
        "model2-inceptionv3-arcface-masked": ("masked", "inceptionv3", "arcface"),
        "model3-resnet50-arcface-mixed": ("mixed", "resnet50", "arcface"),
        "model4-inceptionv3-arcface-mixed": ("mixed", "inceptionv3", "arcface"),
    }


def test_paper_profile_holds_table1_and_section3_settings():
    s = scenarios.resolve("model2-inceptionv3-arcface-masked").settings
    assert (s.optimizer, s.learning_rate, s.batch_size, s.loss, s.epochs) == (
        "adam", 0.0016, 32, "categorical_crossentropy", 25)
    assert (s.image_size, s.classes, s.min_images, s.test_fraction) == (180, 15, 20, 0.3)


def test_paper_profile_has_no_deviations():
    assert scenarios.resolve("baseline-resnet50-masked").deviations == ()


def test_smoke_profile_overrides_are_recorded_as_deviations():
    cfg = scenarios.resolve("baseline-resnet50-masked", "smoke")
    assert cfg.settings.image_size == 96
    assert any(d.startswith("image_size: 96") for d in cfg.deviations)


def test_user_override_beats_profile():
    cfg = scenarios.resolve("baseline-resnet50-masked", "smoke", overrides={"epochs": 1})
    assert cfg.settings.epochs == 1


def test_hash_is_stable_across_processes():
    code = ("from benchmark import scenarios; "
            "print(scenarios.resolve('model1-resnet50-arcface-masked', 'smoke').hash)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == scenarios.resolve("model1-resnet50-arcface-masked", "smoke").hash


def test_hash_changes_with_seed_profile_and_settings():
    hashes = {
        scenarios.resolve("model1-resnet50-arcface-masked").hash,
        scenarios.resolve("model1-resnet50-arcface-masked", seed=1).hash,
        scenarios.resolve("model1-resnet50-arcface-masked", "smoke").hash,
        scenarios.resolve("model1-resnet50-arcface-masked",
                          overrides={"weights": "none"}).hash,
    }
    assert len(hashes) == 4


def test_unknown_scenario_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown scenario 'nope'; expected one of"):
        scenarios.resolve("nope")


def test_unknown_setting_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown setting"):
        scenarios.resolve("baseline-resnet50-masked", overrides={"epoch": 3})


def test_ablations_change_the_head_output_and_are_not_table_rows():
    assert not set(scenarios.ABLATIONS) & set(scenarios.SCENARIOS)
    for aid, ab in scenarios.ABLATIONS.items():
        cfg = scenarios.resolve(aid)
        assert cfg.settings.arcface_output == "logits"
        assert ab.ablation_of in scenarios.SCENARIOS


def test_speed_options_at_defaults_leave_the_hash_unchanged():
    plain = scenarios.resolve("model1-resnet50-arcface-masked")
    explicit = scenarios.resolve("model1-resnet50-arcface-masked",
                                 overrides={"precision": "float32", "jit": False})
    assert plain.hash == explicit.hash


def test_mixed_precision_and_jit_change_the_hash_and_are_deviations():
    plain = scenarios.resolve("model1-resnet50-arcface-masked")
    mixed = scenarios.resolve("model1-resnet50-arcface-masked",
                              overrides={"precision": "mixed_bfloat16"})
    jit = scenarios.resolve("model1-resnet50-arcface-masked", overrides={"jit": True})
    assert len({plain.hash, mixed.hash, jit.hash}) == 3
    assert mixed.deviations == ("precision: 'mixed_bfloat16' (paper: 'float32')",)
    assert jit.deviations == ("jit: True (paper: False)",)


def test_unknown_precision_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown precision 'half'; expected one of float32"):
        scenarios.resolve("baseline-resnet50-masked", overrides={"precision": "half"})


def test_committed_results_still_resolve_to_their_config_hash():
    """A settings change that moved these hashes would orphan every published run."""
    root = Path(__file__).resolve().parents[1] / "results"
    checked = 0
    for path in root.glob("*/*/config.json"):
        config = json.loads(path.read_text())
        cfg = scenarios.resolve(config["scenario"]["id"], config["profile"], config["seed"],
                                config["settings"])
        assert cfg.hash == config["config_hash"], path
        checked += 1
    if not checked:
        pytest.skip(f"no committed results under {root}")
