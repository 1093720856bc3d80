"""load refuses ambiguous or impossible files, each with a DetectorFileError naming the problem."""

import hashlib
import io
import json
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
from tiny import tiny

from pyod_efficientgan import EfficientGAN, persistence
from pyod_efficientgan.persistence import DetectorFileError


@pytest.fixture(scope="module")
def fitted(small_data):
    X = pd.DataFrame(small_data[0], columns=[f"f{i}" for i in range(small_data[0].shape[1])])
    return tiny().fit(X)


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "d.egan"
    fitted.save(path)
    return path


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _write(path, members, extra=(), info_of=None):
    """A detector file of ``members`` with a manifest of their true digests."""
    digests = {name: hashlib.sha256(members[name]).hexdigest() for name in persistence._MEMBERS}
    manifest = json.loads(members["manifest.json"])
    manifest.update(members=digests, sha256=persistence._overall_digest(digests))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name in persistence._MEMBERS:
            archive.writestr((info_of or {}).get(name, name), members[name])
        for name, data in extra:
            archive.writestr(name, data)
    return path


def _json_edit(members, name, change):
    value = json.loads(members[name])
    change(value)
    members[name] = json.dumps(value).encode()


def _npz_edit(members, name, change):
    with np.load(io.BytesIO(members[name])) as content:
        arrays = dict(content)
    change(arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    members[name] = buffer.getvalue()


def test_the_helper_writes_a_file_that_loads(saved, tmp_path):
    EfficientGAN.load(_write(tmp_path / "same.egan", _members(saved)))


def test_duplicate_member_names_are_refused(saved, tmp_path):
    members = _members(saved)
    forged = dict(members)
    _json_edit(forged, "params.json", lambda p: p.update(alpha=0.1))
    with pytest.warns(UserWarning, match="Duplicate name"):
        path = _write(tmp_path / "d.egan", members, extra=[("params.json", forged["params.json"])])
    with pytest.raises(DetectorFileError, match=r"several members named \['params.json'\]"):
        EfficientGAN.load(path)


def test_duplicate_array_names_inside_an_npz_are_refused(saved, tmp_path):
    members = _members(saved)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as npz, pytest.warns(UserWarning, match="Duplicate"):
        with zipfile.ZipFile(io.BytesIO(members["arrays.npz"])) as original:
            for info in original.infolist():
                npz.writestr(info.filename, original.read(info))
        npz.writestr("labels_.npy", original_labels(members))
    members["arrays.npz"] = buffer.getvalue()
    with pytest.raises(DetectorFileError, match="arrays.npz holds several members"):
        EfficientGAN.load(_write(tmp_path / "d.egan", members))


def original_labels(members):
    with zipfile.ZipFile(io.BytesIO(members["arrays.npz"])) as npz:
        return npz.read("labels_.npy")


def test_duplicate_json_keys_are_refused(saved, tmp_path):
    members = _members(saved)
    text = members["params.json"].decode()
    members["params.json"] = text.replace('"alpha":', '"alpha": 0.1, "alpha":', 1).encode()
    with pytest.raises(DetectorFileError, match=r"params.json holds the keys \['alpha'\] more"):
        EfficientGAN.load(_write(tmp_path / "d.egan", members))


def test_an_encrypted_member_is_a_detector_file_error(saved, tmp_path):
    # zipfile writes no encrypted member: set the flag in its local and central headers
    path = _write(tmp_path / "d.egan", _members(saved))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        data[archive.getinfo("weights.npz").header_offset + 6] |= 0x1
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        if data[central + 46 : central + 46 + len(b"weights.npz")] == b"weights.npz":
            data[central + 8] |= 0x1
        central = data.find(b"PK\x01\x02", central + 1)
    path.write_bytes(bytes(data))
    with pytest.raises(DetectorFileError, match=r"encrypted members \['weights.npz'\]"):
        EfficientGAN.load(path)


def _threshold_elsewhere(members):
    with np.load(io.BytesIO(members["arrays.npz"])) as content:
        scores = np.sort(content["decision_scores_"])
    _json_edit(members, "attributes.json", lambda a: a["detector"].update(threshold_=scores[5]))


@pytest.mark.parametrize(
    "change, message",
    [
        (_threshold_elsewhere, "but contamination=0.1 gives"),
        (
            lambda m: _json_edit(m, "params.json", lambda p: p.update(contamination=0.3)),
            "but contamination=0.3 gives",
        ),
        (
            lambda m: _npz_edit(m, "arrays.npz", lambda a: a.update(labels_=1 - a["labels_"])),
            "labels_ are not decision_scores_ > threshold_",
        ),
        (
            lambda m: _json_edit(
                m, "attributes.json", lambda a: a["scaler"].update(n_features_in_=5)
            ),
            "scaler.n_features_in_=5 but n_features_in_=6",
        ),
        (
            lambda m: _npz_edit(
                m, "arrays.npz", lambda a: a.update(feature_names_in_=np.array(["f0"] * 6))
            ),
            "feature_names_in_ holds a name more than once",
        ),
    ],
    ids=["threshold", "contamination", "labels", "scaler-width", "feature-names"],
)
def test_contradictory_attributes_are_refused_by_load_and_unpickling(
    saved, fitted, tmp_path, change, message
):
    members = _members(saved)
    change(members)
    with pytest.raises(DetectorFileError, match=message):
        EfficientGAN.load(_write(tmp_path / "d.egan", members))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s["attributes"].update(labels_=1 - s["attributes"]["labels_"]), "labels_ are"),
        (lambda s: s["scaler"].update(n_features_in_=5), "scaler.n_features_in_=5"),
        (
            lambda s: s["attributes"].update(feature_names_in_=np.array(["f0"] * 6)),
            "feature_names_in_ holds",
        ),
    ],
)
def test_unpickling_refuses_the_same_contradictions(fitted, change, message):
    pickled = pickle.loads(pickle.dumps(fitted.__getstate__()))
    change(pickled)
    with pytest.raises(ValueError, match=message):
        EfficientGAN.__new__(EfficientGAN).__setstate__(pickled)
