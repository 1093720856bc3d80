"""A run's command line, rebuilt from its parser and parsed options (for reports)."""

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


def rebuild_argv(parser, args):
    """The options of ``args`` as words that ``parser`` parses back to the same values.

    Every option the parser knows is written in its order, with its long flag: options whose
    default is ``argparse.SUPPRESS`` when they were given (None as ``none``), the others when
    their value is set (not None, False or empty). Positional arguments and ``--help`` are
    left out.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser the options came from.
    args : argparse.Namespace
        Parsed options.

    Returns
    -------
    argv : list of str
    """
    argv = []
    for action in parser._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        if not hasattr(args, action.dest):
            continue
        value = getattr(args, action.dest)
        given = action.default is argparse.SUPPRESS
        if not given and (value is None or value is False or value == []):
            continue
        flag = next(
            (s for s in action.option_strings if s.startswith("--")), action.option_strings[0]
        )
        if value is True and action.nargs == 0:
            argv.append(flag)
        elif isinstance(action, argparse._AppendAction):
            for item in value:
                argv += [flag, _word(item)]
        elif isinstance(value, list):
            argv += [flag, *(_word(item) for item in value)]
        else:
            argv += [flag, _word(value)]
    return argv


def command(program, add_arguments, args):
    """``program`` and the options of ``args`` as one shell-quoted line.

    Parameters
    ----------
    program : list of str
        The command's first words, e.g. ``["pyod-efficientgan", "bench"]``.
    add_arguments : callable
        Adds the command's options to a parser (the one its CLI uses).
    args : argparse.Namespace
        Parsed options.

    Returns
    -------
    line : str
    """
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return shlex.join([*program, *rebuild_argv(parser, args)])
