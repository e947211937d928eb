import pandas as pd

from evalkit.cli import main


def test_example_writes_the_effects_table(tmp_path, capsys):
    assert main(["example", "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "effects.csv")
    assert len(table) == 7
    assert set(table["outcome"]) == {"re78", "employed78"}
    assert table["p_value"].between(0, 1).all()
    out = capsys.readouterr().out
    assert "185 treated, 260 controls" in out and "Lin (2013)" in out
