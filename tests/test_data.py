"""course_utils.data: every source, integrity errors, the sample, and the fast path."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import torch

from course_utils import data
from course_utils.data import files, sources

SAMPLE_GZ = data.SAMPLE_DIR


def make_system_dir(tmp_path: Path) -> Path:
    """A stand-in for /usr/share/datasets/fashion-mnist holding the *sample* as the 'full' set.

    The hashes the full set must match are patched to the sample's, so every code path of the
    system source runs without the 30 MB package.
    """
    system = tmp_path / "system"
    system.mkdir()
    for gz in SAMPLE_GZ.glob("*.gz"):
        shutil.copy(gz, system / gz.name)
    return system


@pytest.fixture
def sample_hashes(monkeypatch):
    monkeypatch.setattr(sources, "FULL_SHA256", sources._sample_sums())  # prepare() reads it there
    return sources._sample_sums()


def test_sample_is_class_balanced_and_sized_as_promised(tmp_path):
    info = data.prepare(tmp_path, quick=True)
    assert info.source == "sample"
    assert (info.train, info.test) == (6000, 1000)
    for train, per_class in ((True, 600), (False, 100)):
        ds = data.dataset(train, info=info)
        counts = torch.bincount(ds.targets, minlength=10)
        assert counts.tolist() == [per_class] * 10
        assert ds.data.shape[1:] == (28, 28) and ds.data.dtype == torch.uint8
    size = sum(p.stat().st_size for p in SAMPLE_GZ.glob("*.gz"))
    assert 2_000_000 < size < 4_000_000, size
    assert "MIT" in (SAMPLE_GZ / "LICENSE").read_text()


def test_sample_hashes_match_recorded_sums(tmp_path):
    info = data.prepare(tmp_path, quick=True)
    raw = info.root / "FashionMNIST" / "raw"
    for name, digest in sources._sample_sums().items():
        assert files._sha256(raw / name) == digest


def test_empty_folder_without_system_package_falls_back_to_sample(tmp_path):
    info = data.prepare(tmp_path / "data", quick=False, system_dir=tmp_path / "nowhere")
    assert info.source == "sample" and info.train == 6000
    assert info.root == tmp_path / "data" / "sample"
    assert str(info) == f"source=sample root={data.display_path(info.root)} train=6000 test=1000"


def test_system_source_is_decompressed_and_verified(tmp_path, sample_hashes):
    system = make_system_dir(tmp_path)
    info = data.prepare(tmp_path / "data", quick=False, system_dir=system)
    assert info.source == "system"
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(data.FILES)
    # the second time the files are already there: the local source
    again = data.prepare(tmp_path / "data", quick=False, system_dir=tmp_path / "nowhere")
    assert again.source == "local" and again.root == info.root


def test_corrupt_system_archive_is_reported_and_leaves_nothing_behind(tmp_path, sample_hashes):
    system = make_system_dir(tmp_path)
    gz = system / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:100])  # truncated archive
    with pytest.raises(data.DataError, match="train-labels-idx1-ubyte.gz"):
        data.prepare(tmp_path / "data", quick=False, system_dir=system)
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    assert not list(raw.glob("*.part"))


def test_truncated_local_file_names_the_file_and_is_kept(tmp_path, sample_hashes):
    system = make_system_dir(tmp_path)
    data.prepare(tmp_path / "data", quick=False, system_dir=system)
    victim = tmp_path / "data" / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte"
    victim.write_bytes(victim.read_bytes()[:5000])
    with pytest.raises(data.DataError) as err:
        data.prepare(tmp_path / "data", quick=False, system_dir=system)
    message = str(err.value)
    assert str(victim) in message and "truncated or corrupt" in message and "make data" in message
    assert victim.stat().st_size == 5000, "the user's file must never be replaced or deleted"


def test_cli_exits_nonzero_with_message_on_corrupt_file(tmp_path, sample_hashes, monkeypatch, capsys):
    system = make_system_dir(tmp_path)
    monkeypatch.setattr(sources, "SYSTEM_DIR", system)
    monkeypatch.setenv("COURSE_QUICK", "0")
    root = tmp_path / "data"
    assert data.main(["--root", str(root)]) == 0
    assert capsys.readouterr().out.startswith("source=system root=")
    (root / "FashionMNIST" / "raw" / "train-labels-idx1-ubyte").write_bytes(b"junk")
    assert data.main(["--root", str(root)]) == 1
    assert "train-labels-idx1-ubyte" in capsys.readouterr().err


def test_partial_folder_is_completed_from_system(tmp_path, sample_hashes):
    system = make_system_dir(tmp_path)
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    with gzip.open(system / "train-labels-idx1-ubyte.gz") as fh:
        (raw / "train-labels-idx1-ubyte").write_bytes(fh.read())
    assert data.prepare(tmp_path / "data", quick=False, system_dir=system).source == "system"


def test_partial_folder_without_any_source_is_an_error(tmp_path, sample_hashes):
    system = make_system_dir(tmp_path)
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    with gzip.open(system / "train-labels-idx1-ubyte.gz") as fh:
        (raw / "train-labels-idx1-ubyte").write_bytes(fh.read())
    with pytest.raises(data.DataError, match="only part"):
        data.prepare(tmp_path / "data", quick=False, system_dir=tmp_path / "nowhere")


def test_torchvision_source_only_when_asked(tmp_path, sample_hashes, monkeypatch):
    calls = []

    def fake_download(root):  # stands in for the network: lays the files as torchvision does
        calls.append(root)
        raw = Path(root) / "FashionMNIST" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        for gz in SAMPLE_GZ.glob("*.gz"):
            with gzip.open(gz) as fh:
                (raw / gz.name[:-3]).write_bytes(fh.read())

    monkeypatch.setattr(sources, "_download", fake_download)
    assert data.prepare(tmp_path / "a", quick=False, system_dir=tmp_path / "nowhere").source == "sample"
    assert calls == []
    info = data.prepare(tmp_path / "b", quick=False, download=True, system_dir=tmp_path / "nowhere")
    assert info.source == "torchvision" and len(calls) == 1


def test_download_failure_explains_the_offline_options(tmp_path, monkeypatch):
    import torchvision

    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", refuse)
    with pytest.raises(data.DataError, match="dataset-fashion-mnist"):
        sources._download(tmp_path)


@pytest.mark.skipif(not (data.SYSTEM_DIR / "train-images-idx3-ubyte.gz").is_file(),
                    reason="the system package dataset-fashion-mnist is not installed")
def test_real_system_package_matches_published_hashes(tmp_path):
    info = data.prepare(tmp_path, quick=False)
    assert (info.source, info.train, info.test) == ("system", 60000, 10000)


def test_quick_mode_switch_chooses_the_sample(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert data.prepare(tmp_path).source == "sample"


def test_fast_path_equals_torchvision_transform(tmp_path):
    info = data.prepare(tmp_path, quick=True)
    X, y = data.load_tensors(False, info)
    assert X.shape == (1000, 1, 32, 32) and X.dtype == torch.float32 and y.dtype == torch.int64
    ds = data.dataset(False, transform=data.lenet_transform(), info=info)
    for i in (0, 1, 500, 999):
        image, label = ds[i]
        assert torch.equal(X[i], image) and int(y[i]) == label


def test_batch_loader_behaves_like_a_dataloader(tmp_path):
    info = data.prepare(tmp_path, quick=True)
    train, test = data.get_loaders(batch_size=64, info=info)
    assert len(train) == 94 and len(train.dataset) == 6000 and train.batch_size == 64
    batches = list(train)
    assert [len(b[0]) for b in batches][-1] == 6000 - 93 * 64
    seen = torch.cat([b[1] for b in batches])
    assert torch.equal(torch.bincount(seen), torch.bincount(train.y))  # a permutation
    torch.manual_seed(1)
    first = next(iter(train))[1]
    torch.manual_seed(1)
    assert torch.equal(first, next(iter(train))[1]), "shuffling must follow the global seed"
    assert not torch.equal(first, next(iter(train))[1]), "each epoch draws a new order"
    X, y = next(iter(test))
    assert torch.equal(y, test.y[: len(y)]), "the test loader keeps the order"


def test_a_batch_changed_in_place_leaves_the_data_alone(tmp_path):
    info = data.prepare(tmp_path, quick=True)
    _, test = data.get_loaders(info=info)
    X, _ = next(iter(test))  # unshuffled batches are views of the loader's tensor
    before = data.load_tensors(False, info)[0][: len(X)].clone()
    X.mul_(0)
    assert torch.equal(data.load_tensors(False, info)[0][: len(X)], before)
    assert torch.equal(next(iter(data.get_loaders(info=info)[1]))[0], before)


def test_batch_loader_with_its_own_generator_leaves_the_global_one(tmp_path):
    info = data.prepare(tmp_path, quick=True)
    X, y = data.load_tensors(False, info)
    orders = []
    for _ in range(2):
        loader = data.BatchLoader(X, y, 100, shuffle=True, generator=torch.Generator().manual_seed(3))
        state = torch.get_rng_state()
        orders.append(torch.cat([b[1] for b in loader]))
        assert torch.equal(state, torch.get_rng_state())
    assert torch.equal(orders[0], orders[1]) and not torch.equal(orders[0], y)


def test_pad32_and_expect_batch_messages():
    assert data.pad32(torch.zeros(3, 28, 28)).shape == (3, 32, 32)
    with pytest.raises(ValueError, match="28x28"):
        data.pad32(torch.zeros(32, 32))
    data.expect_batch(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"unsqueeze\(0\).*pad32"):
        data.expect_batch(torch.zeros(1, 28, 28))
    with pytest.raises(ValueError, match="float"):
        data.expect_batch(torch.zeros(2, 1, 32, 32, dtype=torch.uint8))


def test_batch_loader_rejects_mismatched_tensors():
    with pytest.raises(ValueError, match="must match"):
        data.BatchLoader(torch.zeros(3, 1, 32, 32), torch.zeros(2))


def test_display_path_hides_the_machine_but_keeps_far_paths(tmp_path, monkeypatch):
    """Stored outputs show ``../data`` from ``notebooks/``, not this machine's absolute path."""
    (tmp_path / "repo" / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo" / "notebooks")
    assert data.display_path(tmp_path / "repo" / "data") == str(Path("..") / "data")
    assert data.display_path(tmp_path / "repo" / "notebooks" / "x") == "x"
    far = Path("/usr/share/datasets/fashion-mnist")
    assert data.display_path(far) == str(far)
    info = data.DataInfo("local", tmp_path / "repo" / "data", 60000, 10000)
    assert str(info) == f"source=local root={Path('..') / 'data'} train=60000 test=10000"


def test_cli_says_when_only_the_sample_is_there(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    monkeypatch.setattr(sources, "SYSTEM_DIR", tmp_path / "no-system-package")
    assert data.main(["--root", str(tmp_path / "data")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("source=sample ") and "make data" in err
    assert data.main(["--root", str(tmp_path / "data"), "--quick"]) == 0
    assert capsys.readouterr().err == ""  # asked for: nothing to say


def test_a_folder_that_cannot_be_written_is_said_as_such(tmp_path, monkeypatch):
    """On a shared machine the data folder may be read-only: say so, with the fix, not 'corrupt'."""
    real_open = open

    def refuse(path, mode="r", *args, **kwargs):
        if "w" in mode and str(path).endswith(".part"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(data.DataError) as info:
        data.prepare(tmp_path / "data", quick=True)
    message = str(info.value)
    assert "cannot write the data into" in message and "Permission denied" in message
    assert "COURSE_DATA" in message and "corrupt" not in message


def test_the_package_keeps_every_public_name():
    """`course_utils.data` is a package of small modules; what notebooks and modules import stays here."""
    public = """CLASSES FULL_SHA256 FULL_TEST FULL_TRAIN MEAN STD SAMPLE_NOTE SYSTEM_DIR BatchLoader DataError
        DataInfo data_root dataset display_path expect_batch get_loaders lenet_transform load_tensors pad32
        prepare main""".split()
    missing = [name for name in public if name not in data.__all__ or not hasattr(data, name)]
    assert missing == [], f"course_utils.data no longer offers {missing}"
    assert data.SAMPLE_DIR.parent.name == "course_utils", "the sample stays in course_utils/sample (package data)"
