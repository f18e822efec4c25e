"""The README's walk-through, typed as a new user would, twice in a row.

Every line of the ``bash`` block under "Using it" runs as written, in order, with only
``--dir`` for the devnet added (never the real home's) and ``~/.memo/devnet`` read as
that directory. ``memo devnet up`` must print the User's key file there and the
``memo devnet configure`` line that points the CLI at it. The second time, ``memo devnet up`` on the same directory
is refused (exit 2, naming ``--reset``), as the README says, and ``--reset`` starts over.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from memo_py.cli import main
from memo_py.devnet import network

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> list[list[str]]:
    text = README.read_text()
    block = text.split("## Using it", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line.split(" #", 1)[0].strip() for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line]


def run(home: Path, args: list[str]):
    env = {"MEMO_PASSWORD": "walkthrough", "COLUMNS": "400"}
    for name in ("MEMO_RPC_URL", "MEMO_DEPLOYMENT", "MEMO_WALLET", "MEMO_KEEPERS", "MEMO_HOME", "MEMO_SECRET_FILE",
                 "MEMO_DEVNET_DIR", "MEMO_PASSWORD_FILE"):
        env[name] = None
    takes_home = args[0] != "devnet" or args[1] == "configure"  # a devnet keeps all it needs in --dir
    home_option = ["--home", str(home)] if takes_home else []
    return CliRunner(mix_stderr=False).invoke(main, [*args, *home_option], env=env)


def fill(args: list[str], devnet_dir: Path) -> list[str]:
    """The command as the reader types it, with the devnet in ``devnet_dir``."""
    assert not any("…" in a for a in args), args
    args = [a.replace("~/.memo/devnet", str(devnet_dir)) for a in args]
    return [*args, "--dir", str(devnet_dir)] if args[:2] == ["memo", "devnet"] else args


def check_printed(stdout: str, devnet_dir: Path) -> None:
    """``up`` names the User's key file and the command that points the CLI at the devnet."""
    assert re.search(rf"user-1 .* key file {re.escape(str(devnet_dir / 'keys' / 'user-1.key'))}", stdout), stdout
    assert f"memo devnet configure --dir {devnet_dir}" in stdout, stdout


def walk(tmp: Path, home: Path, devnet_dir: Path, *, again: bool) -> None:
    for args in walkthrough():
        assert args[0] == "memo"
        command = fill(args, devnet_dir)
        if again and command[1:3] == ["devnet", "up"]:
            refused = run(home, command[1:])
            assert refused.exit_code == 2, (refused.stdout, refused.stderr)
            assert refused.stderr.startswith("error: ") and "--reset" in refused.stderr
            command = [*command, "--reset"]
        result = run(home, command[1:])
        assert result.exit_code == 0, (command, result.stdout, result.stderr, result.exception)
        if command[1:3] == ["devnet", "up"]:
            check_printed(result.stdout, devnet_dir)
    assert (tmp / "out.jpg").read_bytes() == (tmp / "cat.jpg").read_bytes()


def test_the_readme_walkthrough_runs_twice_in_a_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cat.jpg").write_bytes(b"\xff\xd8 a cat " * 5000)
    home, devnet_dir = tmp_path / "home", tmp_path / "devnet"
    try:
        walk(tmp_path, home, devnet_dir, again=False)
        (tmp_path / "out.jpg").unlink()
        walk(tmp_path, home, devnet_dir, again=True)
    finally:
        if (devnet_dir / "processes.json").exists():
            network.down(devnet_dir)
