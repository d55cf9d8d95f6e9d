"""Figures for the report, as PNG data URIs (matplotlib's Agg backend)."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from benchmark.results import Result  # noqa: E402


def data_uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def curves(runs: list[Result], title: str) -> str:
    """Accuracy and loss per epoch, train and val, one line per seed (Figs. 7-10)."""
    fig, (acc, loss) = plt.subplots(1, 2, figsize=(9, 3.2))
    for run in runs:
        epochs = [int(r["epoch"]) + 1 for r in run.history]
        for key, ax, style in (("accuracy", acc, "-"), ("val_accuracy", acc, "--"),
                               ("loss", loss, "-"), ("val_loss", loss, "--")):
            label = f"{'val' if key.startswith('val') else 'train'} (seed {run.seed})"
            ax.plot(epochs, [r[key] for r in run.history], style, label=label, alpha=0.8)
    acc.set(title="accuracy", xlabel="epoch", ylim=(0, 1))
    losses = [r[k] for run in runs for r in run.history for k in ("loss", "val_loss")]
    wide = min(losses) > 0 and max(losses) / min(losses) > 100  # diverging val losses
    loss.set(title="loss" + (" (log scale)" if wide else ""), xlabel="epoch",
             yscale="log" if wide else "linear")
    acc.legend(fontsize=6, ncol=2)
    fig.suptitle(title, fontsize=10)
    return data_uri(fig)


def confusion(matrix: list[list[int]], classes: list[str], title: str) -> str:
    """Rows are the true person, columns the predicted one, as in the paper's Fig. 3."""
    m = np.asarray(matrix)
    size = max(3.0, 0.32 * len(classes) + 1.5)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=90, fontsize=6)
    ax.set_yticks(range(len(classes)), classes, fontsize=6)
    for (i, j), v in np.ndenumerate(m):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=6,
                    color="white" if v > m.max() / 2 else "black")
    ax.set(xlabel="predicted", ylabel="true", title=title)
    return data_uri(fig)
