"""A detector's plain state to one file and back, without pickle.

:meth:`EfficientGAN.save <pyod_efficientgan.EfficientGAN.save>` is
``write_state(detector._to_state(), path)`` and
:meth:`EfficientGAN.load <pyod_efficientgan.EfficientGAN.load>` is
``EfficientGAN._from_state(read_state(path))``; pickling goes through the same
state. This module knows the file and what may be in it, not the detector: it
never imports it. A state is a dict:

``"params"``
    The constructor parameters (``get_params(deep=False)``); only JSON-safe
    values can be written, and lists are read back as tuples.
``"attributes"``
    The fitted attributes: JSON-safe scalars (``threshold_``, ``_mu``,
    ``_sigma``, ``_classes``, ``n_features_in_``, ``latent_dim_``,
    ``history_``, ``epochs_``, ``best_epoch_``) and NumPy arrays
    (``decision_scores_``, ``labels_``, ``feature_names_in_`` as strings,
    ``_member_moments``); an optional array may be None or absent.
``"scaler"``
    The input scaler's attributes (scalars and 1-D float statistics), or None.
``"weights"``
    ``model_.get_weights()``: a list of NumPy arrays, in order.

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
still checked: only the names listed in this module are read, each with its
expected type and shape, no member may be larger than
:data:`MAX_MEMBER_BYTES` (:data:`MAX_JSON_BYTES` for the JSON members) once
decompressed, and an array is only allocated after its header was checked
against the bytes that hold it. Before anything is read the path must be a
regular file of at most :func:`max_file_bytes`; a member is decompressed in
pieces and never beyond the size its header declares, ``weights.npz`` not
beyond :data:`MAX_WEIGHTS_INFLATION` times its compressed size; JSON may nest at most
as deep as Python's recursion limit allows and holds no integer of more than
:data:`MAX_JSON_INT_DIGITS` digits; the fitted statistics (``threshold_``,
``_mu``, ``_sigma``, the training scores and labels, the scaler's statistics)
must be finite and consistent with each other. Whether the parameters
describe the stored weights is checked by the detector before it builds a
network. Every malformed file raises :class:`DetectorFileError`.
"""

import hashlib
import io
import json
import math
import numbers
import os
import re
import stat
import tempfile
import zipfile

import numpy as np
from numpy.lib import format as npy_format

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
_ARRAY_ATTRIBUTES = ("decision_scores_", "labels_", "feature_names_in_", "_member_moments")
"""Array attributes, saved in ``arrays.npz``; the only names read from it."""
_SCALAR_ATTRIBUTES = (
    "threshold_",
    "_mu",
    "_sigma",
    "_classes",
    "n_features_in_",
    "history_",
    "epochs_",
    "best_epoch_",
    "latent_dim_",
)
"""Scalar attributes, saved in ``attributes.json``; the only names read from it."""
_OPTIONAL_ATTRIBUTES = ("feature_names_in_", "_member_moments")
"""Attributes a fitted detector may lack (or hold as None, which is not saved);
every other name above must be in the file."""
_ARRAY_NDIM = {"_member_moments": 4}
"""Dimensions of the arrays that are not 1-D."""
_SCALER_SCALARS = (
    "copy",
    "with_mean",
    "with_std",
    "clip",
    "feature_range",
    "n_features_in_",
    "n_samples_seen_",
)
"""Scalar attributes of the scaler that are read from ``attributes.json``."""
_SCALER_ARRAYS = ("mean_", "var_", "scale_", "min_", "data_min_", "data_max_", "data_range_")
"""Statistics of the scaler (``StandardScaler`` or ``MinMaxScaler``) that are read
from ``arrays.npz``; which of them a detector needs is the detector's business."""
_WEIGHT_NAME = re.compile(r"w\d{4,}")


class DetectorFileError(ValueError):
    """The file is not a valid, intact detector file of a supported version."""


# ------------------------------------------------------------------ writing
def _json_safe(value):
    """Return ``value`` as plain JSON types, or raise TypeError."""
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
    unknown = set(attributes) - set(_SCALAR_ATTRIBUTES) - set(_ARRAY_ATTRIBUTES)
    required = (set(_SCALAR_ATTRIBUTES) | set(_ARRAY_ATTRIBUTES)) - set(_OPTIONAL_ATTRIBUTES)
    missing = {
        name
        for name in required
        if name not in attributes or (name in _ARRAY_ATTRIBUTES and attributes[name] is None)
    }
    if unknown or missing:
        raise ValueError(
            f"Cannot save EfficientGAN: format version {FORMAT_VERSION} has no place for the "
            f"attributes {sorted(unknown)} and needs {sorted(missing)}."
        )
    scalars, arrays = {}, {}
    for name, value in attributes.items():
        if name in _ARRAY_ATTRIBUTES:
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
        if isinstance(value, np.ndarray) and name in _SCALER_ARRAYS:
            arrays[name] = _numeric_array(value, f"scaler attribute {name}")
        elif name in _SCALER_SCALARS:
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
        A fitted detector's ``_to_state()``: ``"params"``, ``"attributes"``,
        ``"scaler"`` and ``"weights"`` as described in this module.
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

    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with (
            os.fdopen(handle, "wb") as stream,
            zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            archive.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
            for name, data in contents.items():
                archive.writestr(name, data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


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


def _parse_json(data, label, path):
    """``json.loads`` with bounded integers and nesting; every failure a DetectorFileError."""

    def parse_int(text):
        if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
            raise DetectorFileError(
                f"{path!s}: {label} holds an integer of {len(text)} characters (at most "
                f"{MAX_JSON_INT_DIGITS} digits are read)."
            )
        return int(text)

    try:
        return json.loads(data, parse_int=parse_int)
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


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_history(value):
    if not isinstance(value, dict) or "epoch" not in value:
        return False
    lengths = {len(v) for v in value.values() if isinstance(v, list)}
    return (
        all(isinstance(k, str) and isinstance(v, list) for k, v in value.items())
        and len(lengths) == 1
        and all(_is_int(v) for v in value["epoch"])
        and all(_is_real(v) for k, values in value.items() if k != "epoch" for v in values)
    )


def _is_json_param(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, list) and all(_is_json_param(v) for v in value)


def _is_finite(value):
    return _is_real(value) and math.isfinite(value)


_SCALAR_CHECKS = {
    "threshold_": (_is_finite, "a finite number"),
    "_mu": (_is_finite, "a finite number"),
    "_sigma": (lambda v: _is_finite(v) and v >= 0, "a finite number >= 0"),
    "_classes": (_is_int, "an int"),
    "n_features_in_": (lambda v: _is_int(v) and v > 0, "a positive int"),
    "history_": (_is_history, "a dict of equally long lists with an int 'epoch' list"),
    "epochs_": (lambda v: _is_int(v) and v > 0, "a positive int"),
    "latent_dim_": (lambda v: _is_int(v) and v > 0, "a positive int"),
    "best_epoch_": (lambda v: v is None or (_is_int(v) and v > 0), "a positive int or null"),
}
"""How each scalar attribute must look (every name of _SCALAR_ATTRIBUTES has an entry)."""


def _checked_params(params, path):
    """``params.json`` as parameters: JSON scalars, and lists read as tuples."""
    for name, value in params.items():
        if not _is_json_param(value):
            raise DetectorFileError(f"{path!s}: parameter {name!r} is {value!r}.")
    return {
        name: tuple(value) if isinstance(value, list) else value for name, value in params.items()
    }


def _checked_scalars(attributes, path):
    """The detector's scalar attributes of ``attributes.json``, checked name by name."""
    if set(attributes) != {"detector", "scaler"} or not all(
        isinstance(value, dict) for value in attributes.values()
    ):
        raise DetectorFileError(
            f"{path!s}: attributes.json must hold the objects 'detector' and 'scaler'."
        )
    scalars = attributes["detector"]
    unknown = set(scalars) - set(_SCALAR_ATTRIBUTES)
    if unknown:
        raise DetectorFileError(f"{path!s}: unknown attributes {sorted(unknown)}.")
    missing = set(_SCALAR_ATTRIBUTES) - set(_OPTIONAL_ATTRIBUTES) - set(scalars)
    if missing:
        raise DetectorFileError(f"{path!s}: missing attributes {sorted(missing)}.")
    for name, value in scalars.items():
        check, expected = _SCALAR_CHECKS[name]
        if not check(value):
            raise DetectorFileError(
                f"{path!s}: attribute {name} must be {expected}, got {value!r}."
            )
    scalars = dict(scalars)
    scalars["history_"] = {
        key: [(int if key == "epoch" else float)(v) for v in values]
        for key, values in scalars["history_"].items()
    }
    return scalars


def _checked_scaler_scalars(scaler, path):
    unknown = set(scaler) - set(_SCALER_SCALARS)
    if unknown:
        raise DetectorFileError(f"{path!s}: unknown scaler attributes {sorted(unknown)}.")
    for name, value in scaler.items():
        if not (
            value is None
            or isinstance(value, (bool, int, float))
            or (isinstance(value, list) and all(_is_real(v) for v in value))
        ):
            raise DetectorFileError(f"{path!s}: scaler attribute {name} is {value!r}.")
    return {name: tuple(v) if isinstance(v, list) else v for name, v in scaler.items()}


def _checked_arrays(arrays, n_features, path):
    """Split ``arrays.npz`` into detector and scaler arrays, checked name by name."""
    detector_arrays = {k: v for k, v in arrays.items() if not k.startswith("scaler.")}
    scaler_arrays = {k[len("scaler.") :]: v for k, v in arrays.items() if k.startswith("scaler.")}
    unknown = (set(detector_arrays) - set(_ARRAY_ATTRIBUTES)) | {
        f"scaler.{name}" for name in set(scaler_arrays) - set(_SCALER_ARRAYS)
    }
    if unknown:
        raise DetectorFileError(f"{path!s}: unknown arrays {sorted(unknown)}.")
    missing = set(_ARRAY_ATTRIBUTES) - set(_OPTIONAL_ATTRIBUTES) - set(detector_arrays)
    if missing:
        raise DetectorFileError(f"{path!s}: missing arrays {sorted(missing)}.")
    n_rows = {len(detector_arrays[name]) for name in ("decision_scores_", "labels_")}
    for name, value in arrays.items():
        ndim = _ARRAY_NDIM.get(name, 1)
        if value.ndim != ndim or (ndim > 1 and value.dtype.kind != "f"):
            raise DetectorFileError(
                f"{path!s}: array {name} must be {ndim}-D, got shape {value.shape}."
            )
    problems = [
        name
        for name, kind in (("decision_scores_", "f"), ("labels_", "iu"))
        if detector_arrays[name].dtype.kind not in kind
    ]
    if len(n_rows) != 1:
        problems.append("decision_scores_ and labels_ differ in length")
    names = detector_arrays.get("feature_names_in_")
    if names is not None and (names.dtype.kind != "U" or len(names) != n_features):
        problems.append("feature_names_in_")
    problems += [
        f"scaler.{name}"
        for name, value in scaler_arrays.items()
        if value.dtype.kind != "f" or len(value) != n_features
    ]
    if problems:
        raise DetectorFileError(f"{path!s}: arrays of the wrong type or length: {problems}.")
    _check_statistics(detector_arrays, scaler_arrays, path)
    return detector_arrays, scaler_arrays


_SCALER_POSITIVE = ("scale_", "var_", "data_range_")
"""Scaler statistics that are never negative (``scale_`` never 0 either)."""


def _check_statistics(detector_arrays, scaler_arrays, path):
    """The training scores, labels and scaler statistics hold values a fit can give."""
    scores, labels = detector_arrays["decision_scores_"], detector_arrays["labels_"]
    problems = []
    if len(scores) == 0 or not np.all(np.isfinite(scores)):
        problems.append("decision_scores_ must be finite, at least one")
    if not np.all((labels == 0) | (labels == 1)):
        problems.append("labels_ must be 0 or 1")
    moments = detector_arrays.get("_member_moments")
    if moments is not None and not np.all(np.isfinite(moments)):
        problems.append("_member_moments must be finite")
    for name, value in scaler_arrays.items():
        if not np.all(np.isfinite(value)):
            problems.append(f"scaler.{name} must be finite")
        elif name in _SCALER_POSITIVE and not np.all(value >= 0):
            problems.append(f"scaler.{name} must be >= 0")
        elif name == "scale_" and not np.all(value != 0):
            problems.append("scaler.scale_ must not be 0")
    if problems:
        raise DetectorFileError(f"{path!s}: {'; '.join(problems)}.")


def _check_score_summary(scalars, detector_arrays, path):
    """``threshold_``, ``_mu`` and ``_sigma`` are those of ``decision_scores_`` (as PyOD sets them).

    ``threshold_`` is a percentile of the scores (a saved detector's
    ``contamination`` is a float), so it lies within their range; ``_mu`` and
    ``_sigma`` are their mean and standard deviation, up to rounding.
    """
    scores = detector_arrays["decision_scores_"].astype(np.float64)
    low, high = float(scores.min()), float(scores.max())
    spread = max(high - low, abs(low), abs(high), 1.0) * 1e-9
    problems = []
    if not low - spread <= scalars["threshold_"] <= high + spread:
        problems.append(
            f"threshold_={scalars['threshold_']!r} lies outside the training scores "
            f"[{low!r}, {high!r}]"
        )
    for name, value in (("_mu", scores.mean()), ("_sigma", scores.std())):
        if not math.isclose(scalars[name], float(value), rel_tol=1e-6, abs_tol=spread):
            problems.append(f"{name}={scalars[name]!r} but the training scores give {value!r}")
    if problems:
        raise DetectorFileError(f"{path!s}: {'; '.join(problems)}.")


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
        no scaler) and ``"weights"``, each checked name by name; whether they
        describe a working detector is checked by ``EfficientGAN._from_state``.

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
    scalars = _checked_scalars(attributes, path)
    scaler_scalars = _checked_scaler_scalars(attributes["scaler"], path)
    arrays = _load_npz(contents["arrays.npz"], "arrays.npz", path)
    detector_arrays, scaler_arrays = _checked_arrays(arrays, scalars["n_features_in_"], path)
    _check_score_summary(scalars, detector_arrays, path)
    weights = _checked_weights(_load_npz(contents["weights.npz"], "weights.npz", path), path)
    scaler = {**scaler_scalars, **scaler_arrays}
    return {
        "params": params,
        "attributes": {**scalars, **detector_arrays},
        "scaler": scaler or None,
        "weights": weights,
    }
