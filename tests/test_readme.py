"""The README's commands are the ones CI and users run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_ci_runs_the_readme_test_command():
    install_and_run, test = readme_commands()[:2]
    assert "pytest" in test and "evalkit reproduce" in install_and_run
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci_lines


def test_readme_example_runs_and_its_numbers_hold(capsys):
    example = re.search(r"```python\n(.+?)\n```", (ROOT / "README.md").read_text(), re.S)
    namespace: dict = {}
    exec(example.group(1), namespace)
    lin = namespace["lin"]
    assert round(lin.estimate, 2) == 1621.58 and round(lin.std_error, 2) == 694.72
    assert [round(v, 1) for v in lin.conf_int] == [256.1, 2987.1]
    assert "Neyman" in capsys.readouterr().out
