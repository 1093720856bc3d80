"""save/load without pickle: identical scores, refused bad files, pickle on the same state.

``save`` is ``write_state(detector_state(detector), path)``, ``load`` is
``from_state(EfficientGAN, read_state(path))`` (both of ``restore``) and pickling stores
``detector_state(detector)`` too; this module checks the file (safety, format versions) and
the state (what pickling and loading keep).
"""

import copy
import io
import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import NotFittedError

from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.persistence import (
    FORMAT_VERSION,
    DetectorFileError,
    read_state,
    write_state,
)
from pyod_efficientgan.restore import detector_state as to_state

SMALL = dict(
    latent_dim=4,
    encoder_units=(16,),
    generator_units=(16,),
    discriminator_units=(16, 16),
    epochs=3,
    random_state=0,
)
REPO = Path(__file__).resolve().parent.parent
FORMAT_2 = REPO / "tests" / "data" / "format2"


@pytest.fixture(scope="module")
def frames(small_data):
    X_train, X_test, _, _ = small_data
    columns = [f"f{i}" for i in range(X_train.shape[1])]
    return pd.DataFrame(X_train, columns=columns), pd.DataFrame(X_test, columns=columns)


@pytest.fixture(scope="module")
def detector(frames):
    return EfficientGAN(**SMALL).fit(frames[0])


@pytest.fixture(scope="module")
def saved(detector, tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "detector.egan"
    detector.save(path)
    return path


@pytest.fixture(scope="module")
def loaded(saved):
    return EfficientGAN.load(saved)


def _rewrite(source, target, replace):
    """Copy the zip ``source`` to ``target``, replacing members by ``replace(name, data)``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, replace(name, old.read(name)))


def test_file_is_a_zip_without_pickle(saved):
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        assert names == {
            "manifest.json",
            "params.json",
            "attributes.json",
            "arrays.npz",
            "weights.npz",
        }
        manifest = json.loads(archive.read("manifest.json"))
        for name in ("arrays.npz", "weights.npz"):
            with np.load(archive.open(name), allow_pickle=False) as npz:
                assert all(npz[key].dtype != object for key in npz.files)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["package_version"]
    assert len(manifest["sha256"]) == 64


def test_identical_scores_after_load(detector, loaded, frames):
    X_test = frames[1]
    assert isinstance(loaded, EfficientGAN)
    assert_array_equal(loaded.decision_function(X_test), detector.decision_function(X_test))
    assert_array_equal(loaded.predict(X_test), detector.predict(X_test))
    assert_array_equal(
        loaded.predict_proba(X_test, method="unify"), detector.predict_proba(X_test, method="unify")
    )
    for a, b in zip(loaded.score_components(X_test), detector.score_components(X_test)):
        assert_array_equal(a, b)


def test_fitted_attributes_and_params_survive(detector, loaded):
    assert loaded.get_params() == detector.get_params()
    assert_array_equal(loaded.decision_scores_, detector.decision_scores_)
    assert_array_equal(loaded.labels_, detector.labels_)
    assert_array_equal(loaded.feature_names_in_, detector.feature_names_in_)
    assert loaded.threshold_ == detector.threshold_
    assert (loaded._mu, loaded._sigma) == (detector._mu, detector._sigma)
    assert loaded.history_ == detector.history_
    assert (loaded.epochs_, loaded.best_epoch_, loaded.n_features_in_) == (
        detector.epochs_,
        detector.best_epoch_,
        detector.n_features_in_,
    )
    assert (loaded.latent_dim_, loaded._classes) == (detector.latent_dim_, detector._classes)
    assert loaded.feature_names_in_.dtype == object
    assert_array_equal(loaded._member_moments, detector._member_moments)
    assert type(loaded.scaler_) is type(detector.scaler_)
    assert vars(loaded.scaler_).keys() == vars(detector.scaler_).keys()
    for name in ("scale_", "min_", "mean_", "var_"):
        if hasattr(detector.scaler_, name):
            assert_array_equal(getattr(loaded.scaler_, name), getattr(detector.scaler_, name))


def test_identical_scores_in_a_fresh_process(detector, saved, frames, tmp_path):
    X_test = frames[1]
    np.save(tmp_path / "x.npy", X_test.to_numpy())
    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from pyod_efficientgan import EfficientGAN\n"
        "d = EfficientGAN.load(sys.argv[1])\n"
        "x = pd.DataFrame(np.load(sys.argv[2]), columns=list(d.feature_names_in_))\n"
        "np.save(sys.argv[3], d.decision_function(x))\n"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO)}
    subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(saved),
            str(tmp_path / "x.npy"),
            str(tmp_path / "scores.npy"),
        ],
        check=True,
        env=env,
        timeout=600,
    )
    assert_array_equal(np.load(tmp_path / "scores.npy"), detector.decision_function(X_test))


def test_tampered_member_is_refused(saved, tmp_path):
    def flip(name, data):
        if name != "weights.npz":
            return data
        data = bytearray(data)
        data[len(data) // 2] ^= 0xFF
        return bytes(data)

    target = tmp_path / "tampered.egan"
    _rewrite(saved, target, flip)
    with pytest.raises(DetectorFileError, match="integrity check failed.*weights.npz"):
        EfficientGAN.load(target)


def test_tampered_parameters_are_refused(saved, tmp_path):
    def edit(name, data):
        if name != "params.json":
            return data
        params = json.loads(data)
        params["alpha"] = 0.1
        return json.dumps(params).encode()

    target = tmp_path / "params.egan"
    _rewrite(saved, target, edit)
    with pytest.raises(DetectorFileError, match="integrity check failed.*params.json"):
        EfficientGAN.load(target)


def test_corrupted_bytes_are_refused(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target = tmp_path / "corrupted.egan"
    target.write_bytes(bytes(data))
    with pytest.raises(DetectorFileError):
        EfficientGAN.load(target)


@pytest.mark.parametrize("keep", [0.5, 0.95])
def test_truncated_file_is_refused(saved, tmp_path, keep):
    data = saved.read_bytes()
    target = tmp_path / "truncated.egan"
    target.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(DetectorFileError, match="truncated"):
        EfficientGAN.load(target)


def test_other_format_version_is_refused(saved, tmp_path):
    def bump(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["format_version"] = FORMAT_VERSION + 1
        return json.dumps(manifest).encode()

    target = tmp_path / "future.egan"
    _rewrite(saved, target, bump)
    with pytest.raises(DetectorFileError, match=f"format version {FORMAT_VERSION + 1}"):
        EfficientGAN.load(target)


def _forge(source, target, **edits):
    """Copy ``source`` to ``target`` with members edited by ``edits[member](bytes) -> bytes``
    (``None`` drops the member), recomputing the digests as a deliberate forger would."""
    from pyod_efficientgan.persistence import _overall_digest, _sha256

    with zipfile.ZipFile(source) as old:
        contents = {name: old.read(name) for name in old.namelist()}
    manifest = json.loads(contents.pop("manifest.json"))
    for name, edit in edits.items():
        name = name.replace("_", ".")
        if edit is None:
            del contents[name]
        else:
            contents[name] = edit(contents[name])
    manifest["members"].update({name: _sha256(data) for name, data in contents.items()})
    manifest["sha256"] = _overall_digest(manifest["members"])
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as new:
        new.writestr("manifest.json", json.dumps(manifest))
        for name, data in contents.items():
            new.writestr(name, data)


def _json_edit(edit):
    def apply(data):
        value = json.loads(data)
        edit(value)
        return json.dumps(value).encode()

    return apply


def _npz_edit(edit):
    def apply(data):
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        edit(arrays)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    return apply


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda p: p.update(latent_dim=-1), "invalid parameters.*latent_dim"),
        (lambda p: p.update(__class__="os.system"), "unknown parameters"),
        (lambda p: p.update(latent_dim=5), "weights do not fit"),
        (lambda p: p.update(encoder_units=16), "invalid parameters"),
        (lambda p: p.update(alpha={"a": 1}), "parameter 'alpha'"),
    ],
    ids=["invalid-value", "unknown-name", "wrong-shape", "int-for-tuple", "object-value"],
)
def test_consistent_but_invalid_parameters_are_refused(saved, tmp_path, edit, match):
    target = tmp_path / "forged.egan"
    _forge(saved, target, params_json=_json_edit(edit))
    with pytest.raises(DetectorFileError, match=match):
        EfficientGAN.load(target)


@pytest.mark.parametrize(
    "name, value",
    [("decision_function", 1), ("model_", "x"), ("__class__", "os.system"), ("_score_cache", 0)],
)
def test_forged_attribute_names_are_refused(saved, tmp_path, name, value):
    target = tmp_path / "forged.egan"
    _forge(saved, target, attributes_json=_json_edit(lambda a: a["detector"].update({name: value})))
    with pytest.raises(DetectorFileError, match=f"unknown attributes.*{name}"):
        EfficientGAN.load(target)


def test_forged_scaler_attribute_is_refused(saved, tmp_path):
    target = tmp_path / "forged.egan"
    _forge(saved, target, attributes_json=_json_edit(lambda a: a["scaler"].update(transform=1)))
    with pytest.raises(DetectorFileError, match="unknown scaler attributes.*transform"):
        EfficientGAN.load(target)


@pytest.mark.parametrize("name", ["model_", "scaler.transform", "__dict__"])
def test_forged_array_names_are_refused(saved, tmp_path, name):
    target = tmp_path / "forged.egan"
    _forge(saved, target, arrays_npz=_npz_edit(lambda a: a.update({name: np.zeros(3)})))
    with pytest.raises(DetectorFileError, match="unknown arrays"):
        EfficientGAN.load(target)


@pytest.mark.parametrize(
    "name",
    [
        "threshold_",
        "_mu",
        "_sigma",
        "_classes",
        "n_features_in_",
        "history_",
        "epochs_",
        "best_epoch_",
    ],
)
def test_each_missing_scalar_attribute_is_refused(saved, tmp_path, name):
    target = tmp_path / "missing.egan"
    _forge(saved, target, attributes_json=_json_edit(lambda a: a["detector"].pop(name)))
    with pytest.raises(DetectorFileError, match=f"missing attributes.*{name}"):
        EfficientGAN.load(target)


@pytest.mark.parametrize("name", ["decision_scores_", "labels_"])
def test_each_missing_array_is_refused(saved, tmp_path, name):
    target = tmp_path / "missing.egan"
    _forge(saved, target, arrays_npz=_npz_edit(lambda a: a.pop(name)))
    with pytest.raises(DetectorFileError, match=f"missing arrays.*{name}"):
        EfficientGAN.load(target)


@pytest.mark.parametrize("name", ["mean_", "var_", "scale_"])
def test_each_missing_scaler_statistic_is_refused(saved, tmp_path, name):
    target = tmp_path / "missing.egan"
    _forge(saved, target, arrays_npz=_npz_edit(lambda a: a.pop(f"scaler.{name}")))
    with pytest.raises(DetectorFileError, match=rf"scaler statistics.*missing \['{name}'\]"):
        EfficientGAN.load(target)


def test_scaler_statistics_of_another_preprocessing_are_refused(saved, tmp_path):
    target = tmp_path / "foreign.egan"
    _forge(
        saved, target, arrays_npz=_npz_edit(lambda a: a.update({"scaler.min_": a["scaler.mean_"]}))
    )
    with pytest.raises(DetectorFileError, match=r"foreign \['min_'\]"):
        EfficientGAN.load(target)


@pytest.mark.parametrize("member", ["params.json", "attributes.json", "arrays.npz", "weights.npz"])
def test_each_missing_member_is_refused(saved, tmp_path, member):
    target = tmp_path / "missing.egan"
    _forge(saved, target, **{member.replace(".", "_"): None})
    with pytest.raises(DetectorFileError, match="wrong members|missing members"):
        EfficientGAN.load(target)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda a: a["detector"].update(threshold_="high"), "threshold_ must be a finite number"),
        (lambda a: a["detector"].update(n_features_in_="6"), "n_features_in_ must be"),
        (lambda a: a["detector"].update(n_features_in_=-6), "n_features_in_ must be"),
        (lambda a: a["detector"].update(history_=5), "history_ must be"),
        (
            lambda a: a["detector"].update(history_={"epoch": [1, 2], "d_loss": [0.1]}),
            "history_ must be",
        ),
        (lambda a: a["detector"].update(epochs_=[3]), "epochs_ must be"),
        (lambda a: a["detector"].update(best_epoch_=True), "best_epoch_ must be"),
        (lambda a: a["scaler"].update(with_mean={"a": 1}), "scaler attribute with_mean"),
        (lambda a: a.update(detector=[]), "'detector' and 'scaler'"),
        (lambda a: a.update(extra={}), "'detector' and 'scaler'"),
    ],
    ids=[
        "threshold-str",
        "width-str",
        "width-negative",
        "history-int",
        "history-ragged",
        "epochs-list",
        "best-epoch-bool",
        "scaler-dict",
        "detector-list",
        "extra-section",
    ],
)
def test_attributes_of_the_wrong_type_are_refused(saved, tmp_path, edit, match):
    target = tmp_path / "typed.egan"
    _forge(saved, target, attributes_json=_json_edit(edit))
    with pytest.raises(DetectorFileError, match=match):
        EfficientGAN.load(target)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda a: a.update(decision_scores_=np.zeros((3, 2))), "decision_scores_ must be 1-D"),
        (lambda a: a.update(labels_=np.array(["a"] * len(a["labels_"]))), "labels_"),
        (lambda a: a.update(labels_=a["labels_"][:-1]), "differ in length"),
        (lambda a: a.update(feature_names_in_=np.array(["a", "b"])), "feature_names_in_"),
        (lambda a: a.update({"scaler.mean_": np.zeros(2)}), "scaler.mean_"),
    ],
    ids=["scores-2d", "labels-str", "lengths", "names-width", "scaler-width"],
)
def test_arrays_of_the_wrong_type_or_shape_are_refused(saved, tmp_path, edit, match):
    target = tmp_path / "typed.egan"
    _forge(saved, target, arrays_npz=_npz_edit(edit))
    with pytest.raises(DetectorFileError, match=match):
        EfficientGAN.load(target)


@pytest.mark.parametrize("member", ["params.json", "attributes.json"])
@pytest.mark.parametrize(
    "data", [b"{not json", b"\xff\xfe", b"[1, 2]"], ids=["syntax", "bytes", "list"]
)
def test_json_members_that_are_not_json_objects_are_refused(saved, tmp_path, member, data):
    target = tmp_path / "json.egan"
    _forge(saved, target, **{member.replace(".", "_"): lambda _: data})
    with pytest.raises(DetectorFileError, match=f"{member} is not"):
        EfficientGAN.load(target)


def _npy_claiming(shape, data):
    """A .npy whose header announces ``shape`` float64 values, followed by ``data``."""
    from numpy.lib import format as npy_format

    buffer = io.BytesIO()
    npy_format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue() + data


def test_array_header_announcing_terabytes_is_refused_before_allocation(saved, tmp_path):
    def forge(data):
        with zipfile.ZipFile(io.BytesIO(data)) as old:
            members = {name: old.read(name) for name in old.namelist()}
        members["decision_scores_.npy"] = _npy_claiming((2**40,), b"\0" * 16)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as new:
            for name, raw in members.items():
                new.writestr(name, raw)
        return buffer.getvalue()

    target = tmp_path / "header.egan"
    _forge(saved, target, arrays_npz=forge)
    with pytest.raises(DetectorFileError, match="decision_scores_.npy.*announces"):
        EfficientGAN.load(target)


def test_compressed_npz_that_would_inflate_is_refused(saved, tmp_path):
    def forge(data):
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        arrays["decision_scores_"] = np.zeros(100_000)
        arrays["labels_"] = np.zeros(100_000, dtype=np.int64)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    target = tmp_path / "inflating.egan"
    _forge(saved, target, arrays_npz=forge)
    with pytest.raises(DetectorFileError, match="announces more data than it holds"):
        EfficientGAN.load(target)


@pytest.mark.parametrize(
    "member, limit", [("weights.npz", "MAX_MEMBER_BYTES"), ("attributes.json", "MAX_JSON_BYTES")]
)
def test_oversized_member_is_refused(saved, tmp_path, monkeypatch, member, limit):
    from pyod_efficientgan import persistence

    with zipfile.ZipFile(saved) as archive:
        size = archive.getinfo(member).file_size
    monkeypatch.setattr(persistence, limit, size - 1)
    # the first member read that is over the limit is named (the manifest is read first)
    with pytest.raises(DetectorFileError, match=rf"\.(json|npz) is \d+ bytes.*{limit}"):
        EfficientGAN.load(saved)


def test_oversized_member_is_not_written(detector, tmp_path, monkeypatch):
    from pyod_efficientgan import persistence

    monkeypatch.setattr(persistence, "MAX_MEMBER_BYTES", 100)
    with pytest.raises(ValueError, match="could not be loaded again"):
        detector.save(tmp_path / "big.egan")
    assert list(tmp_path.iterdir()) == []


def test_not_a_detector_file_is_refused(tmp_path):
    target = tmp_path / "other.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(DetectorFileError, match="not an EfficientGAN file"):
        EfficientGAN.load(target)


def test_unfitted_detector_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        EfficientGAN().save(tmp_path / "unfitted.egan")
    assert not (tmp_path / "unfitted.egan").exists()


def test_thresholder_contamination_cannot_be_saved(detector, tmp_path):
    from pythresh.thresholds.iqr import IQR

    with_thresholder = copy.copy(detector)
    with_thresholder.contamination = IQR()
    with pytest.raises(TypeError, match="'contamination'.*cannot be saved"):
        with_thresholder.save(tmp_path / "iqr.egan")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dumps, loads", [(pickle.dumps, pickle.loads), ("joblib", "joblib")])
def test_pickle_and_joblib_round_trips_still_work(loaded, frames, tmp_path, dumps, loads):
    if dumps == "joblib":
        joblib.dump(loaded, tmp_path / "d.joblib")
        restored = joblib.load(tmp_path / "d.joblib")
    else:
        restored = loads(dumps(loaded))
    assert_array_equal(restored.decision_function(frames[1]), loaded.decision_function(frames[1]))


def test_persistence_imports_neither_the_detector_nor_keras():
    code = (
        "import sys, pyod_efficientgan.persistence\n"
        "print([m for m in sys.modules if m.startswith(('pyod_efficientgan.detector', 'keras'))])"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "[]"


def test_state_imports_only_numpy():
    code = (
        "import sys, pyod_efficientgan.state\n"
        "print([m for m in sys.modules if m.startswith(('pyod_efficientgan.', 'keras', "
        "'sklearn')) and m != 'pyod_efficientgan.state'])"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "[]"


def _assert_states_equal(a, b):
    assert a.keys() == b.keys() == {"params", "attributes", "scaler", "weights"}
    assert a["params"] == b["params"]
    for part in ("attributes", "scaler"):
        assert a[part].keys() == b[part].keys()
        for name, value in a[part].items():
            if isinstance(value, np.ndarray):
                assert_array_equal(value, b[part][name])
                assert value.dtype == b[part][name].dtype, name
            else:
                assert value == b[part][name], name
    assert len(a["weights"]) == len(b["weights"])
    for x, y in zip(a["weights"], b["weights"]):
        assert_array_equal(x, y)
        assert x.dtype == y.dtype


def test_state_is_plain_and_the_same_for_pickle_and_file(detector, saved):
    state = to_state(detector)
    for part in ("attributes", "scaler"):
        scalars = {k: v for k, v in state[part].items() if not isinstance(v, np.ndarray)}
        assert json.loads(json.dumps(scalars)) == {
            k: list(v) if isinstance(v, tuple) else v for k, v in scalars.items()
        }
        assert all(v.dtype != object for v in state[part].values() if isinstance(v, np.ndarray))
    assert all(isinstance(w, np.ndarray) for w in state["weights"])
    _assert_states_equal(detector.__getstate__(), state)
    _assert_states_equal(read_state(saved), state)


def test_a_state_read_writes_the_same_state(saved, tmp_path):
    write_state(read_state(saved), tmp_path / "again.egan")
    _assert_states_equal(read_state(tmp_path / "again.egan"), read_state(saved))


def test_unfitted_detector_pickles_as_params_only():
    # validation happens in fit: an invalid value pickles, a list stays a list
    unfitted = EfficientGAN(alpha=0.5, encoder_units=[8], latent_dim=-1)
    assert to_state(unfitted) == {"params": unfitted.get_params(deep=False)}
    restored = pickle.loads(pickle.dumps(unfitted))
    assert restored.get_params() == unfitted.get_params()
    assert vars(restored) == vars(unfitted)


def test_pickle_keeps_a_thresholder_contamination(detector, frames):
    from pythresh.thresholds.iqr import IQR

    with_thresholder = copy.copy(detector)
    with_thresholder.contamination = IQR()
    restored = pickle.loads(pickle.dumps(with_thresholder))
    assert isinstance(restored.contamination, IQR)
    assert_array_equal(restored.decision_function(frames[1]), detector.decision_function(frames[1]))


@pytest.mark.parametrize("name", ["single", "ensemble"])
def test_format_2_files_of_the_previous_version_load(name):
    # written at commit c3fb615 on TensorFlow (tests/data/format2/make_format2.py), with the
    # step counter as int64; the variable is int32 now, on any backend
    restored = EfficientGAN.load(FORMAT_2 / f"{name}.egan")
    x = np.load(FORMAT_2 / "x.npy")
    if hasattr(restored, "feature_names_in_"):
        x = pd.DataFrame(x, columns=list(restored.feature_names_in_))
    expected = np.load(FORMAT_2 / f"{name}_scores.npy")
    np.testing.assert_allclose(restored.decision_function(x), expected, rtol=1e-4, atol=1e-5)
    for member in restored.model_.members:
        assert str(member.ema_steps.dtype) == "int32"
        assert int(np.asarray(member.ema_steps.numpy())) > 0


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda w: w.update(w0000=np.array(["a", "b"])), "kinds"),
        (lambda w: w.update(extra=np.zeros(2)), "weights.npz holds the arrays"),
        (lambda w: w.pop("w0001"), "weights.npz holds the arrays"),
        (lambda w: w.update(w0000=np.zeros((1, 1))), "weights do not fit"),
    ],
    ids=["strings", "extra-name", "gap", "wrong-shape"],
)
def test_forged_weights_are_refused(saved, tmp_path, edit, match):
    target = tmp_path / "weights.egan"
    _forge(saved, target, weights_npz=_npz_edit(edit))
    with pytest.raises(DetectorFileError, match=match):
        EfficientGAN.load(target)


@pytest.mark.parametrize(
    "edit, error, match",
    [
        (lambda s: s["attributes"].update(extra_=1), ValueError, r"no place for.*extra_"),
        (lambda s: s["attributes"].pop("labels_"), ValueError, r"needs \['labels_'\]"),
        (lambda s: s["attributes"].update(labels_=np.array([object()])), TypeError, "labels_"),
        (lambda s: s["scaler"].update(transform=1), ValueError, "'transform'"),
        (lambda s: s.pop("weights"), ValueError, "keys"),
    ],
    ids=["unknown-attribute", "missing-attribute", "object-array", "scaler-name", "unfitted"],
)
def test_states_the_format_cannot_hold_are_not_written(detector, tmp_path, edit, error, match):
    state = to_state(detector)
    state["attributes"] = dict(state["attributes"])
    state["scaler"] = dict(state["scaler"])
    edit(state)
    with pytest.raises(error, match=match):
        write_state(state, tmp_path / "bad.egan")
    assert list(tmp_path.iterdir()) == []
