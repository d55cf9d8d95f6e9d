"""Train and evaluate one scenario end to end, resumably, into plain files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from benchmark import data, metrics, results
from benchmark.scenarios import ASSUMPTIONS, RunConfig


def seed_everything(seed: int, deterministic: bool) -> None:
    """Fixed seeds and deterministic ops; `deterministic` also serialises ops.

    Measured on 2 CPU cores: op determinism alone left InceptionV3 weights
    differing between two runs from the second step on; one inter-op thread
    made them bit-identical, at ~11% cost for InceptionV3, none for ResNet-50.
    """
    if deterministic:
        try:
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # already initialised in this process: keep going
            pass
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def run_id(profile: str, seed: int, overrides: dict) -> str:
    """`<profile>-seed<N>`, plus a short hash when flags changed the settings."""
    base = f"{profile}-seed{seed}"
    if not overrides:
        return base
    text = json.dumps(overrides, sort_keys=True, default=str)
    return f"{base}-{hashlib.sha256(text.encode()).hexdigest()[:6]}"


class EpochTimer(keras.callbacks.Callback):
    """Adds `epoch_seconds` to the epoch's logs; runs before CSVLogger so the
    history keeps it (Keras passes one logs dict to every callback)."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_seconds"] = round(time.monotonic() - self.start, 2)


class EpochLog(keras.callbacks.Callback):
    """One line per epoch with its metrics and the time left; runs last, so a
    printed epoch is one whose history row and checkpoint are on disk."""

    def __init__(self, name: str, epochs: int, n_train: int, out=sys.stdout):
        super().__init__()
        self.name, self.epochs, self.n_train, self.out = name, epochs, n_train, out

    def on_train_begin(self, logs=None):
        self.start, self.done = time.monotonic(), 0

    def on_epoch_end(self, epoch, logs=None):
        self.done += 1
        logs = dict(logs or {})
        took = logs.pop("epoch_seconds", None) or 1e-9
        per = (time.monotonic() - self.start) / self.done
        left = per * (self.epochs - epoch - 1)
        vals = "  ".join(f"{k} {v:.4f}" for k, v in sorted(logs.items()))
        print(f"[{self.name}] epoch {epoch + 1}/{self.epochs}  {vals}  {took:.1f}s "
              f"({self.n_train / took:.1f} train img/s incl. validation), "
              f"{left / 60:.1f} min left", file=self.out, flush=True)


class KillAtBatch(keras.callbacks.Callback):
    """Test hook: SIGKILL this process at global training batch N.

    Set by BENCHMARK_KILL_AT_BATCH, so fault tests can choose where a run dies.
    """

    def __init__(self, batch: int):
        super().__init__()
        self.target, self.seen = batch, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.target:
            os.kill(os.getpid(), signal.SIGKILL)


class Interrupt(keras.callbacks.Callback):
    """Ctrl-C raises KeyboardInterrupt wherever Python happens to be, and a
    library can swallow it there; the flag set by the handler is checked again
    at every batch, so an interrupted run always stops and never publishes."""

    requested = False

    @staticmethod
    def handler(signum, frame):
        Interrupt.requested = True
        raise KeyboardInterrupt

    @staticmethod
    def check():
        if Interrupt.requested:
            raise KeyboardInterrupt

    def on_train_batch_end(self, batch, logs=None):
        self.check()

    def on_test_batch_end(self, batch, logs=None):
        self.check()


@dataclass
class Prepared:
    """A scenario's data, decoded once and split."""

    selection: data.Selection
    manifest: list[dict]
    data_hash: str
    train: np.ndarray  # indices into selection.files
    test: np.ndarray
    x_train: np.ndarray | None = None  # decoded on demand: a skipped run needs none
    y_train: np.ndarray | None = None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None

    def load(self, image_size: int) -> None:
        x = data.load_images(self.selection.files, image_size)
        y = np.eye(len(self.selection.people), dtype=np.float32)[list(self.selection.labels)]
        self.x_train, self.y_train = x[self.train], y[self.train]
        self.x_test, self.y_test = x[self.test], y[self.test]


def prepare(cfg: RunConfig, inv: data.Inventory) -> Prepared:
    s = cfg.settings
    sel = data.select(inv, cfg.scenario.dataset, s.min_images, s.classes,
                      s.max_images_per_class)
    train, test = data.split(sel.labels, s.test_fraction, cfg.seed)
    manifest = data.split_manifest(sel, train, test)
    return Prepared(sel, manifest, data.manifest_hash(manifest), train, test)


def existing(final: Path, cfg: RunConfig, data_hash: str, force: bool) -> bool:
    """True when `final` already holds this exact run; refuse foreign results."""
    if not (final / "metrics.json").exists():
        return False
    old = results.read_json(final / "config.json")
    same = old.get("config_hash") == cfg.hash and old.get("data_hash") == data_hash
    if same and not force:
        return True
    if not force:
        raise results.ResultsError(
            f"{final} holds results of another config (hash {old.get('config_hash')}, "
            f"data {old.get('data_hash')}; this run: {cfg.hash}, data {data_hash}): pass "
            "--force to replace them, or --results-dir for a separate folder")
    return False


def train(cfg: RunConfig, prep: Prepared, work: Path, log=sys.stdout) -> tuple:
    """Fit with a checkpoint each epoch; a rerun resumes after the last one."""
    from benchmark import models

    s = cfg.settings
    built = models.build(cfg, len(prep.selection.people))
    pre = models.preprocess_fn(cfg.scenario.backbone)
    train_ds = data.make_dataset(prep.x_train, prep.y_train, batch_size=s.batch_size,
                                 preprocess=pre, labels_as_input=built.labels_as_input,
                                 shuffle_seed=cfg.seed)
    val_ds = data.make_dataset(prep.x_test, prep.y_test, batch_size=s.batch_size,
                               preprocess=pre, labels_as_input=built.labels_as_input)
    done = history_rows(work / "history.csv") if (work / "history.csv").exists() else []
    # Order matters for a kill at any moment: the history row is written before
    # the checkpoint that counts the epoch as done, and the line is printed last.
    callbacks = [
        EpochTimer(),
        keras.callbacks.CSVLogger(str(work / "history.csv"), append=True),
        keras.callbacks.ModelCheckpoint(
            str(work / "best.weights.h5"), monitor="val_accuracy", mode="max",
            save_best_only=True, save_weights_only=True,
            initial_value_threshold=max((float(r["val_accuracy"]) for r in done), default=None)),
        keras.callbacks.BackupAndRestore(str(work / "backup"), double_checkpoint=True,
                                         delete_checkpoint=False),
        EpochLog(cfg.scenario.id, s.epochs, len(prep.x_train), log),
        Interrupt(),
    ]
    if os.environ.get("BENCHMARK_KILL_AT_BATCH"):
        callbacks.append(KillAtBatch(int(os.environ["BENCHMARK_KILL_AT_BATCH"])))
    resume_shuffle(train_ds, work / "backup")
    built.train.fit(train_ds, validation_data=val_ds, epochs=s.epochs, verbose=0, shuffle=False,
                    callbacks=callbacks)
    scores = predict(built.infer, prep, pre, s.batch_size)
    extra = analyse(cfg, built, prep, pre, work, list(prep.selection.people))
    return scores, history_rows(work / "history.csv"), extra


def resume_shuffle(train_ds, backup: Path) -> None:
    """Advance the seeded shuffle past finished epochs, so a resumed run sees the
    same batch order as an uninterrupted one: each new iterator of a dataset
    shuffled with reshuffle_each_iteration draws the next epoch's order."""
    meta = backup / "training_metadata.json"
    if meta.exists():
        for _ in range(int(json.loads(meta.read_text())["epoch"])):
            iter(train_ds)


def predict(model, prep: Prepared, pre, batch_size: int, labels: bool = False) -> np.ndarray:
    ds = data.make_dataset(prep.x_test, prep.y_test, batch_size=batch_size, preprocess=pre,
                           labels_as_input=labels)
    return np.asarray(model.predict(ds, verbose=0), dtype=np.float32)  # bf16 under mixed


def brief(ev: dict) -> dict:
    return {k: ev[k] for k in ("accuracy", "macro", "keras_binary", "n_test")}


def analyse(cfg: RunConfig, built, prep: Prepared, pre, work: Path, people: list[str]) -> dict:
    """What could explain the published numbers (issue: Table 2 vs Table 3).

    - test_with_labels: the ArcFace margin applied at test time (labels fed),
      as Keras' validation during fit does;
    - logits_keras_binary: Keras' binary P/R over s*cos(theta), as if the head
      output the scaled cosines;
    - best_epoch_test: the weights of the best validation epoch, no labels.
    """
    from benchmark.arcface import cosine

    bs, out = cfg.settings.batch_size, {}
    if built.labels_as_input:
        with_labels = predict(built.train, prep, pre, bs, labels=True)
        out["test_with_labels"] = brief(metrics.evaluate(prep.y_test, with_labels, people))
        feats = predict(built.features, prep, pre, bs)
        head = built.train.get_layer("arcface")
        logits = head.s * np.asarray(cosine(feats, np.asarray(head.w)))
        out["logits_keras_binary"] = metrics.keras_binary(prep.y_test, logits)
    best = work / "best.weights.h5"
    if best.exists():
        built.train.load_weights(str(best))
        scores = predict(built.infer, prep, pre, bs)
        out["best_epoch_test"] = brief(metrics.evaluate(prep.y_test, scores, people))
    return out


def history_rows(path: Path) -> list[dict]:
    """CSVLogger's rows, one per epoch; a resumed epoch keeps its last row."""
    by_epoch = {int(float(r["epoch"])): r for r in results.read_csv(path)}
    return [by_epoch[e] for e in sorted(by_epoch)]


def table2(history: list[dict]) -> dict:
    """The paper's Table 2 quantities at the last epoch, and the best epoch."""
    last = history[-1]
    best = max(history, key=lambda r: float(r["val_accuracy"]))
    return {
        "train_accuracy": float(last["accuracy"]), "val_accuracy": float(last["val_accuracy"]),
        "train_loss": float(last["loss"]), "val_loss": float(last["val_loss"]),
        "best_epoch": int(float(best["epoch"])) + 1,
        "best_val_accuracy": float(best["val_accuracy"]),
    }


def run_scenario(cfg: RunConfig, inv: data.Inventory, results_dir: Path, rid: str,
                 force: bool = False, log=sys.stdout) -> Path:
    """Train, evaluate and publish one scenario; skip it when already done."""
    started = time.monotonic()
    prep = prepare(cfg, inv)
    final = results_dir / rid / cfg.scenario.id
    if existing(final, cfg, prep.data_hash, force):
        print(f"[{cfg.scenario.id}] done already ({final}), skipped", file=log, flush=True)
        return final
    prep.load(cfg.settings.image_size)
    work = fresh_work(results_dir / rid / ".work" / cfg.scenario.id, cfg.hash, force, log)
    print(f"[{cfg.scenario.id}] {len(prep.x_train)} train / {len(prep.x_test)} test images, "
          f"{len(prep.selection.people)} classes, config {cfg.hash}", file=log, flush=True)
    scores, history, extra = train(cfg, prep, work, log)
    Interrupt.check()  # a Ctrl-C swallowed during evaluation still stops here
    evaluation = metrics.evaluate(prep.y_test, scores, list(prep.selection.people))
    files = outputs(cfg, prep, inv, history, evaluation, extra, time.monotonic() - started)
    results.publish(files, final)
    shutil.rmtree(work, ignore_errors=True)
    print(f"[{cfg.scenario.id}] test accuracy {evaluation['accuracy']:.4f} -> {final}",
          file=log, flush=True)
    return final


def seconds_per_epoch(history: list[dict], wall: float) -> float:
    """Mean measured epoch time; older histories without it fall back to wall/epochs
    (which undercounts a resumed run: wall covers only the last process)."""
    times = [float(r["epoch_seconds"]) for r in history if r.get("epoch_seconds")]
    return round(sum(times) / len(times) if times else wall / max(len(history), 1), 2)


def fresh_work(work: Path, config_hash: str, force: bool, log=sys.stdout) -> Path:
    """The training-state folder: resumed when it belongs to this config, else
    (or with --force) started afresh."""
    stamp = work / "config_hash"
    stale = stamp.exists() and stamp.read_text().strip() != config_hash
    if stale or (force and work.exists()):
        print(f"discarding training state in {work} ({'--force' if force else 'another config'})",
              file=log, flush=True)
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    stamp.write_text(config_hash)
    return work


def outputs(cfg: RunConfig, prep: Prepared, inv: data.Inventory, history: list[dict],
            evaluation: dict, analysis: dict, wall: float) -> dict[str, str]:
    """The text of every result file of one scenario."""
    people = list(prep.selection.people)
    config = {**cfg.to_dict(), "config_hash": cfg.hash, "data_hash": prep.data_hash,
              "data_root": str(inv.root), "classes": people,
              "deviations": list(cfg.deviations) + list(prep.selection.deviations),
              "assumptions": ASSUMPTIONS}
    summary = {
        "scenario": cfg.scenario.id, "profile": cfg.profile, "seed": cfg.seed,
        "config_hash": cfg.hash, "data_hash": prep.data_hash,
        "table2": table2(history),
        "test": {k: evaluation[k] for k in ("accuracy", "macro", "keras_binary", "n_test")},
        "per_class": evaluation["per_class"],
        "n_train": len(prep.x_train), "epochs_run": len(history),
        "seconds_per_epoch": seconds_per_epoch(history, wall),
        "analysis": analysis,
    }
    env = {**results.environment(), "seed": cfg.seed,
           "deterministic": cfg.settings.deterministic, "data_hash": prep.data_hash,
           "wall_seconds": round(wall, 1), "finished_utc": datetime.now(UTC).isoformat(),
           "skipped_files": len(inv.skipped)}
    confusion = [[p, *row] for p, row in zip(people, evaluation["confusion"], strict=True)]
    return {
        "config.json": results.dumps(config),
        "history.csv": results.csv_text(history),
        "metrics.json": results.dumps(summary),
        "confusion.csv": results.csv_text(confusion, ["true\\predicted", *people]),
        "split_manifest.csv": results.csv_text(prep.manifest),
        "environment.json": results.dumps(env),
    }


def run_all(configs: list[list[RunConfig]], data_dir: str | None, results_dir: Path,
            overrides: dict, force: bool = False, log=sys.stdout) -> int:
    """Run every scenario of every seed; data is scanned once."""
    first = configs[0][0]
    signal.signal(signal.SIGINT, Interrupt.handler)
    seed_everything(first.seed, first.settings.deterministic)
    root = data.resolve_root(data_dir)
    inv = data.scan(root)
    for per_seed in configs:
        for cfg in per_seed:
            rid = run_id(cfg.profile, cfg.seed, overrides)
            keras.backend.clear_session()
            seed_everything(cfg.seed, cfg.settings.deterministic)
            run_scenario(cfg, inv, results_dir, rid, force, log)
    return 0
