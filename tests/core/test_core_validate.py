"""Every [trainer] and [eval] value is type- and range-checked before anything is built, naming its key."""

from __future__ import annotations

import pytest
from conftest import FAST, make_registry

from anyclr import api
from anyclr.core import validate
from anyclr.core.config import EVAL_DEFAULTS, TRAINER_DEFAULTS, apply_overrides, loads, resolve
from anyclr.core.errors import AnyclrError

RECIPE = loads('[data]\nname = "tiny"\n[views]\nname = "tiny-noise"\n[encoder]\nname = "tiny-mlp"\n[objective]\nname = "tiny-ntxent"\n')


def resolved(*sets: str) -> dict:
    return resolve(apply_overrides(RECIPE, list(sets)))


def test_every_key_has_a_rule_and_every_default_fits_it():
    assert set(validate.TRAINER_RULES) == set(TRAINER_DEFAULTS)
    assert set(validate.EVAL_RULES) == set(EVAL_DEFAULTS)
    for section, defaults in (("trainer", TRAINER_DEFAULTS), ("eval", EVAL_DEFAULTS)):
        for key, value in defaults.items():
            assert validate.RULES[section][key].accepts(value), (section, key, value)


def test_choices_match_the_modules_that_use_them():
    from anyclr.core.device import PRECISIONS
    from anyclr.core.objective import VIEW_BATCHES
    from anyclr.core.optim import OPTIMIZERS

    assert validate.OPTIMIZERS == OPTIMIZERS
    assert validate.PRECISIONS == PRECISIONS
    assert validate.VIEW_BATCHES == VIEW_BATCHES


def test_new_trainer_and_eval_keys_have_their_defaults():
    cfg = resolved()
    assert cfg["trainer"]["max_steps"] == 0 and cfg["trainer"]["epoch_steps"] == 0
    assert cfg["trainer"]["persistent_workers"] is True and cfg["trainer"]["prefetch_factor"] == 2
    assert cfg["eval"]["max_samples"] == 20_000


@pytest.mark.parametrize(
    "override, message",
    [
        ("trainer.epochs=abc", "trainer.epochs must be a whole number ≥ 1, got 'abc'"),
        ("trainer.epochs=-3", "trainer.epochs must be a whole number ≥ 1, got -3"),
        ("trainer.epochs=0", "trainer.epochs must be a whole number ≥ 1, got 0"),
        ("trainer.epochs=2.5", "trainer.epochs must be a whole number ≥ 1, got 2.5"),
        ("trainer.batch_size=true", "trainer.batch_size must be a whole number ≥ 1, got true"),
        ("trainer.lr=-1", "trainer.lr must be a number > 0, got -1"),
        ("trainer.lr=0", "trainer.lr must be a number > 0, got 0"),
        ("trainer.lr=nan", "trainer.lr must be a number > 0, got nan"),
        ("trainer.lr='0.1'", "trainer.lr must be a number > 0, got '0.1'"),
        ("trainer.momentum=1.5", "trainer.momentum must be a number ≥ 0 and ≤ 1, got 1.5"),
        ("trainer.monitor_fraction=1", "trainer.monitor_fraction must be a number ≥ 0 and < 1, got 1"),
        ("trainer.compile=yes", "trainer.compile must be true or false, got 'yes'"),
        ("trainer.channels_last=maybe", "trainer.channels_last must be auto, true or false, got 'maybe'"),
        ("trainer.optimizer=adam", "trainer.optimizer must be one of adamw, sgd, lars, got 'adam'"),
        ("trainer.precision=fp16", "trainer.precision must be one of auto, bf16, fp32, got 'fp16'"),
        ("trainer.view_batches=seperate", "trainer.view_batches must be one of joint, separate, got 'seperate'"),
        ("trainer.device='cuda:x'", "trainer.device must be a device"),
        ("trainer.seed=-1", "trainer.seed must be a whole number ≥ 0, got -1"),
        ("trainer.max_steps=-1", "trainer.max_steps must be a whole number ≥ 0"),
        ("trainer.epoch_steps=1.0", "trainer.epoch_steps must be a whole number ≥ 0"),
        ("trainer.prefetch_factor=0", "trainer.prefetch_factor must be a whole number ≥ 1"),
        ("trainer.persistent_workers=1", "trainer.persistent_workers must be true or false, got 1"),
        ("eval.baselines=['random']", "eval.baselines must be a list of names from random_init, raw_input"),
        ("eval.protocols=[1]", "eval.protocols must be a list of names, got [1]"),
        ("eval.batch_size=0", "eval.batch_size must be a whole number ≥ 1, got 0"),
        ("eval.plots='no'", "eval.plots must be true or false, got 'no'"),
        ("eval.max_samples=-5", "eval.max_samples must be a whole number ≥ 0, got -5"),
    ],
)
def test_bad_values_name_the_key_and_what_it_must_be(override, message):
    with pytest.raises(AnyclrError) as info:
        resolved(override)
    assert message in info.value.message


def test_hints_say_how_to_fix():
    with pytest.raises(AnyclrError) as info:
        resolved("trainer.optimizer=adam")
    assert info.value.hint == "Did you mean: adamw?"
    with pytest.raises(AnyclrError) as info:
        resolved("trainer.lr='0.1'")
    assert "without quotes: --set trainer.lr=0.1" in info.value.hint
    with pytest.raises(AnyclrError) as info:
        resolved("trainer.epochs=3.0")
    assert "--set trainer.epochs=3" in info.value.hint
    with pytest.raises(AnyclrError) as info:
        resolved("trainer.epochs=abc")
    assert "the default is 20" in info.value.hint


@pytest.mark.parametrize(
    "override, key, value",
    [
        ("trainer.lr=1", "lr", 1),
        ("trainer.channels_last=true", "channels_last", True),
        ("trainer.channels_last='auto'", "channels_last", "auto"),
        ("trainer.device='cuda:1'", "device", "cuda:1"),
        ("trainer.view_batches=separate", "view_batches", "separate"),  # an unquoted word is a string
        ("trainer.warmup_epochs=0.5", "warmup_epochs", 0.5),
    ],
)
def test_good_values_pass(override, key, value):
    assert resolved(override)["trainer"][key] == value


@pytest.mark.parametrize("override", ["trainer.epochs=abc", "trainer.lr=-1", "trainer.epochs=-3", "eval.knn_kk=3", "eval.knnn_k=3"])
def test_bad_values_fail_before_a_run_folder_exists(tmp_path, override):
    with pytest.raises(AnyclrError):
        api.train("tiny", [*FAST, override], run_dir=tmp_path / "run", registry=make_registry(), progress=False)
    assert not (tmp_path / "run").exists()


def test_eval_keys_must_belong_to_an_evaluator_before_training(tmp_path):
    def fails(override: str) -> AnyclrError:
        with pytest.raises(AnyclrError) as info:
            api.train("tiny", ["trainer.epochs=1", "eval.plots=false", override], run_dir=tmp_path / "r", registry=make_registry(), progress=False)
        assert not (tmp_path / "r").exists()
        return info.value

    error = fails("eval.knn_kk=3")
    assert "eval.knn_kk" in error.message and error.hint == "Did you mean: eval.knn_k?"
    error = fails("eval.knnn_k=3")
    assert "Unknown key eval.knnn_k" in error.message and "eval.knn_k" in error.hint
    error = fails("eval.maxsamples=10")
    assert "eval.max_samples" in error.hint
    # The parameters of an evaluator the recipe does not run are checked too.
    error = fails("eval.feature_std_k=3")
    assert "Unknown key eval.feature_std_k for evaluator 'feature_std'" in error.message


def test_show_checks_values_too(tmp_path):
    from cli_helpers import invoke

    recipe = tmp_path / "r.toml"
    recipe.write_text('[data]\nname = "x"\n[views]\nname = "x"\n[encoder]\nname = "x"\n[objective]\nname = "x"\n')
    result = invoke("show", str(recipe), "--set", "trainer.epochs=abc")
    assert result.exit_code == 2 and "trainer.epochs must be a whole number ≥ 1, got 'abc'" in result.stderr
