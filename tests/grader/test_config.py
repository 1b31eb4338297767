"""GraderConfig: typed settings; the hidden seed comes from the environment, never from a file."""
import dataclasses

import pytest

from nndl.grader.config import DEFAULT_HIDDEN_SEED, GraderConfig, Limits


def test_defaults(monkeypatch):
    """Without environment variables, are the defaults used?"""
    monkeypatch.delenv("NNDL_HIDDEN_SEED", raising=False)
    monkeypatch.delenv("NNDL_SANDBOX", raising=False)
    assert GraderConfig.from_env() == GraderConfig() == \
        GraderConfig(hidden_seed=DEFAULT_HIDDEN_SEED, limits=Limits(), sandbox="auto")


def test_environment_and_overrides(monkeypatch):
    """Do NNDL_HIDDEN_SEED and NNDL_SANDBOX set the config, and explicit overrides win?"""
    monkeypatch.setenv("NNDL_HIDDEN_SEED", "42")
    monkeypatch.setenv("NNDL_SANDBOX", "none")
    assert (GraderConfig.from_env().hidden_seed, GraderConfig.from_env().sandbox) == (42, "none")
    assert GraderConfig.from_env(hidden_seed=7).hidden_seed == 7


def test_config_is_frozen():
    """Is a config immutable once made?"""
    with pytest.raises(dataclasses.FrozenInstanceError):
        GraderConfig().hidden_seed = 1
