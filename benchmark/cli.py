"""Command line: `python -m benchmark {list,data,run,report}`.

Thin glue: each command parses its flags, calls one stage module, and turns a
ValueError from bad input into one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmark import published, scenarios


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def add_data_flags(p: argparse.ArgumentParser, defaults: bool = True) -> None:
    paper = scenarios.Settings()
    p.add_argument("--data-dir", help="RMFD root holding AFDB_masked_face_dataset/ "
                   "(default: $RMFD_ROOT, else ../shared/rmfd)")
    p.add_argument("--min-images", type=_positive_int,
                   default=paper.min_images if defaults else None,
                   help="keep people with at least N masked images "
                   f"(paper: {paper.min_images})")
    p.add_argument("--classes", type=_positive_int,
                   default=paper.classes if defaults else None,
                   help=f"how many people to keep (paper: {paper.classes})")


def cmd_list(args: argparse.Namespace) -> int:
    pub = published.by_scenario()
    head = ["scenario", "dataset", "backbone", "head", *published.METRICS]
    print("\t".join(head))
    for s in scenarios.SCENARIOS.values():
        values = [f"{pub[s.id][m].value:g}" if m in pub.get(s.id, {}) else "-"
                  for m in published.METRICS]
        print("\t".join([s.id, s.dataset, s.backbone, s.head, *values]))
    for a in scenarios.ABLATIONS.values():
        print(f"{a.id}\t{a.dataset}\t{a.backbone}\t{a.head}\tablation of {a.ablation_of}: "
              f"{a.title}")
    return 0


def cmd_data_check(args: argparse.Namespace) -> int:
    from benchmark import data_check as check

    report = check.check(args.data_dir, args.min_images, args.classes,
                         test_fraction=scenarios.Settings().test_fraction,
                         seed=scenarios.DEFAULT_SEED)
    print(json.dumps(report, indent=2) if args.json else check.as_text(report))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from benchmark import models, runner

    ids = list(scenarios.SCENARIOS) if args.all else args.scenario
    overrides = {k: v for k, v in (("weights", args.weights), ("min_images", args.min_images),
                                   ("classes", args.classes), ("epochs", args.epochs),
                                   ("image_size", args.image_size),
                                   ("deterministic", args.deterministic or None),
                                   ("jit", args.jit or None),
                                   ("precision", args.mixed_precision
                                    and models.mixed_policy(args.mixed_precision)))
                 if v is not None}
    configs = [[scenarios.resolve(i, args.profile, seed, overrides) for i in ids]
               for seed in args.seed]
    code = runner.run_all(configs, args.data_dir, Path(args.results_dir), overrides,
                          force=args.force)
    return code or cmd_report(argparse.Namespace(results_dir=args.results_dir, output=None))


def cmd_profile(args: argparse.Namespace) -> int:
    import tensorflow as tf

    # One op at a time, so op times add up to the step (set before any TF op).
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from benchmark import models, op_profile

    overrides = {"weights": "none", "image_size": args.image_size, "batch_size": args.batch_size}
    if args.mixed_precision:
        overrides["precision"] = models.mixed_policy(args.mixed_precision)
    cfg = scenarios.resolve(args.scenario, "paper", scenarios.DEFAULT_SEED, overrides)
    _, step = op_profile.random_train_step(cfg, batch=args.batch_size)
    summary = op_profile.profile(step, steps=args.steps)
    summary.update(scenario=cfg.scenario.id, image_size=args.image_size,
                   batch_size=args.batch_size, precision=cfg.settings.precision)
    print(json.dumps(summary, indent=2) if args.json else op_profile.as_text(summary))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from benchmark import report

    out = report.render(Path(args.results_dir), Path(args.output) if args.output else None)
    print(f"report: {out}")
    return 0


def cmd_data_audit(args: argparse.Namespace) -> int:
    from benchmark import audit, data

    report = audit.audit(data.resolve_root(args.data_dir),
                         Path(args.results_dir) if args.results_dir else None, args.distance)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else audit.as_text(report))
    return 0


def cmd_data_fetch(args: argparse.Namespace) -> int:
    from benchmark import data, fetch

    dest = fetch.fetch(args.url, args.sha256, Path(args.dest))
    roots = [dest, *sorted(p for p in dest.iterdir() if p.is_dir())]
    root = next((r for r in roots if (r / data.TREES["masked"]).is_dir()), dest)
    print(f"unpacked into {root}; checking it:")
    return cmd_data_check(argparse.Namespace(data_dir=str(root), min_images=args.min_images,
                                             classes=args.classes, json=False))


def add_mixed_precision_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mixed-precision", nargs="?", const="auto",
                   choices=["auto", *(p for p in scenarios.PRECISIONS if p != "float32")],
                   help="train under a mixed Keras dtype policy; auto: mixed_float16 on a GPU, "
                   "mixed_bfloat16 on a CPU. Off by default (PERFORMANCE.md)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmark",
        description="Reproduce 'Additive Angular Margin Loss for Masked-Face "
        "Image Recognition' (Reyaldi et al.): train, compare, report.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="the scenarios with their published numbers")
    p.set_defaults(func=cmd_list)

    data = sub.add_parser("data", help="inspect the RMFD data")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    p = data_sub.add_parser("check", help="layout, per-person counts, selection, "
                            "split sizes and problems found")
    add_data_flags(p)
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.set_defaults(func=cmd_data_check)
    p = data_sub.add_parser("audit", help="identical and near-identical images filed under "
                            "different people, and train/test leakage of stored runs")
    p.add_argument("--data-dir", help="RMFD root (default: $RMFD_ROOT, else ../shared/rmfd)")
    p.add_argument("--results-dir", default="results",
                   help="runs whose split manifests are checked for leakage. Default: %(default)r")
    p.add_argument("--distance", type=int, default=12,
                   help="largest dHash bit distance counted as near-identical. "
                   "Default: %(default)r")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.set_defaults(func=cmd_data_audit)
    p = data_sub.add_parser("fetch", help="download an RMFD archive (zip or tar), verify its "
                            "sha256, unpack it safely, then run `data check` on it")
    p.add_argument("--url", required=True, help="archive URL (http, https or file)")
    p.add_argument("--sha256", required=True, help="the archive's expected sha256 (hex)")
    p.add_argument("--dest", required=True, help="folder to unpack into")
    p.add_argument("--min-images", type=_positive_int, default=scenarios.Settings().min_images)
    p.add_argument("--classes", type=_positive_int, default=scenarios.Settings().classes)
    p.set_defaults(func=cmd_data_fetch)

    p = sub.add_parser("run", help="train and evaluate scenarios into a results folder")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="all five rows of Tables 2 and 3")
    which.add_argument("--scenario", nargs="+", choices=list(scenarios.ALL_SCENARIOS),
                       metavar="ID", help="one or more scenario ids (see `list`), ablations "
                       f"too: {', '.join(scenarios.ABLATIONS)}")
    p.add_argument("--profile", choices=list(scenarios.PROFILES), default="paper",
                   help="paper: the paper's settings; smoke: a quick check of every stage. "
                   "Default: %(default)r")
    add_data_flags(p, defaults=False)
    p.add_argument("--weights", help="imagenet (the paper's setting) | none | PATH of a "
                   "no-top .h5 weights file. Default: 'imagenet'")
    p.add_argument("--results-dir", default="results", help="Default: %(default)r")
    p.add_argument("--seed", type=int, nargs="+", default=[scenarios.DEFAULT_SEED],
                   help="one run per seed. Default: %(default)r")
    p.add_argument("--epochs", type=_positive_int, help="override the profile's epochs")
    p.add_argument("--image-size", type=_positive_int, help="override the input size")
    p.add_argument("--deterministic", action="store_true",
                   help="bit-identical reruns (one inter-op thread), slower")
    add_mixed_precision_flag(p)
    p.add_argument("--jit", action="store_true",
                   help="XLA-compile the train step; off by default, slower on CPU "
                   "(PERFORMANCE.md)")
    p.add_argument("--force", action="store_true",
                   help="retrain scenarios whose results exist")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("profile", help="time one train step op by op (random images, "
                       "no weights): where the step's time goes on this machine")
    p.add_argument("--scenario", required=True, choices=list(scenarios.ALL_SCENARIOS),
                   metavar="ID")
    p.add_argument("--image-size", type=_positive_int,
                   default=scenarios.Settings().image_size, help="Default: %(default)r")
    p.add_argument("--batch-size", type=_positive_int,
                   default=scenarios.Settings().batch_size, help="Default: %(default)r")
    p.add_argument("--steps", type=_positive_int, default=2,
                   help="profiled steps, after two untimed ones. Default: %(default)r")
    add_mixed_precision_flag(p)
    p.add_argument("--json", action="store_true", help="the full summary as JSON")
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("report", help="render the HTML reproduction report")
    p.add_argument("--results-dir", default="results", help="Default: %(default)r")
    p.add_argument("-o", "--output", help="where to write the HTML. "
                   "Default: <results-dir>/report.html")
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}: check that the path exists, is "
              "writable and that the disk has free space", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume from the last finished "
              "epoch", file=sys.stderr)
        return 130
