"""Command line: ``pyod-efficientgan {bench,kdd99} ...``.

Each subcommand lives in the module that owns its idea; this file only
dispatches. ``bench`` is the benchmark harness (:mod:`pyod_efficientgan.harness`),
``kdd99`` the paper's experiment (:mod:`pyod_efficientgan.kdd99`).
"""

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "bench": ("pyod_efficientgan.harness", "Benchmark EfficientGAN against PyOD detectors."),
    "kdd99": ("pyod_efficientgan.kdd99", "Reproduce the paper's KDDCUP99 experiment."),
}
"""Subcommand name -> (module defining ``add_arguments`` and ``run``, help)."""


def build_parser():
    """Return the argument parser with one sub-parser per subcommand."""
    parser = argparse.ArgumentParser(prog="pyod-efficientgan", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        subparser = subparsers.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def main(argv=None):
    """Run the command line; returns the process exit status."""
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
