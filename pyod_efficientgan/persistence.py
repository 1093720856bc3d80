"""A detector's state to one file and back, without pickle.

:meth:`EfficientGAN.save <pyod_efficientgan.EfficientGAN.save>` is
``write_state(to_state(detector), path)`` and
:meth:`EfficientGAN.load <pyod_efficientgan.EfficientGAN.load>` is
``from_state(EfficientGAN, read_state(path))``, with
:func:`~pyod_efficientgan.restore.detector_state` and
:func:`~pyod_efficientgan.restore.from_state`. The state (``"params"``,
``"attributes"``, ``"scaler"``, ``"weights"``), its schema and the checks of
its values are those of :mod:`pyod_efficientgan.state`; this module knows the
file: its members, digests, version and size limits. It imports neither the
detector nor Keras. Only JSON-safe parameters can be written, and JSON lists
are read back as tuples.

The file is one zip with these members:

``manifest.json``
    Format name, format version, package version, and the SHA-256 digest of
    every other member plus one digest over all of them.
``params.json``
    ``state["params"]``.
``attributes.json``
    ``{"detector": <scalar attributes>, "scaler": <scalar attributes of the scaler>}``.
``arrays.npz``
    The array attributes, and the scaler's arrays as ``scaler.<name>``.
``weights.npz``
    The weights as ``w0000``, ``w0001``...

The weights are NumPy arrays, so a file written under one Keras backend loads
under any other. Reading uses :mod:`json` and ``numpy`` without pickle:
nothing in the file is executed. The digests detect a truncated or
accidentally modified file; they are not a signature, so they do not prove who
wrote the file. A file whose digests were recomputed by whoever changed it is
still checked: only the names of the state's schema are read (the scaler's
statistics as ``scaler.<name>``), each with its expected type and shape, no
member may be larger than :data:`MAX_MEMBER_BYTES` (:data:`MAX_JSON_BYTES`
for the JSON members) once decompressed, and an array is only allocated after its header was checked
against the bytes that hold it. Before anything is read the path must be a
regular file of at most :func:`max_file_bytes`; a member is decompressed in
pieces and never beyond the size its header declares, ``weights.npz`` not
beyond :data:`MAX_WEIGHTS_INFLATION` times its compressed size; JSON may nest at most
as deep as Python's recursion limit allows and holds no integer of more than
:data:`MAX_JSON_INT_DIGITS` digits; the fitted statistics (``threshold_``,
``_mu``, ``_sigma``, the training scores and labels, the scaler's statistics)
must be finite and consistent with each other
(:func:`~pyod_efficientgan.state.check_values`). Whether the parameters
describe the stored weights is checked by
:func:`~pyod_efficientgan.restore.from_state` before it builds a network. Every
malformed file raises :class:`DetectorFileError`.
"""

import contextlib
import hashlib
import io
import json
import math
import numbers
import os
import re
import secrets
import stat
import zipfile

import numpy as np
from numpy.lib import format as npy_format

from pyod_efficientgan.state import (
    ARRAY_ATTRIBUTES,
    SCALER_ARRAYS,
    SCALER_SCALARS,
    check_values,
    name_problems,
)

FORMAT_NAME = "pyod-efficientgan"
"""Value of ``format`` in the manifest."""

FORMAT_VERSION = 2
"""Version of the file layout; files of another version are refused."""

MAX_MEMBER_BYTES = 512 * 2**20
"""Largest decompressed size of ``arrays.npz`` or ``weights.npz`` that is read
or written (512 MiB: the training scores and labels of 33 million rows)."""

MAX_JSON_BYTES = 64 * 2**20
"""Largest decompressed size of a JSON member that is read or written."""

MAX_WEIGHTS_INFLATION = 32
"""Most that ``weights.npz`` may grow when decompressed (plus 1 MiB): trained float
weights compress by about 1.1, so a member that inflates further is no detector's
and is refused before it is decompressed."""

MAX_JSON_INT_DIGITS = 20
"""Most digits of an integer in a JSON member (an int64 has 19)."""

_READ_PIECE_BYTES = 2**20
"""A member is decompressed this many bytes at a time."""

_MEMBERS = ("params.json", "attributes.json", "arrays.npz", "weights.npz")
_STATE_KEYS = {"params", "attributes", "scaler", "weights"}
_WEIGHT_NAME = re.compile(r"w\d{4,}")


class DetectorFileError(ValueError):
    """The file is not a valid, intact detector file of a supported version."""


# ------------------------------------------------------------------ writing
def _json_safe(value):
    """Return ``value`` as plain JSON types, or raise TypeError."""
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        value = value.item()  # np.True_ is no bool, np.float32 no float
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (tuple, list)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_safe(v) for k, v in value.items()}
    raise TypeError(f"{type(value).__name__} is not JSON-safe")


def _params_json(params):
    safe = {}
    for name, value in params.items():
        try:
            safe[name] = _json_safe(value)
        except TypeError:
            hint = ""
            if name == "contamination":
                hint = (
                    " A thresholder object (e.g. from PyThresh) cannot be saved: set "
                    "contamination to a float before fitting, or keep using pickle/joblib."
                )
            elif name == "random_state":
                hint = " Use an int or None as random_state."
            raise TypeError(
                f"Cannot save EfficientGAN: parameter {name!r} is {value!r}, which is not "
                f"JSON-safe.{hint}"
            ) from None
    return safe


def _numeric_array(value, label, kinds="biufU"):
    """``value`` if it is an array of ``kinds`` (``numpy.save`` writes it without pickle)."""
    if not isinstance(value, np.ndarray) or value.dtype.hasobject or value.dtype.kind not in kinds:
        kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise TypeError(f"Cannot save EfficientGAN: {label} is {kind}, not a numeric array.")
    return value


def _split_attributes(attributes):
    """The detector's attributes as (JSON scalars, arrays), checked against the format."""
    arrays = [k for k, v in attributes.items() if k in ARRAY_ATTRIBUTES and v is not None]
    scalars = [k for k in attributes if k not in ARRAY_ATTRIBUTES]
    problems = name_problems(scalars, arrays)
    unknown = problems.get("unknown attributes", [])
    missing = sorted(problems.get("missing attributes", []) + problems.get("missing arrays", []))
    if unknown or missing:
        raise ValueError(
            f"Cannot save EfficientGAN: format version {FORMAT_VERSION} has no place for the "
            f"attributes {unknown} and needs {missing}."
        )
    scalars, arrays = {}, {}
    for name, value in attributes.items():
        if name in ARRAY_ATTRIBUTES:
            if value is not None:
                arrays[name] = _numeric_array(value, f"attribute {name}")
        else:
            try:
                scalars[name] = _json_safe(value)
            except TypeError:
                raise TypeError(
                    f"Cannot save EfficientGAN: attribute {name} is {value!r}, which is not "
                    "JSON-safe."
                ) from None
    return scalars, arrays


def _split_scaler(scaler):
    """The scaler's attributes as (JSON scalars, arrays), checked against the format."""
    scalars, arrays = {}, {}
    for name, value in (scaler or {}).items():
        if isinstance(value, np.ndarray) and name in SCALER_ARRAYS:
            arrays[name] = _numeric_array(value, f"scaler attribute {name}")
        elif name in SCALER_SCALARS:
            try:
                scalars[name] = _json_safe(value)
            except TypeError:
                raise TypeError(
                    f"Cannot save EfficientGAN: scaler attribute {name} is {value!r}."
                ) from None
        else:
            raise ValueError(
                f"Cannot save EfficientGAN: format version {FORMAT_VERSION} has no place for "
                f"the scaler attribute {name!r}."
            )
    return scalars, arrays


def _npz_bytes(arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _overall_digest(digests):
    return _sha256("".join(f"{name}:{digests[name]}\n" for name in _MEMBERS).encode())


def write_state(state, path):
    """Write the state of a fitted detector to one file, without pickle.

    Parameters
    ----------
    state : dict
        A fitted detector's :func:`~pyod_efficientgan.restore.detector_state`:
        ``"params"``, ``"attributes"``, ``"scaler"`` and ``"weights"``.
    path : str or os.PathLike
        Destination file; written atomically (a temporary file is renamed),
        so a failed write leaves no file behind.

    Raises
    ------
    TypeError
        If a parameter or attribute cannot be stored as JSON or as an array
        without pickle (a thresholder object as ``contamination``, a
        ``RandomState`` as ``random_state``...).
    ValueError
        If the state is not that of a fitted detector, holds names this
        format has no place for, or a member would exceed its size limit.
    """
    from pyod_efficientgan import __version__

    if (
        not isinstance(state, dict)
        or set(state) != _STATE_KEYS
        or not isinstance(state["params"], dict)
        or not isinstance(state["attributes"], dict)
        or not isinstance(state["scaler"], (dict, type(None)))
        or not isinstance(state["weights"], (list, tuple))
    ):
        raise ValueError(
            "Cannot save EfficientGAN: the state must be a fitted detector's, with the keys "
            f"{sorted(_STATE_KEYS)}."
        )
    params = _params_json(state["params"])
    scalars, arrays = _split_attributes(state["attributes"])
    scaler_scalars, scaler_arrays = _split_scaler(state["scaler"])
    arrays.update({f"scaler.{name}": value for name, value in scaler_arrays.items()})
    attributes = {"detector": scalars, "scaler": scaler_scalars}
    weights = {
        f"w{i:04d}": _numeric_array(np.asarray(w), f"weight {i}", kinds="biuf")
        for i, w in enumerate(state["weights"])
    }

    contents = {
        "params.json": json.dumps(params, indent=1, sort_keys=True).encode(),
        "attributes.json": json.dumps(attributes, indent=1, sort_keys=True).encode(),
        "arrays.npz": _npz_bytes(arrays),
        "weights.npz": _npz_bytes(weights),
    }
    for name, data in contents.items():
        if len(data) > _member_limit(name):
            raise ValueError(
                f"Cannot save EfficientGAN: {name} would be {len(data)} bytes, more than "
                f"{_member_limit(name)} (persistence.{_limit_name(name)}), so it could not be "
                "loaded again. Use pickle/joblib for a detector this large."
            )
    digests = {name: _sha256(data) for name, data in contents.items()}
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "members": digests,
        "sha256": _overall_digest(digests),
    }

    def write(stream):
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
            for name, data in contents.items():
                archive.writestr(name, data)

    replace_atomically(path, write)


def replace_atomically(path, write):
    """Write a file through ``write(stream)`` to a temporary file, then rename it to ``path``.

    What a user expects of a file written in place, without a moment where
    ``path`` holds part of it: a new file gets the mode the umask gives
    (``0o666 & ~umask``), a file written over keeps its mode; a symbolic link
    is written through (its target is replaced, the link stays); the data
    are on disk (``fsync``) before the rename; the temporary file, named
    before it is created, is removed on any failure or interrupt; and an
    ``OSError`` names ``path``, not the temporary file.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file; not empty.
    write : callable
        ``write(stream)`` writes the contents to a binary stream.

    Raises
    ------
    ValueError
        If ``path`` is empty.
    OSError
        If the file cannot be written, naming ``path``.
    """
    asked = os.fsdecode(path)
    if asked == "":
        raise ValueError("Cannot save EfficientGAN: the path is empty.")
    target = os.path.realpath(asked)  # through symbolic links
    directory = os.path.dirname(target)
    temporary = os.path.join(directory, f"{os.path.basename(target)}.{secrets.token_hex(8)}.tmp")
    try:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = None
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        if isinstance(error, OSError) and error.errno is not None and error.filename != asked:
            raise type(error)(error.errno, error.strerror, asked) from error
        raise
    with contextlib.suppress(OSError):  # the rename itself on disk, where the system allows
        folder = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


# ------------------------------------------------------------------ reading
def _member_limit(name):
    return MAX_JSON_BYTES if name.endswith(".json") else MAX_MEMBER_BYTES


def _limit_name(name):
    return "MAX_JSON_BYTES" if name.endswith(".json") else "MAX_MEMBER_BYTES"


def max_file_bytes():
    """The largest detector file :func:`read_state` opens.

    Returns
    -------
    size : int
        Every member at its limit (:data:`MAX_MEMBER_BYTES` for the two
        ``.npz``, :data:`MAX_JSON_BYTES` for the three JSON members) plus
        1 MiB for the zip's own records. Stored members are never larger than
        their decompressed size plus a few bytes.
    """
    return 2 * MAX_MEMBER_BYTES + 3 * MAX_JSON_BYTES + 2**20


def _read_declared(stream, declared, label, path):
    """Read ``stream`` in pieces, stopping one byte past the ``declared`` size.

    Decompression never runs ahead of what the header declares, whatever the
    compressed bytes hold; a member longer than declared is refused (zipfile
    also stops at the declared size and then fails its CRC check).
    """
    pieces, size = [], 0
    while True:
        piece = stream.read(min(_READ_PIECE_BYTES, declared - size + 1))
        if not piece:
            return b"".join(pieces)
        size += len(piece)
        if size > declared:
            raise DetectorFileError(
                f"{path!s}: {label} holds more than the {declared} bytes its header declares."
            )
        pieces.append(piece)


def _read_member(archive, name, path):
    """Read one member, refusing it before allocation when it is too large."""
    limit = _member_limit(name)
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise DetectorFileError(
            f"{path!s}: {name} is {info.file_size} bytes once decompressed, more than the "
            f"{limit} allowed (persistence.{_limit_name(name)})."
        )
    if (
        name == "weights.npz"
        and info.file_size > MAX_WEIGHTS_INFLATION * info.compress_size + 2**20
    ):
        raise DetectorFileError(
            f"{path!s}: {name} would inflate from {info.compress_size} to {info.file_size} bytes, "
            f"more than {MAX_WEIGHTS_INFLATION} times (persistence.MAX_WEIGHTS_INFLATION); "
            "trained weights do not compress like that."
        )
    with archive.open(info) as stream:
        return _read_declared(stream, info.file_size, name, path)


def _check_regular_file(status, path):
    if not stat.S_ISREG(status.st_mode):
        raise DetectorFileError(
            f"{path!s} is not a regular file (a device, pipe or folder), so it is not read."
        )
    if status.st_size > max_file_bytes():
        raise DetectorFileError(
            f"{path!s} is {status.st_size} bytes, more than the {max_file_bytes()} a "
            "detector file can hold (persistence.max_file_bytes())."
        )


def _open_regular_file(path):
    """Open ``path`` for reading if it is a regular file no larger than :func:`max_file_bytes`.

    Checked before opening (opening a pipe would wait for a writer) and again on
    the open file, which is the one read.
    """
    _check_regular_file(os.stat(path), path)
    stream = open(path, "rb")  # noqa: SIM115 (closed by the caller, or here on refusal)
    try:
        _check_regular_file(os.fstat(stream.fileno()), path)
    except BaseException:
        stream.close()
        raise
    return stream


def _check_unambiguous(archive, path, label):
    """Refuse a zip with two members of one name (readers differ on which one counts).

    zipfile reads the last, other tools show the first; an encrypted member
    would raise RuntimeError when read.
    """
    names = archive.namelist()
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise DetectorFileError(f"{path!s}: {label} holds several members named {twice}.")
    encrypted = [info.filename for info in archive.infolist() if info.flag_bits & 0x1]
    if encrypted:
        raise DetectorFileError(f"{path!s}: {label} holds encrypted members {encrypted}.")


def _parse_json(data, label, path):
    """``json.loads`` with bounded integers and nesting; every failure a DetectorFileError."""

    def parse_int(text):
        if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
            raise DetectorFileError(
                f"{path!s}: {label} holds an integer of {len(text)} characters (at most "
                f"{MAX_JSON_INT_DIGITS} digits are read)."
            )
        return int(text)

    def unique_keys(pairs):
        keys = [key for key, _ in pairs]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        if twice:
            # json.loads keeps the last value silently; other readers may keep the first
            raise DetectorFileError(f"{path!s}: {label} holds the keys {twice} more than once.")
        return dict(pairs)

    try:
        return json.loads(data, parse_int=parse_int, object_pairs_hook=unique_keys)
    except RecursionError:
        raise DetectorFileError(f"{path!s}: {label} nests too deeply.") from None
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, DetectorFileError):
            raise
        raise DetectorFileError(f"{path!s}: {label} is not valid JSON ({error}).") from error


def _read_verified(path):
    """Open, check format and digests; return the members as bytes."""
    try:
        with _open_regular_file(path) as stream, zipfile.ZipFile(stream, "r") as archive:
            _check_unambiguous(archive, path, "the file")
            names = set(archive.namelist())
            if "manifest.json" not in names:
                raise DetectorFileError(f"{path!s} is not an EfficientGAN file (no manifest).")
            manifest = _parse_json(
                _read_member(archive, "manifest.json", path), "manifest.json", path
            )
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
                raise DetectorFileError(f"{path!s} is not an EfficientGAN file.")
            version = manifest.get("format_version")
            if version != FORMAT_VERSION:
                raise DetectorFileError(
                    f"{path!s} has format version {version!r}, written by pyod-efficientgan "
                    f"{manifest.get('package_version')!r}; this version reads format "
                    f"version {FORMAT_VERSION} only."
                )
            digests = manifest.get("members")
            if (
                not isinstance(digests, dict)
                or set(digests) != set(_MEMBERS)
                or not all(isinstance(digest, str) for digest in digests.values())
            ):
                raise DetectorFileError(f"{path!s}: the manifest lists the wrong members.")
            if names != set(_MEMBERS) | {"manifest.json"}:
                raise DetectorFileError(f"{path!s}: unexpected or missing members {names}.")
            on_disk = os.fstat(stream.fileno()).st_size
            stored = {name: archive.getinfo(name).compress_size for name in _MEMBERS}
            if any(size > on_disk for size in stored.values()):
                raise DetectorFileError(
                    f"{path!s}: the zip directory claims members larger than the file."
                )
            contents = {name: _read_member(archive, name, path) for name in _MEMBERS}
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError) as error:
        raise DetectorFileError(
            f"{path!s} is truncated or not an EfficientGAN file ({error})."
        ) from error
    for name, data in contents.items():
        if _sha256(data) != digests[name]:
            raise DetectorFileError(
                f"{path!s}: integrity check failed, SHA-256 of {name} does not match the "
                "manifest (the file was modified or damaged)."
            )
    if manifest.get("sha256") != _overall_digest(digests):
        raise DetectorFileError(f"{path!s}: integrity check failed (overall SHA-256).")
    return contents


def _load_json(contents, name, path):
    value = _parse_json(contents[name], name, path)
    if not isinstance(value, dict):
        raise DetectorFileError(f"{path!s}: {name} is not a JSON object.")
    return value


def _read_npy(raw, label, path):
    """Parse one ``.npy``: the header must describe exactly the bytes that follow."""
    stream = io.BytesIO(raw)
    try:
        version = npy_format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported .npy version {version}")
        if dtype.hasobject or dtype.kind not in "biufU":
            raise ValueError(f"arrays of dtype {dtype} are not read")
        expected = math.prod(shape) * dtype.itemsize
        if expected != len(raw) - stream.tell():
            raise ValueError(
                f"the header announces {expected} bytes of data, the member holds "
                f"{len(raw) - stream.tell()}"
            )
        stream.seek(0)
        return npy_format.read_array(stream, allow_pickle=False)
    except (ValueError, TypeError, EOFError, OverflowError) as error:
        raise DetectorFileError(f"{path!s}: {label} is not a valid array ({error}).") from error


def _load_npz(data, member, path):
    """Read an ``.npz`` member without allocating more than its stored bytes."""
    arrays = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as npz:
            _check_unambiguous(npz, path, member)
            infos = npz.infolist()
            if sum(info.file_size for info in infos) > len(data):
                raise DetectorFileError(
                    f"{path!s}: {member} announces more data than it holds (compressed arrays "
                    "are not read)."
                )
            for info in infos:
                if not info.filename.endswith(".npy"):
                    raise DetectorFileError(f"{path!s}: {member} holds {info.filename!r}.")
                label = f"{member}/{info.filename}"
                with npz.open(info) as stream:
                    raw = _read_declared(stream, info.file_size, label, path)
                arrays[info.filename[: -len(".npy")]] = _read_npy(raw, label, path)
    except (zipfile.BadZipFile, EOFError, NotImplementedError) as error:
        raise DetectorFileError(f"{path!s}: {member} is not a valid .npz ({error}).") from error
    return arrays


def _is_json_param(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, list) and all(_is_json_param(v) for v in value)


def _checked_params(params, path):
    """``params.json`` as parameters: JSON scalars, and lists read as tuples."""
    for name, value in params.items():
        if not _is_json_param(value):
            raise DetectorFileError(f"{path!s}: parameter {name!r} is {value!r}.")
    return {
        name: tuple(value) if isinstance(value, list) else value for name, value in params.items()
    }


def _check_names(scalars, scaler_scalars, arrays, path):
    """The allow-list (:func:`~pyod_efficientgan.state.name_problems`): the first problem."""
    for what, names in name_problems(scalars, arrays, scaler_scalars).items():
        raise DetectorFileError(f"{path!s}: {what} {names}.")


def _checked_weights(weights, path):
    """``weights.npz`` as a list: members ``w0000``... in order, numbers only."""
    order = sorted(weights, key=lambda name: int(name[1:]) if _WEIGHT_NAME.fullmatch(name) else -1)
    if order != [f"w{i:04d}" for i in range(len(order))]:
        raise DetectorFileError(f"{path!s}: weights.npz holds the arrays {order[:5]}...")
    kinds = {weights[name].dtype.kind for name in order}
    if not kinds <= set("biuf"):
        raise DetectorFileError(f"{path!s}: weights.npz holds arrays of kinds {sorted(kinds)}.")
    return [weights[name] for name in order]


def read_state(path):
    """Read the state written by :func:`write_state`; nothing in the file runs.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`write_state` (``EfficientGAN.save``).

    Returns
    -------
    state : dict
        ``"params"``, ``"attributes"``, ``"scaler"`` (None when the file has
        no scaler) and ``"weights"``, each checked name by name against the
        schema of :mod:`pyod_efficientgan.state` and its values by
        :func:`~pyod_efficientgan.state.check_values`; whether they describe
        a working detector is checked by
        :func:`~pyod_efficientgan.restore.from_state`.

    Raises
    ------
    DetectorFileError
        If the file is truncated, modified (SHA-256 mismatch), not a detector
        file, of another format version, or malformed: a member missing, too
        large or not valid JSON/NPY, an attribute missing, unknown or of the
        wrong type or shape.
    """
    contents = _read_verified(path)
    params = _checked_params(_load_json(contents, "params.json", path), path)
    attributes = _load_json(contents, "attributes.json", path)
    if set(attributes) != {"detector", "scaler"} or not all(
        isinstance(value, dict) for value in attributes.values()
    ):
        raise DetectorFileError(
            f"{path!s}: attributes.json must hold the objects 'detector' and 'scaler'."
        )
    scalars, scaler_scalars = attributes["detector"], attributes["scaler"]
    arrays = _load_npz(contents["arrays.npz"], "arrays.npz", path)
    _check_names(scalars, scaler_scalars, arrays, path)
    scaler_arrays = {k[len("scaler.") :]: v for k, v in arrays.items() if k.startswith("scaler.")}
    state = {
        "params": params,
        "attributes": {**scalars, **{k: v for k, v in arrays.items() if k in ARRAY_ATTRIBUTES}},
        "scaler": {**scaler_scalars, **scaler_arrays},
    }
    try:
        check_values(state)
    except ValueError as error:
        raise DetectorFileError(f"{path!s}: {error}") from error
    # JSON has lists for tuples, and ints where a float was written without decimals
    state["attributes"]["history_"] = {
        key: [(int if key == "epoch" else float)(v) for v in values]
        for key, values in scalars["history_"].items()
    }
    state["scaler"] = {
        name: tuple(v) if isinstance(v, list) else v for name, v in state["scaler"].items()
    } or None
    state["weights"] = _checked_weights(
        _load_npz(contents["weights.npz"], "weights.npz", path), path
    )
    return state
