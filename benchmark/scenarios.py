"""The paper's five table rows and the run profiles, declared once as data.

Every value carries its source: the paper is Reyaldi, Fachrurrozi, Rizqie,
"Additive Angular Margin Loss for Masked-Face Image Recognition" (Table 1 and
section 3). Values the paper leaves open are marked "assumption" and are shown
in every result and in the report.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

Dataset = Literal["masked", "mixed"]
Backbone = Literal["resnet50", "inceptionv3"]
Head = Literal["softmax", "arcface"]


@dataclass(frozen=True)
class Scenario:
    """One row of the paper's Tables 2 and 3."""

    id: str
    title: str  # the row's name in the paper's tables
    dataset: Dataset  # "masked": AFDB_masked_face_dataset; "mixed": both trees
    backbone: Backbone
    head: Head
    figure: str = ""  # the paper's accuracy/loss figure for this row, if any
    cited: str = ""  # set when the paper cites the row instead of running it
    # How the published P/R/F1 were most likely computed (baselines/README.md):
    # Models 1-4 fit Keras' binary convention; the baseline's F1 does not.
    convention: str = "keras_binary"
    # Settings this scenario changes itself (ablations only), as (name, value).
    settings: tuple[tuple[str, object], ...] = ()
    ablation_of: str = ""  # the table row an ablation varies


@dataclass(frozen=True)
class Settings:
    """Training and data settings; `paper` values are the defaults."""

    optimizer: str = "adam"  # Table 1
    learning_rate: float = 0.0016  # Table 1
    batch_size: int = 32  # Table 1
    loss: str = "categorical_crossentropy"  # Table 1
    epochs: int = 25  # Table 1
    image_size: int = 180  # section 3a: "resolution ... 180 x 180"
    classes: int = 15  # section 3a: "only 15 classes"
    min_images: int = 20  # section 3a: "minimum number of images of 20"
    max_images_per_class: int = 0  # 0: all; the paper uses every image
    test_fraction: float = 0.3  # section 3a: "7:3"
    weights: str = "imagenet"  # section 2a: "pre-trained model"
    dropout: float = 0.5  # assumption: the paper gives no dropout rate
    arcface_s: float = 64.0  # assumption: Deng et al. (arXiv:1801.07698) s=64
    arcface_m: float = 0.5  # assumption: Deng et al. (arXiv:1801.07698) m=0.5
    arcface_output: str = "softmax"  # issue 3: probabilities for the CCE loss
    trainable_backbone: bool = True  # assumption: the whole backbone is tuned
    deterministic: bool = False  # bit-identical reruns at a speed cost
    precision: str = "float32"  # Keras dtype policy; --mixed-precision picks a mixed one
    jit: bool = False  # XLA; off because it measured slower on CPU (PERFORMANCE.md)


@dataclass(frozen=True)
class Profile:
    """A named set of overrides applied on top of the paper's settings."""

    name: str
    description: str
    overrides: dict[str, object] = field(default_factory=dict)


# Assumptions where the paper is silent; shown with every result.
ASSUMPTIONS: dict[str, str] = {
    "dropout": "The paper adds Dropout -> Flatten -> Dropout but gives no rate; "
    "0.5 is used for both Dropout layers.",
    "arcface_s_m": "The paper gives no ArcFace scale or margin; s=64 and m=0.5 "
    "are the defaults of Deng et al. (arXiv:1801.07698).",
    "trainable_backbone": "The paper does not say whether backbone layers are "
    "frozen; all layers are trained.",
    "baseline_head": "The baseline is ResNet-50 -> global average pooling -> "
    "Dense softmax (Keras' own top), as in Mandal et al.'s transfer setup.",
    "arcface_eval": "Test metrics use the ArcFace layer without labels "
    "(softmax of s*cos(theta), no margin); Keras' validation during fit feeds "
    "the labels, so the margin applies to val loss and val accuracy.",
    "split": "One stratified 70/30 split per seed (scikit-learn "
    "train_test_split, stratified by person); the test split is also the "
    "validation data, as the paper's 'validation' and 'test' use the same 30%.",
    "preprocessing": "Images are decoded to RGB, resized bilinearly with "
    "tf.image.resize, then passed through the backbone's own "
    "keras.applications preprocess_input.",
}

SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in (
        Scenario(
            "baseline-resnet50-masked",
            "ResNet-50 (Mandal et al. [6])",
            "masked",
            "resnet50",
            "softmax",
            cited="Mandal et al., arXiv:2104.08997: a different data protocol",
            convention="macro",
        ),
        Scenario(
            "model1-resnet50-arcface-masked",
            "1: ResNet-50 + ArcFace",
            "masked",
            "resnet50",
            "arcface",
            figure="Fig. 7",
        ),
        Scenario(
            "model2-inceptionv3-arcface-masked",
            "2: InceptionV3 + ArcFace",
            "masked",
            "inceptionv3",
            "arcface",
            figure="Fig. 8",
        ),
        Scenario(
            "model3-resnet50-arcface-mixed",
            "3: ResNet-50 + ArcFace",
            "mixed",
            "resnet50",
            "arcface",
            figure="Fig. 9",
        ),
        Scenario(
            "model4-inceptionv3-arcface-mixed",
            "4: InceptionV3 + ArcFace",
            "mixed",
            "inceptionv3",
            "arcface",
            figure="Fig. 10",
        ),
    )
}

# Not rows of the paper: variants that test how its numbers may have been made.
ABLATIONS: dict[str, Scenario] = {
    s.id: s
    for s in (
        Scenario(
            "ablation-model1-logits-masked",
            "1 with an ArcFace head that outputs s*cos (no softmax)",
            "masked",
            "resnet50",
            "arcface",
            settings=(("arcface_output", "logits"),),
            ablation_of="model1-resnet50-arcface-masked",
        ),
        Scenario(
            "ablation-model2-logits-masked",
            "2 with an ArcFace head that outputs s*cos (no softmax)",
            "masked",
            "inceptionv3",
            "arcface",
            settings=(("arcface_output", "logits"),),
            ablation_of="model2-inceptionv3-arcface-masked",
        ),
    )
}
ALL_SCENARIOS: dict[str, Scenario] = {**SCENARIOS, **ABLATIONS}

PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("paper", "The paper's settings (Table 1, section 3)."),
        Profile(
            "smoke",
            "A quick end-to-end check of every stage on 2 CPU cores: 96x96 "
            "input, 2 epochs, 5 classes, at most 8 images per class and tree.",
            {"image_size": 96, "epochs": 2, "classes": 5, "max_images_per_class": 8},
        ),
    )
}

DEFAULT_SEED = 42

# Speed options added after results were published. At these defaults they are
# left out of the config hash, so a run's hash is what it was before they existed
# and finished results stay valid; set to anything else they are hashed.
HASH_NEUTRAL_DEFAULTS: dict[str, object] = {"precision": "float32", "jit": False}
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


@dataclass(frozen=True)
class RunConfig:
    """A scenario resolved against a profile, user overrides and a seed."""

    scenario: Scenario
    profile: str
    seed: int
    settings: Settings
    deviations: tuple[str, ...]  # every way this run differs from the paper

    def to_dict(self) -> dict[str, object]:
        """What decides a run's outcome; titles and labels stay out of the hash."""
        sc = self.scenario
        return {
            "scenario": {"id": sc.id, "dataset": sc.dataset, "backbone": sc.backbone,
                         "head": sc.head},
            "profile": self.profile,
            "seed": self.seed,
            "settings": dataclasses.asdict(self.settings),
        }

    @property
    def hash(self) -> str:
        """Stable across processes: sha256 of the sorted-key JSON config."""
        config = self.to_dict()
        config["settings"] = {k: v for k, v in config["settings"].items()
                              if HASH_NEUTRAL_DEFAULTS.get(k, object()) != v}
        text = json.dumps(config, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def resolve(
    scenario_id: str,
    profile: str = "paper",
    seed: int = DEFAULT_SEED,
    overrides: dict[str, object] | None = None,
) -> RunConfig:
    """Resolve one scenario; overrides win over the profile's values."""
    if scenario_id not in ALL_SCENARIOS:
        raise ValueError(
            f"unknown scenario {scenario_id!r}; expected one of "
            f"{', '.join(ALL_SCENARIOS)}"
        )
    if profile not in PROFILES:
        raise ValueError(
            f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}"
        )
    scenario = ALL_SCENARIOS[scenario_id]
    merged = {**dict(scenario.settings), **PROFILES[profile].overrides, **(overrides or {})}
    unknown = set(merged) - {f.name for f in dataclasses.fields(Settings)}
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}")
    settings = dataclasses.replace(Settings(), **merged)
    if settings.precision not in PRECISIONS:
        raise ValueError(f"unknown precision {settings.precision!r}; expected one of "
                         f"{', '.join(PRECISIONS)}")
    return RunConfig(scenario, profile, seed, settings, deviations(settings))


def deviations(settings: Settings) -> tuple[str, ...]:
    """Every setting that differs from the paper's, as readable lines."""
    paper = Settings()
    lines = []
    for f in dataclasses.fields(Settings):
        ours, theirs = getattr(settings, f.name), getattr(paper, f.name)
        if ours != theirs:
            lines.append(f"{f.name}: {ours!r} (paper: {theirs!r})")
    return tuple(lines)
