"""`dossier eval --only realnews`: the part is known to the command and skipped cleanly without ../shared."""

import json

from typer.testing import CliRunner

from dossier.cli.app import app


def test_eval_skips_real_news_with_a_reason_when_the_shared_corpora_are_absent(tmp_path):
    out = tmp_path / "results.json"
    result = CliRunner().invoke(app, ["eval", "--only", "realnews", "--shared", str(tmp_path / "none"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text())
    assert "realnews" not in results and "is absent" in results["skipped"]["realnews"]
    assert "skipped realnews" in " ".join(result.output.split())


def test_eval_refuses_an_unknown_part():
    result = CliRunner().invoke(app, ["eval", "--only", "realnewz"])
    assert result.exit_code == 2  # a usage error (README: exit codes)
    assert "realnewz" in result.output
