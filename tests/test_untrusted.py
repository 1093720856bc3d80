"""Files and inputs nobody should trust: bounded ``load``, states that load back, clear errors.

Crafted files are made as a forger would make them, with the package's own
helpers: ``read_state``, an edit, ``write_state`` (the digests are recomputed,
so they prove nothing). The memory and time a refusal costs are measured in a
child process, around the ``load`` call only.
"""

import json
import os
import pickle
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.persistence import DetectorFileError, read_state, write_state

SMALL = dict(
    latent_dim=4,
    encoder_units=(16,),
    generator_units=(16,),
    discriminator_units=(16, 16),
    n_estimators=2,
    epochs=2,
    random_state=0,
)
REPO = Path(__file__).resolve().parent.parent
REFUSAL_MIB = 300
"""Most resident memory a refused crafted file may add (the issue's bound)."""
REFUSAL_SECONDS = 1.0
"""Longest a refusal may take, measured in the child around ``load``."""


@pytest.fixture(scope="module")
def detector(small_data):
    return EfficientGAN(**SMALL).fit(small_data[0])


@pytest.fixture(scope="module")
def saved(detector, tmp_path_factory):
    path = tmp_path_factory.mktemp("untrusted") / "detector.egan"
    detector.save(path)
    return path


def _resigned(saved, target, edit):
    """``saved`` read, edited by ``edit(state)`` and written again: valid digests."""
    state = read_state(saved)
    edit(state)
    write_state(state, target)
    return target


def _set_param(**params):
    return lambda state: state["params"].update(params)


def _without_scaler(n_features):
    def edit(state):
        state["params"]["preprocessing"] = None
        state["scaler"] = None
        state["attributes"]["n_features_in_"] = n_features
        state["attributes"].pop("feature_names_in_", None)

    return edit


def _forged_member(saved, target, member, data):
    """``saved`` with one member's bytes replaced, digests recomputed by the package's helpers."""
    from pyod_efficientgan.persistence import _overall_digest, _sha256

    with zipfile.ZipFile(saved) as old:
        contents = {name: old.read(name) for name in old.namelist()}
    manifest = json.loads(contents.pop("manifest.json"))
    contents[member] = data
    manifest["members"][member] = _sha256(data)
    manifest["sha256"] = _overall_digest(manifest["members"])
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as new:
        new.writestr("manifest.json", json.dumps(manifest))
        for name, raw in contents.items():
            new.writestr(name, raw)
    return target


def _lying_header(saved, target, real_bytes, declared=1000):
    """``saved`` whose ``weights.npz`` holds ``real_bytes`` zeros but whose headers declare
    ``declared`` bytes, or tell the truth if ``declared`` is None (a small file: zeros
    compress about 1000 to 1)."""
    with zipfile.ZipFile(saved) as old:
        contents = {name: old.read(name) for name in old.namelist()}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as new:
        for name, raw in contents.items():
            if name != "weights.npz":
                new.writestr(name, raw)
        piece = bytes(2**20)
        with new.open("weights.npz", "w") as stream:
            for _ in range(real_bytes // len(piece)):
                stream.write(piece)
    if declared is None:
        return target
    raw = bytearray(Path(target).read_bytes())
    name = b"weights.npz"
    local = raw.index(b"PK\x03\x04" + b"\x14\x00")  # find the member's local header by name
    while raw[local + 30 : local + 30 + len(name)] != name:
        local = raw.index(b"PK\x03\x04", local + 4)
    raw[local + 22 : local + 26] = declared.to_bytes(4, "little")
    central = raw.index(b"PK\x01\x02")
    while raw[central + 46 : central + 46 + len(name)] != name:
        central = raw.index(b"PK\x01\x02", central + 4)
    raw[central + 24 : central + 28] = declared.to_bytes(4, "little")
    Path(target).write_bytes(bytes(raw))
    with zipfile.ZipFile(target) as archive:  # the lie is what zipfile sees
        assert archive.getinfo("weights.npz").file_size == declared
    return target


@pytest.fixture(scope="module")
def crafted(saved, tmp_path_factory):
    """Crafted files of the issue, each refused: name -> path."""
    folder = tmp_path_factory.mktemp("crafted")
    files = {
        "wide-discriminator": _resigned(
            saved, folder / "wide.egan", _set_param(discriminator_units=(8000, 8000))
        ),
        "many-members": _resigned(saved, folder / "members.egan", _set_param(n_estimators=150)),
        "many-features": _resigned(saved, folder / "features.egan", _without_scaler(300_000)),
        "lying-header": _lying_header(saved, folder / "lying.egan", 600 * 2**20),
        "inflating-weights": _lying_header(
            saved, folder / "inflating.egan", 400 * 2**20, declared=None
        ),
        "deep-manifest": folder / "deep.egan",
        "long-integer": _forged_member(
            saved,
            folder / "integer.egan",
            "params.json",
            json.dumps({**read_state(saved)["params"], "n_estimators": 0})
            .replace('"n_estimators": 0', '"n_estimators": ' + "9" * 5000)
            .encode(),
        ),
    }
    with zipfile.ZipFile(files["deep-manifest"], "w") as archive:
        archive.writestr("manifest.json", "[" * 100_000)
    if os.path.exists("/dev/zero"):
        files["device"] = Path("/dev/zero")
    return files


# ------------------------------------------------------------------ 1, 3, 4, 5: bounded load
@pytest.mark.parametrize(
    "name, match",
    [
        ("wide-discriminator", "do not fit"),
        ("many-members", "n_estimators=150"),
        ("many-features", "do not fit"),
        ("lying-header", "CRC|declares"),
        ("inflating-weights", "would inflate from .* more than 32 times"),
        ("deep-manifest", "nests too deeply"),
        ("long-integer", "integer of 5000"),
        ("device", "not a regular file"),
    ],
)
def test_crafted_files_are_refused_with_a_clear_error(crafted, name, match):
    if name not in crafted:
        pytest.skip("no /dev/zero here")
    with pytest.raises(DetectorFileError, match=match) as error:
        EfficientGAN.load(crafted[name])
    assert str(crafted[name]) in str(error.value)


_CHILD = """
import json, resource, sys, time
from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.persistence import DetectorFileError

EfficientGAN.load(sys.argv[1])  # a valid file first: imports and one network build are done
results = {}
for name, path in json.loads(sys.argv[2]).items():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        EfficientGAN.load(path)
        outcome = "loaded"
    except DetectorFileError:
        outcome = "refused"
    except BaseException as error:
        outcome = repr(error)[:200]
    seconds = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    results[name] = (outcome, seconds, grown)
print(json.dumps(results))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX only")
def test_a_crafted_file_costs_little_memory_and_time_before_it_is_refused(saved, crafted):
    # ru_maxrss is the peak (KiB on Linux): its growth during one load is at least what
    # that load allocated beyond the earlier peak, and the cases run one after another
    paths = {name: str(path) for name, path in crafted.items()}
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(saved), json.dumps(paths)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    for name, (outcome, seconds, grown_mib) in results.items():
        assert outcome == "refused", (name, outcome)
        assert grown_mib < REFUSAL_MIB, (name, grown_mib)
        assert seconds < REFUSAL_SECONDS, (name, seconds)


def test_pipes_and_folders_are_not_opened(saved, tmp_path):
    with pytest.raises(DetectorFileError, match="not a regular file"):
        EfficientGAN.load(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.egan"
        os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
        with pytest.raises(DetectorFileError, match="not a regular file"):
            EfficientGAN.load(fifo)


def test_a_file_larger_than_any_detector_file_is_refused(saved, tmp_path, monkeypatch):
    from pyod_efficientgan import persistence

    monkeypatch.setattr(persistence, "max_file_bytes", lambda: 100)
    with pytest.raises(DetectorFileError, match=r"more than the 100 .*max_file_bytes"):
        EfficientGAN.load(saved)


def test_consistent_forged_parameters_still_load(saved, detector, small_data, tmp_path):
    # a file re-signed without a change loads: the checks refuse what is wrong, not forgery
    path = _resigned(saved, tmp_path / "same.egan", lambda state: None)
    assert_array_equal(
        EfficientGAN.load(path).decision_function(small_data[1]),
        detector.decision_function(small_data[1]),
    )


# ------------------------------------------------------------------ 10: fitted statistics
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("name", ["threshold_", "_mu", "_sigma"])
def test_non_finite_score_statistics_are_refused(saved, tmp_path, name, value):
    path = _resigned(
        saved, tmp_path / "stat.egan", lambda state: state["attributes"].update({name: value})
    )
    with pytest.raises(DetectorFileError, match=f"{name} must be a finite number"):
        EfficientGAN.load(path)


@pytest.mark.parametrize(
    "name, value, match",
    [
        ("_sigma", 0.0, "_sigma=0.0 but the training scores give"),
        ("_mu", 1e6, "_mu=1000000.0 but"),
        ("threshold_", 1e6, "threshold_=1000000.0 lies outside the training scores"),
        ("threshold_", -1e6, "lies outside the training scores"),
    ],
)
def test_score_statistics_that_disagree_with_the_scores_are_refused(
    saved, tmp_path, name, value, match
):
    path = _resigned(
        saved, tmp_path / "stat.egan", lambda state: state["attributes"].update({name: value})
    )
    with pytest.raises(DetectorFileError, match=match):
        EfficientGAN.load(path)


@pytest.mark.parametrize(
    "name, value, match",
    [
        ("var_", np.inf, "scaler.var_ must be finite"),
        ("scale_", np.nan, "scaler.scale_ must be finite"),
        ("scale_", 0.0, "scaler.scale_ must not be 0"),
        ("mean_", -np.inf, "scaler.mean_ must be finite"),
        ("var_", -1.0, "scaler.var_ must be >= 0"),
    ],
)
def test_scaler_statistics_out_of_range_are_refused(saved, tmp_path, name, value, match):
    def edit(state):
        state["scaler"][name] = state["scaler"][name].copy()
        state["scaler"][name][0] = value

    path = _resigned(saved, tmp_path / "scaler.egan", edit)
    with pytest.raises(DetectorFileError, match=match):
        EfficientGAN.load(path)


def test_labels_and_scores_out_of_range_are_refused(saved, tmp_path):
    def scores(state):
        state["attributes"]["decision_scores_"] = state["attributes"]["decision_scores_"].copy()
        state["attributes"]["decision_scores_"][0] = np.nan

    def labels(state):
        state["attributes"]["labels_"] = state["attributes"]["labels_"] + 2

    with pytest.raises(DetectorFileError, match="decision_scores_ must be finite"):
        EfficientGAN.load(_resigned(saved, tmp_path / "scores.egan", scores))
    with pytest.raises(DetectorFileError, match="labels_ must be 0 or 1"):
        EfficientGAN.load(_resigned(saved, tmp_path / "labels.egan", labels))


# ------------------------------------------------------------------ 2: the state that scores
@pytest.mark.parametrize(
    "change",
    [
        dict(n_estimators=1),
        dict(latent_dim=7),
        dict(discriminator_units=(8,)),
        dict(preprocessing="minmax"),
    ],
    ids=lambda change: next(iter(change)),
)
def test_structure_set_after_fit_is_saved_as_fitted(detector, small_data, tmp_path, change):
    X_test = small_data[1]
    expected = detector.decision_function(X_test)
    changed = pickle.loads(pickle.dumps(detector))
    changed.set_params(**change)
    assert_array_equal(changed.decision_function(X_test), expected)  # still the fitted model

    changed.save(tmp_path / "changed.egan")
    loaded = EfficientGAN.load(tmp_path / "changed.egan")
    assert_array_equal(loaded.decision_function(X_test), expected)
    assert loaded.get_params() == detector.get_params()  # the values the model was fitted with
    unpickled = pickle.loads(pickle.dumps(changed))
    assert_array_equal(unpickled.decision_function(X_test), expected)
    assert unpickled.get_params() == changed.get_params()  # a copy: the next fit changes too
    assert changed.get_params()[next(iter(change))] == next(iter(change.values()))
    assert_array_equal(pickle.loads(pickle.dumps(unpickled)).decision_function(X_test), expected)


def test_structure_set_before_a_failed_refit_is_saved_as_fitted(detector, small_data, tmp_path):
    X_train, X_test = small_data[0], small_data[1]
    changed = pickle.loads(pickle.dumps(detector))
    changed.set_params(n_estimators=1, encoder_units=(8,))
    bad = X_train.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        changed.fit(bad)
    changed.save(tmp_path / "kept.egan")
    assert_array_equal(
        EfficientGAN.load(tmp_path / "kept.egan").decision_function(X_test),
        detector.decision_function(X_test),
    )


def test_the_next_fit_applies_the_new_structure(detector, small_data, tmp_path):
    changed = pickle.loads(pickle.dumps(detector))
    changed.set_params(n_estimators=1, epochs=1).fit(small_data[0])
    assert len(changed.model_.members) == 1
    changed.save(tmp_path / "refit.egan")
    loaded = EfficientGAN.load(tmp_path / "refit.egan")
    assert loaded.n_estimators == 1
    assert_array_equal(
        loaded.decision_function(small_data[1]), changed.decision_function(small_data[1])
    )


# ------------------------------------------------------------------ 6, 7: scoring and params
def test_explain_refuses_what_decision_function_refuses(detector, small_data):
    X = small_data[1][:3].copy()
    X[1, 2] = 1e300
    with pytest.raises(FloatingPointError, match="non-finite"):
        detector.decision_function(X)
    with pytest.raises(FloatingPointError, match="non-finite"):
        detector.explain(X)
    assert np.all(np.isfinite(detector.explain(small_data[1][:3])))


def test_numpy_integers_are_integers(small_data, tmp_path):
    detector = EfficientGAN(
        latent_dim=np.int64(3),
        encoder_units=(np.int64(16),),
        generator_units=(np.int32(8), np.int64(8)),
        discriminator_units=(np.int64(8), np.uint8(8)),
        n_estimators=np.int64(1),
        epochs=np.int64(1),
        batch_size=np.int64(64),
        random_state=0,
    ).fit(small_data[0])
    scores = detector.decision_function(small_data[1])
    assert np.all(np.isfinite(scores))
    detector.save(tmp_path / "numpy.egan")
    loaded = EfficientGAN.load(tmp_path / "numpy.egan")
    assert loaded.encoder_units == (16,)
    assert_array_equal(loaded.decision_function(small_data[1]), scores)


# ------------------------------------------------------------------ 8, 12: scaling
def test_a_variance_that_overflows_names_the_cause(small_data):
    X = small_data[0].copy()
    X[0, 1] = 1e200
    with pytest.raises(ValueError, match=r"preprocessing='standard' .*\[1\].*variance overflows"):
        EfficientGAN(epochs=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"variance overflows"):
        EfficientGAN(epochs=1, random_state=0).fit_chunks([X[:150], X[150:]])


def test_a_range_that_overflows_names_the_cause(small_data):
    X = small_data[0].copy()
    X[0, 2], X[1, 2] = -1e308, 1e308
    with pytest.raises(ValueError, match=r"preprocessing='minmax' .*\[2\].*range"):
        EfficientGAN(preprocessing="minmax", epochs=1, random_state=0).fit(X)


def test_minmax_warns_of_columns_below_its_resolution(small_data):
    X = small_data[0] * 1e-17
    detector = EfficientGAN(preprocessing="minmax", n_estimators=1, epochs=1, random_state=0)
    with pytest.warns(
        UserWarning, match=r"treats the column\(s\) \[0, 1, 2, 3, 4, 5\] as constant"
    ):
        detector.fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # standard scaling resolves them
        EfficientGAN(n_estimators=1, epochs=1, random_state=0).fit(X)


def test_standard_scaling_warns_of_columns_whose_variance_underflows(small_data):
    X = small_data[0] * 1e-170
    X[:, 5] = 1e-170  # a constant column of tiny values cannot be told apart: warned too
    detector = EfficientGAN(n_estimators=1, epochs=1, random_state=0)
    with pytest.warns(
        UserWarning,
        match=r"'standard' treats the column\(s\) \[0, 1, 2, 3, 4, 5\] as constant: "
        r"their values \(about [\d.]+e-1\d\d\) are so small that their variance underflows",
    ):
        detector.fit(X)
    assert np.ptp(detector.decision_scores_) == 0  # what the warning is about
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # zeros, constants and 1e-150 are resolved
        X = small_data[0] * 1e-150
        X[:, 0], X[:, 1] = 0.0, 3.0
        EfficientGAN(n_estimators=1, epochs=1, random_state=0).fit(X)


# ------------------------------------------------------------------ numeric strings
def test_numeric_strings_are_converted_like_numbers(detector, small_data):
    X = small_data[1][:20]
    assert_array_equal(detector.decision_function(X.astype(str)), detector.decision_function(X))


# ------------------------------------------------------------------ 11: fit_chunks sources
def _changing_source(first, later):
    """A callable source that gives ``first`` on its first pass and ``later`` afterwards."""
    calls = []

    def chunks():
        calls.append(1)
        return first if len(calls) == 1 else later

    return chunks


@pytest.mark.parametrize(
    "later, match",
    [
        ("more", "more than the 300 rows of their first pass"),
        ("fewer", "gave 150 rows on a later pass, 300 on the first"),
        ("nan", "NaN"),
    ],
)
def test_fit_chunks_source_that_changes_between_passes_is_refused(small_data, later, match):
    X = small_data[0]
    bad = X[:150].copy()
    bad[3, 1] = np.nan
    later_chunks = {
        "more": [X[:150], X[150:], X[:150]],
        "fewer": [X[:150]],
        "nan": [bad, X[150:]],
    }[later]
    detector = EfficientGAN(n_estimators=1, epochs=1, random_state=0)
    with pytest.raises(ValueError, match=match):
        detector.fit_chunks(_changing_source([X[:150], X[150:]], later_chunks))
    assert not hasattr(detector, "decision_scores_")
