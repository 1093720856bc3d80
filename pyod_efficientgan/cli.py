"""Command line: ``pyod-efficientgan bench ...`` and ``pyod-efficientgan kdd99 ...``.

Each subcommand lives in the module that owns its idea; this file only
dispatches. ``bench`` is the benchmark harness
(:mod:`pyod_efficientgan.experiments.harness`), ``kdd99`` the paper's
experiment (:mod:`pyod_efficientgan.experiments.kdd99`); both need the
``bench`` extra, and without it the command exits with one line naming the
missing package. Only the module of the subcommand being run is imported, so
``--help`` and a mistyped subcommand answer at once and load neither Keras nor
the data sets.
"""

import argparse
import importlib
import sys

from pyod_efficientgan import experiments

SUBCOMMANDS = {
    "bench": ("harness", "Benchmark EfficientGAN against PyOD detectors."),
    "kdd99": ("kdd99", "Reproduce the paper's KDDCUP99 experiment."),
}
"""Subcommand name -> (module of :mod:`pyod_efficientgan.experiments` defining
``add_arguments`` and ``run``, help)."""


def _experiment_module(name):
    """Import ``pyod_efficientgan.experiments.<name>``, checking the ``bench`` extra first.

    Raises
    ------
    experiments.MissingExtraError
        When a package the module needs is not installed.
    """
    experiments.require(name)
    try:
        return importlib.import_module(f"pyod_efficientgan.experiments.{name}")
    except ModuleNotFoundError as error:
        # a package that is not in experiments.REQUIREMENTS (a broken environment)
        if error.name is None or error.name.split(".")[0] == "pyod_efficientgan":
            raise
        missing = error.name.split(".")[0]
        raise experiments.MissingExtraError(
            experiments.missing_message(missing), name=missing
        ) from error


DESCRIPTION = (
    "EfficientGAN (EGBAD) as a PyOD detector: benchmark it against PyOD detectors (bench) or "
    "reproduce the paper's KDDCUP99 experiment (kdd99). Both need the bench extra: "
    f"{experiments.BENCH_INSTALL}"
)


def build_parser(commands=None, require_extra=True):
    """Return the argument parser with one sub-parser per subcommand.

    Parameters
    ----------
    commands : iterable of str or None, default=None
        Subcommands whose module is imported to add their arguments; the
        others are listed with their help only. None means all of them.
    require_extra : bool, default=True
        Check that the ``bench`` extra is installed before importing a
        module of ``commands``. Without the check (for ``--help``) a module
        that cannot be imported gets a sub-parser that only describes it.

    Raises
    ------
    experiments.MissingExtraError
        When ``require_extra`` and a module of ``commands`` needs a package
        that is not installed.
    """
    parser = argparse.ArgumentParser(prog="pyod-efficientgan", description=DESCRIPTION)
    subparsers = parser.add_subparsers(dest="command", required=True)
    commands = set(SUBCOMMANDS if commands is None else commands)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        description = f"{help_text} Needs the bench extra ({experiments.BENCH_INSTALL})"
        missing = experiments.missing_packages(module_name)
        if missing:
            description += f"; not installed here: {', '.join(missing)}"
        subparser = subparsers.add_parser(name, help=help_text, description=description + ".")
        if name not in commands:
            continue
        if require_extra:
            module = _experiment_module(module_name)
        else:
            try:
                module = importlib.import_module(f"pyod_efficientgan.experiments.{module_name}")
            except ImportError:
                continue
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def main(argv=None):
    """Run the command line; returns the process exit status.

    ``--help`` works without the ``bench`` extra. Running a subcommand
    without it gives one line on stderr and status 1.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    # the subcommand is the first argument that is not an option (the top level has only -h)
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    wants_help = any(arg in ("-h", "--help") for arg in argv)
    try:
        parser = build_parser(
            [command] if command in SUBCOMMANDS else [], require_extra=not wants_help
        )
    except experiments.MissingExtraError as error:
        print(f"pyod-efficientgan {command}: {error}", file=sys.stderr)
        return 1
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
