"""Speed targets judged from pytest-benchmark figures and run epoch times."""

from types import SimpleNamespace

from benchmark import perf_targets


def bench(*entries):
    return {"benchmarks": [{"name": n, "extra_info": info} for n, info in entries]}


RESNET = ("test_train_step[resnet50-baseline-resnet50-masked-180-float32]",
          {"backbone": "resnet50", "size": 180, "precision": "float32", "images_per_s": 8.0,
           "gflop_per_s": 120.0, "fraction_of_conv_rate": 0.41})
INCEPTION = ("test_train_step[inceptionv3-model2-inceptionv3-arcface-masked-180-float32]",
             {"backbone": "inceptionv3", "size": 180, "precision": "float32",
              "images_per_s": 16.0, "gflop_per_s": 160.0, "fraction_of_conv_rate": 0.8})
MIXED = ("test_train_step[resnet50-baseline-resnet50-masked-180-mixed_bfloat16]",
         {"backbone": "resnet50", "size": 180, "precision": "mixed_bfloat16",
          "images_per_s": 20.0, "fraction_of_conv_rate": 0.99})


def rows(stored, runs=()):
    return {r["target"].split(" ")[0] + (" head" if "head" in r["target"] else ""): r
            for r in perf_targets.judge(stored, list(runs))}


def test_conv_fraction_uses_the_float32_step_at_180_and_judges_each_backbone():
    got = rows(bench(MIXED, RESNET, INCEPTION))
    assert (got["ResNet-50"]["measured"], got["ResNet-50"]["status"]) == (0.41, "missed")
    assert (got["InceptionV3"]["measured"], got["InceptionV3"]["status"]) == (0.8, "met")


def test_pipeline_is_held_against_the_fastest_train_step():
    got = rows(bench(RESNET, INCEPTION, ("test_input_pipeline", {"images_per_s": 80.0})))
    assert got["input"]["measured"] == 5.0 and got["input"]["status"] == "met"


def test_head_share_comes_from_model2s_op_profile():
    got = rows(bench(("test_op_profile[model2-inceptionv3-arcface-masked]",
                      {"head_share": 0.03})))
    assert got["ArcFace head"]["status"] == "missed"


def test_epoch_time_is_held_against_train_and_validation_images_without_the_first_epoch():
    run = SimpleNamespace(profile="paper", config={"scenario": {"backbone": "resnet50"},
                                                   "settings": {}},
                          metrics={"n_train": 210, "test": {"n_test": 90}},
                          history=[{"epoch_seconds": "90"}, {"epoch_seconds": "31.5"},
                                   {"epoch_seconds": "32.4"}, {"epoch_seconds": "36"}])
    got = rows(bench(RESNET), [run])
    assert abs(got["a"]["measured"] - 0.08) < 1e-12 and got["a"]["status"] == "met"


def test_missing_figures_are_not_measured_not_failed():
    assert {r["status"] for r in perf_targets.judge({}, [])} == {"not measured"}


def test_a_mixed_precision_run_is_held_against_the_mixed_step_rate():
    run = SimpleNamespace(profile="paper", config={"scenario": {"backbone": "resnet50"},
                                                   "settings": {"precision": "mixed_bfloat16"}},
                          metrics={"n_train": 570, "test": {"n_test": 90}},
                          history=[{"epoch_seconds": "90"}, {"epoch_seconds": "30"}])
    got = rows(bench(RESNET, MIXED), [run])
    assert abs(got["a"]["measured"]) < 1e-12  # 600 images at 20 img/s: 30 s
