"""A run's command line, rebuilt from its parser and parsed options (for reports).

``bench`` and ``kdd99`` both print, in their reports, a command that repeats the run. Both
build it here from the parser their command line uses, so an option added to a parser is
shown without a second list to keep in step.
"""

import argparse
import shlex


def _word(value):
    """One option value as the parsers here read it back."""
    if value is None:
        return "none"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return f"{value[0]}={value[1]!r}"  # a KEY=VALUE option
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value)  # layer widths
    return str(value)


def _long_flag(action):
    return next((s for s in action.option_strings if s.startswith("--")), action.option_strings[0])


def rebuild_argv(parser, args, always=()):
    """The options of ``args`` as words that ``parser`` parses back to the same values.

    Options are written in the parser's order, with their long flag: an option whose
    default is ``argparse.SUPPRESS`` when it was given (None as ``none``); an option named
    in ``always`` whenever it holds a value (not None); any other option when its value
    differs from its default. Positional arguments and ``--help`` are left out.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser the options came from.
    args : argparse.Namespace
        Parsed options.
    always : iterable of str, default=()
        Destinations (``args`` attribute names) shown even when they hold their default,
        e.g. the seed and the data path, so that the line still repeats the run when a
        default or an environment variable changes.

    Returns
    -------
    argv : list of str
    """
    always = set(always)
    unknown = always - {action.dest for action in parser._actions}
    if unknown:
        raise ValueError(f"always names options the parser lacks: {sorted(unknown)}")
    argv = []
    for action in parser._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        if not hasattr(args, action.dest):
            continue
        value = getattr(args, action.dest)
        if action.default is not argparse.SUPPRESS:
            if value is None:
                continue
            if action.dest not in always and value == action.default:
                continue
        flag = _long_flag(action)
        if isinstance(action, argparse._StoreTrueAction):
            argv += [flag] if value else []
        elif isinstance(action, argparse._AppendAction):
            for item in value:
                argv += [flag, _word(item)]
        elif isinstance(value, list):
            argv += [flag, *(_word(item) for item in value)]
        else:
            argv += [flag, _word(value)]
    return argv


def command(program, add_arguments, args, always=()):
    """``program`` and the options of ``args`` as one shell-quoted line.

    Parameters
    ----------
    program : list of str
        The command's first words, e.g. ``["pyod-efficientgan", "bench"]``.
    add_arguments : callable
        Adds the command's options to a parser (the one its CLI uses).
    args : argparse.Namespace
        Parsed options.
    always : iterable of str, default=()
        Passed to :func:`rebuild_argv`.

    Returns
    -------
    line : str
    """
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return shlex.join([*program, *rebuild_argv(parser, args, always)])
