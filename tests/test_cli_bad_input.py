"""Bad input through the real CLI and API: each ends with exit code 2 and a message naming the problem."""

import pytest
from cli_helpers import invoke, toy_registry

from anyclr.core.registry import get_registry


@pytest.fixture
def registry(tmp_path):
    return toy_registry(tmp_path)


def run_train(tmp_path, *args):
    return invoke("train", *args, "--run-dir", str(tmp_path / "run"), "--quiet")


def assert_user_error(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.stderr.startswith("Error: ")
    text = " ".join(result.stderr.split())  # rich wraps long messages at spaces
    for fragment in fragments:
        assert fragment in text, (fragment, result.stderr)
    assert "Traceback" not in result.stderr


def test_unknown_recipe_suggests_the_closest(registry, tmp_path):
    assert_user_error(run_train(tmp_path, "toy-simclrr"), "Unknown recipe 'toy-simclrr'", "Did you mean: 'toy-simclr'")


def test_unknown_builtin_recipe_suggests_image_simclr(tmp_path):
    if not get_registry().has("recipe", "image-simclr"):
        pytest.skip("the image plug-in's recipes are not installed")
    assert_user_error(run_train(tmp_path, "image-simclrr"), "Unknown recipe 'image-simclrr'", "'image-simclr'")


def test_unknown_component_in_set(registry, tmp_path):
    result = run_train(tmp_path, "toy-simclr", "--set", "objective.name=ntxnet")
    assert_user_error(result, "Unknown objective 'ntxnet'", "'ntxent'")
    result = run_train(tmp_path, "toy-simclr", "--set", "encoder.head=mpl")
    assert_user_error(result, "Unknown head 'mpl'", "'mlp'")


def test_unknown_config_keys(registry, tmp_path):
    assert_user_error(run_train(tmp_path, "toy-simclr", "--set", "trainer.epoch=2"), "trainer", "trainer.epoch", "trainer.epochs")
    assert_user_error(run_train(tmp_path, "toy-simclr", "--set", "trainer.epochs"), "no '='", "section.key=value")
    assert_user_error(run_train(tmp_path, "toy-simclr", "--set", "trainr.epochs=2"), "Unknown recipe section 'trainr'", "'trainer'")
    # Component keys are checked against the factory's parameters, head_* keys included.
    assert_user_error(run_train(tmp_path, "toy-simclr", "--set", "views.sigmaa=0.2"), "views.sigmaa", "views.sigma")
    assert_user_error(run_train(tmp_path, "toy-simclr", "--set", "encoder.head_out_dims=4"), "encoder.head_out_dims", "encoder.head_out_dim")


def test_missing_recipe_file(registry, tmp_path):
    assert_user_error(run_train(tmp_path, str(tmp_path / "nope.toml")), "nope.toml does not exist")


def test_missing_dataset_path(registry, tmp_path):
    if not registry.has("dataset", "image-folder"):
        pytest.skip("the image plug-in is not installed")
    missing = tmp_path / "no-such-folder"
    result = run_train(tmp_path, "toy-simclr", "--set", "data.name=image-folder", "--set", f"data.path={str(missing)!r}")
    assert_user_error(result, str(missing))


def test_unknown_evaluation_protocol(registry, tmp_path):
    assert_user_error(run_train(tmp_path, "toy-simclr", "--set", 'eval.protocols=["knnn"]'), "Unknown evaluator 'knnn'", "'knn'")


def test_bad_trainer_values_are_user_errors_before_training(registry, tmp_path):
    for value, message in [
        ("trainer.epochs=abc", "trainer.epochs must be a whole number ≥ 1, got 'abc'"),
        ("trainer.epochs=-3", "trainer.epochs must be a whole number ≥ 1, got -3"),
        ("trainer.lr=-1", "trainer.lr must be a number > 0, got -1"),
        ("eval.knn_k=0", "eval.knn_k must be a whole number ≥ 1, got 0"),
        ("eval.knn_kk=3", "eval.knn_kk"),
        ("objective.temperature=0", "objective.temperature must be a positive number, got 0"),
    ]:
        result = run_train(tmp_path, "toy-simclr", "--set", value)
        assert_user_error(result, message)
        assert "looks like a bug" not in result.stderr
        assert not (tmp_path / "run").exists(), value


def test_a_tiny_temperature_warns_before_training(registry, tmp_path):
    with pytest.warns(UserWarning, match=r"objective.temperature = 1e-09 is tiny: .* logits reach 1e\+09"):
        result = run_train(tmp_path, "toy-simclr", "--set", "objective.temperature=1e-9", "--set", "trainer.epochs=1")
    assert result.exit_code in (0, 2), result.output  # the warning is the point; training may also stop on NaN


def test_the_cli_prints_anyclr_warnings_as_one_line(capsys):
    from anyclr.cli_errors import show_warning

    show_warning(UserWarning("objective.temperature = 1e-09 is tiny"), UserWarning, "/x/checks.py", 12)
    err = capsys.readouterr().err
    assert err == "Warning: objective.temperature = 1e-09 is tiny\n"


def test_run_dir_that_holds_a_run_needs_overwrite_or_resume(registry, tmp_path):
    assert run_train(tmp_path, "toy-simclr").exit_code == 0
    result = run_train(tmp_path, "toy-simclr")
    assert_user_error(result, f"Run folder {tmp_path / 'run'} already holds a run.", f"--resume {tmp_path / 'run'}", "--overwrite")
    assert not (tmp_path / "run-2").exists()
    result = run_train(tmp_path, "toy-simclr", "--overwrite", "--set", "trainer.seed=3")
    assert result.exit_code == 0, result.output
    assert "seed = 3" in (tmp_path / "run" / "config.toml").read_text()


def test_resume_with_an_ignored_recipe_or_run_dir(registry, tmp_path):
    assert run_train(tmp_path, "toy-simclr").exit_code == 0
    run = str(tmp_path / "run")
    result = invoke("train", "image-simclr", "--resume", run, "--set", "trainer.epochs=2", "--quiet")
    assert_user_error(result, f"--resume {run} continues that run's own recipe (toy-simclr)", "the recipe 'image-simclr' would")
    result = invoke("train", "--resume", run, "--run-dir", str(tmp_path / "other"), "--quiet")
    assert_user_error(result, f"--run-dir {tmp_path / 'other'} would be ignored")


def test_embed_to_a_folder_or_with_data_the_dataset_cannot_read(registry, tmp_path):
    assert run_train(tmp_path, "toy-simclr").exit_code == 0
    run = str(tmp_path / "run")
    assert_user_error(invoke("embed", run, "--out", str(tmp_path)), f"Cannot write embeddings to {tmp_path}: it is a folder", "embeddings.npy")
    result = invoke("embed", run, "--out", str(tmp_path / "z.npy"), "--data", "other.csv")
    assert_user_error(result, "--data cannot be used", "dataset 'toy-blobs' reads no files", "data.n, data.seed")
    assert not (tmp_path / "z.npy").exists()
