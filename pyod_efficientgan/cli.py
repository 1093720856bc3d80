"""Command line: ``pyod-efficientgan {bench,kdd99} ...``.

Each subcommand lives in the module that owns its idea; this file only
dispatches. ``bench`` is the benchmark harness (:mod:`pyod_efficientgan.harness`),
``kdd99`` the paper's experiment (:mod:`pyod_efficientgan.kdd99`). Only the
module of the subcommand being run is imported, so ``--help`` and a mistyped
subcommand answer at once and load neither TensorFlow nor the data sets.
"""

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "bench": ("pyod_efficientgan.harness", "Benchmark EfficientGAN against PyOD detectors."),
    "kdd99": ("pyod_efficientgan.kdd99", "Reproduce the paper's KDDCUP99 experiment."),
}
"""Subcommand name -> (module defining ``add_arguments`` and ``run``, help)."""


def build_parser(commands=None):
    """Return the argument parser with one sub-parser per subcommand.

    Parameters
    ----------
    commands : iterable of str or None, default=None
        Subcommands whose module is imported to add their arguments; the
        others are listed with their help only. None means all of them.
    """
    parser = argparse.ArgumentParser(prog="pyod-efficientgan", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    commands = set(SUBCOMMANDS if commands is None else commands)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        subparser = subparsers.add_parser(name, help=help_text, description=help_text)
        if name in commands:
            module = importlib.import_module(module_name)
            module.add_arguments(subparser)
            subparser.set_defaults(run=module.run)
    return parser


def main(argv=None):
    """Run the command line; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # the subcommand is the first argument that is not an option (the top level has only -h)
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser([command] if command in SUBCOMMANDS else []).parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
