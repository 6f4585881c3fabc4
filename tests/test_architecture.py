"""The import contracts of pyproject.toml ([tool.importlinter]), checked by `lint-imports` itself: the
core imports no front door, the domain nothing outer, and a door no core internal."""
from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}


def lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_the_three_layer_contracts_are_configured() -> None:
    assert list(CONTRACTS) == ["core-knows-no-door", "domain-is-pure", "doors-use-the-facade"]


@pytest.mark.parametrize("contract_id", list(CONTRACTS))
def test_contract_is_kept(contract_id: str) -> None:
    run = lint_imports("--contract", contract_id)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{CONTRACTS[contract_id]['name']} KEPT" in run.stdout


def test_a_door_importing_an_internal_breaks_its_contract(tmp_path: Path) -> None:
    """The doors' contract is not vacuous: every door imports the facade `bot.engine`, so forbidding
    that too must break it."""
    doors = dict(CONTRACTS["doors-use-the-facade"], forbidden_modules=[
        *CONTRACTS["doors-use-the-facade"]["forbidden_modules"], "bot.engine"])
    config = tmp_path / "probe.toml"
    # JSON's strings and lists are TOML's too.
    config.write_text("[tool.importlinter]\n"
                      f"root_packages = {json.dumps(CONFIG['root_packages'])}\n"
                      "include_external_packages = true\n\n[[tool.importlinter.contracts]]\n"
                      + "".join(f"{key} = {json.dumps(value)}\n" for key, value in doors.items()))
    run = lint_imports("--config", str(config))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "adapters.console is not allowed to import bot.engine" in run.stdout
