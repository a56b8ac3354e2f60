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
    for fragment in fragments:
        assert fragment in result.stderr
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
    assert_user_error(run_train(tmp_path, "toy-simclr", "--set", "trainer.epoch=2"), "trainer", "'epoch'", "trainer.epochs")
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
