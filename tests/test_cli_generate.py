"""`deskstate generate`: realistic synthetic logs that the other commands read back."""

from __future__ import annotations

import gzip
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import deskstate

from deskstate import ANOMALY_KINDS


def generated(tmp_path: Path, *options: str, name: str = "generated.jsonl") -> Path:
    out = tmp_path / name
    result = deskstate("generate", *options, "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_the_same_options_write_the_same_log() -> None:
    """Output is determined by the options: same seed, same bytes; another seed, another log."""
    first = deskstate("generate", "--events", "300", "--seed", "7")
    again = deskstate("generate", "--events", "300", "--seed", "7")
    other = deskstate("generate", "--events", "300", "--seed", "8")
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout != other.stdout
    assert len(first.stdout.splitlines()) == 300


def test_a_generated_log_is_protocol_valid(tmp_path: Path) -> None:
    """Without --chaos, check finds nothing and a strict replay of every desk goes through."""
    log = str(generated(tmp_path, "--events", "3000", "--desks", "3", "--open", "4", "--seed", "1"))
    checked = deskstate("check", log, "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout) == {"log": log, "records": 3000, "anomalies": {}}
    strict = deskstate("replay", log, "--strict")
    assert strict.returncode == 0, strict.stderr
    stats = json.loads(deskstate("stats", log, "--json").stdout)
    assert sorted(stats["desks"]) == ["agent-001", "agent-002", "agent-003"]
    assert max(desk["most_open"] for desk in stats["desks"].values()) <= 4


def test_each_desk_of_a_generated_log_replays_as_if_alone(tmp_path: Path) -> None:
    """`replay --desk K` of the interleaved log equals the replay of K's records alone."""
    log = generated(tmp_path, "--events", "1500", "--desks", "2", "--seed", "5")
    lines = log.read_text(encoding="utf-8").splitlines()
    for desk in ("agent-001", "agent-002"):
        alone = tmp_path / f"{desk}.jsonl"
        alone.write_text(
            "".join(line + "\n" for line in lines if json.loads(line)["desk"] == desk),
            encoding="utf-8",
        )
        together = deskstate("replay", str(log), "--desk", desk, "--json")
        separate = deskstate("replay", str(alone), "--json")
        assert together.returncode == separate.returncode == 0
        assert json.loads(together.stdout) == json.loads(separate.stdout)


def test_chaos_brings_every_kind_of_anomaly(tmp_path: Path) -> None:
    """With --chaos, check finds every anomaly kind of the SPEC, and exits 1."""
    log = generated(tmp_path, "--events", "2000", "--chaos", "0.05", "--desks", "2")
    checked = deskstate("check", str(log), "--json")
    assert checked.returncode == 1
    assert sorted(json.loads(checked.stdout)["anomalies"]) == sorted(ANOMALY_KINDS)


def test_out_ending_in_gz_writes_gzip(tmp_path: Path) -> None:
    """`--out FILE.gz` compresses; the log reads back the same as the plain one."""
    plain = generated(tmp_path, "--events", "200", "--seed", "3")
    packed = generated(tmp_path, "--events", "200", "--seed", "3", name="generated.jsonl.gz")
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()


@pytest.mark.parametrize(
    "options",
    [
        ["--events", "-5"],
        ["--events", "10", "--chaos", "1.5"],
        ["--events", "10", "--open", "0"],
        ["--events", "10", "--desks", "zero"],
        [],
    ],
)
def test_bad_options_exit_2(options: list[str]) -> None:
    """Out-of-range or missing options are refused with status 2 and a message."""
    result = deskstate("generate", *options)
    assert result.returncode == 2
    assert result.stderr.strip()


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    """`deskstate generate ... | head -1` ends quietly when head stops reading."""
    script = shlex.quote(str(Path(sys.executable).with_name("deskstate")))
    result = subprocess.run(
        f"{script} generate --events 200000 | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert json.loads(result.stdout)["data"]["event"].startswith("com.iadvize.desk.")
