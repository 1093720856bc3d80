"""Save and load a fitted :class:`~pyod_efficientgan.EfficientGAN` without pickle.

A saved detector is one zip file with these members:

``manifest.json``
    Format name, format version, package version, and the SHA-256 digest of
    every other member plus one digest over all of them.
``params.json``
    The constructor parameters (``get_params(deep=False)``); only JSON-safe
    values can be saved.
``attributes.json``
    Scalar fitted attributes (``threshold_``, ``_mu``, ``_sigma``,
    ``n_features_in_``, ``history_``, ``epochs_``, ``best_epoch_``...) and
    the scalar state of the scaler.
``arrays.npz``
    Array fitted attributes (``decision_scores_``, ``labels_``,
    ``feature_names_in_``) and the array state of the scaler.
``weights.npz``
    ``model_.get_weights()`` of the BiGAN, in order (trained and test-time
    networks).

Loading reads JSON with :mod:`json` and arrays with
``numpy.load(allow_pickle=False)``: nothing in the file is executed. The
digests detect a truncated or accidentally modified file; they are not a
signature, so they do not prove who wrote the file.
"""

import hashlib
import io
import json
import numbers
import os
import tempfile
import zipfile

import numpy as np
from sklearn.utils.validation import check_is_fitted

FORMAT_NAME = "pyod-efficientgan"
"""Value of ``format`` in the manifest."""

FORMAT_VERSION = 1
"""Version of the file layout; files of another version are refused."""

_MEMBERS = ("params.json", "attributes.json", "arrays.npz", "weights.npz")
_ARRAY_ATTRIBUTES = ("decision_scores_", "labels_", "feature_names_in_")
_SCALAR_ATTRIBUTES = (
    "threshold_",
    "_mu",
    "_sigma",
    "_classes",
    "n_features_in_",
    "history_",
    "epochs_",
    "best_epoch_",
)
_TUPLE_PARAMS = ("encoder_units", "generator_units", "discriminator_units")


class DetectorFileError(ValueError):
    """The file is not a valid, intact detector file of a supported version."""


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


def _params_json(detector):
    params = {}
    for name, value in detector.get_params(deep=False).items():
        try:
            params[name] = _json_safe(value)
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
    return params


def _split_state(obj, names=None):
    """Split attributes of ``obj`` into JSON-safe scalars and numpy arrays."""
    scalars, arrays = {}, {}
    items = (
        obj.__dict__.items()
        if names is None
        else ((name, getattr(obj, name)) for name in names if hasattr(obj, name))
    )
    for name, value in items:
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                value = value.astype(str)
            arrays[name] = value
        else:
            scalars[name] = _json_safe(value)
    return scalars, arrays


def _npz_bytes(arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _overall_digest(digests):
    return _sha256("".join(f"{name}:{digests[name]}\n" for name in _MEMBERS).encode())


def save_detector(detector, path):
    """Save a fitted EfficientGAN to one file, without pickle.

    Parameters
    ----------
    detector : EfficientGAN
        A fitted detector whose parameters are JSON-safe (a thresholder object
        as ``contamination`` or a ``RandomState`` as ``random_state`` are not).
    path : str or os.PathLike
        Destination file; written atomically (a temporary file is renamed).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the detector is not fitted.
    TypeError
        If a parameter cannot be stored as JSON.
    """
    from pyod_efficientgan import __version__

    check_is_fitted(detector, ["model_", "decision_scores_"])
    params = _params_json(detector)
    scalars, arrays = _split_state(detector, _SCALAR_ATTRIBUTES + _ARRAY_ATTRIBUTES)
    scaler_scalars, scaler_arrays = (
        _split_state(detector.scaler_) if detector.scaler_ is not None else ({}, {})
    )
    arrays.update({f"scaler.{name}": value for name, value in scaler_arrays.items()})
    attributes = {"detector": scalars, "scaler": scaler_scalars}
    weights = detector.model_.get_weights()

    contents = {
        "params.json": json.dumps(params, indent=1, sort_keys=True).encode(),
        "attributes.json": json.dumps(attributes, indent=1, sort_keys=True).encode(),
        "arrays.npz": _npz_bytes(arrays),
        "weights.npz": _npz_bytes({f"w{i:04d}": w for i, w in enumerate(weights)}),
    }
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


def _read_verified(path):
    """Open, check format and digests; return the members as bytes."""
    try:
        with zipfile.ZipFile(path, "r") as archive:
            names = set(archive.namelist())
            if "manifest.json" not in names:
                raise DetectorFileError(f"{path!s} is not an EfficientGAN file (no manifest).")
            manifest = json.loads(archive.read("manifest.json"))
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
            if not isinstance(digests, dict) or set(digests) != set(_MEMBERS):
                raise DetectorFileError(f"{path!s}: the manifest lists the wrong members.")
            if names != set(_MEMBERS) | {"manifest.json"}:
                raise DetectorFileError(f"{path!s}: unexpected or missing members {names}.")
            contents = {name: archive.read(name) for name in _MEMBERS}
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as error:
        raise DetectorFileError(
            f"{path!s} is truncated or not an EfficientGAN file ({error})."
        ) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DetectorFileError(f"{path!s}: the manifest is not valid JSON ({error}).") from error
    for name, data in contents.items():
        if _sha256(data) != digests[name]:
            raise DetectorFileError(
                f"{path!s}: integrity check failed, SHA-256 of {name} does not match the "
                "manifest (the file was modified or damaged)."
            )
    if manifest.get("sha256") != _overall_digest(digests):
        raise DetectorFileError(f"{path!s}: integrity check failed (overall SHA-256).")
    return contents


def _load_npz(data):
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def load_detector(path):
    """Load a detector saved by :func:`save_detector`; nothing in the file runs.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_detector`.

    Returns
    -------
    detector : EfficientGAN
        The fitted detector; it gives the same scores as the one saved.

    Raises
    ------
    DetectorFileError
        If the file is truncated, modified (SHA-256 mismatch), not a detector
        file, or of another format version.
    """
    from pyod_efficientgan.detector import EfficientGAN

    contents = _read_verified(path)
    params = json.loads(contents["params.json"])
    attributes = json.loads(contents["attributes.json"])
    arrays = _load_npz(contents["arrays.npz"])
    weights_npz = _load_npz(contents["weights.npz"])
    weights = [weights_npz[name] for name in sorted(weights_npz)]

    unknown = set(params) - set(EfficientGAN().get_params(deep=False))
    if unknown:
        raise DetectorFileError(f"{path!s}: unknown parameters {sorted(unknown)}.")
    for name in _TUPLE_PARAMS:
        if name in params:
            params[name] = tuple(params[name])
    detector = EfficientGAN(**params)
    detector._validate_params()
    for name, value in attributes["detector"].items():
        if name == "history_":
            value = {
                key: [(int if key == "epoch" else float)(v) for v in values]
                for key, values in value.items()
            }
        setattr(detector, name, value)
    if detector.threshold_ is not None:
        detector.threshold_ = np.float64(detector.threshold_)
    for name in ("_mu", "_sigma"):
        if getattr(detector, name, None) is not None:
            setattr(detector, name, np.float64(getattr(detector, name)))
    for name, value in arrays.items():
        if not name.startswith("scaler."):
            if name == "feature_names_in_":
                value = value.astype(object)
            setattr(detector, name, value)

    scaler = detector._make_scaler()
    if scaler is not None:
        for name, value in attributes["scaler"].items():
            setattr(scaler, name, tuple(value) if isinstance(value, list) else value)
        for name, value in arrays.items():
            if name.startswith("scaler."):
                setattr(scaler, name[len("scaler.") :], value)
    detector.scaler_ = scaler

    model = detector._build_model(detector.n_features_in_, seed=0)
    expected = [tuple(w.shape) for w in model.get_weights()]
    if [tuple(w.shape) for w in weights] != expected:
        raise DetectorFileError(
            f"{path!s}: the stored weights do not fit the network described by the parameters."
        )
    model.set_weights(weights)
    detector.model_ = model
    detector._score_function = detector._make_score_function(model)
    return detector
