"""The README's walk-through, typed as a new user would, twice in a row.

Every line of the ``bash`` block under "Using it" runs as written, in order, with only
what the reader fills in: ``--dir`` for the devnet (never the real home's), and the
``…`` values taken from what ``memo devnet up`` printed (the ``memo config set`` lines
and the User's key file). The second time, ``memo devnet up`` on the same directory
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
    home_option = [] if args[0] == "devnet" else ["--home", str(home)]  # a devnet keeps all it needs in --dir
    return CliRunner(mix_stderr=False).invoke(main, [*args, *home_option], env=env)


def fill(args: list[str], printed: dict[str, str], devnet_dir: Path) -> list[str]:
    """The command as the reader types it: the devnet's --dir, the printed values for ``…``."""
    if args[:2] == ["memo", "config"] and args[2] == "set" and "…" in args[4]:
        return ["memo", "config", "set", args[3], printed[args[3]]]
    if "--key-file" in args:
        i = args.index("--key-file") + 1
        return [*args[:i], printed["key_file"], *args[i + 1 :]]
    if args[:2] == ["memo", "devnet"]:
        return [*args, "--dir", str(devnet_dir)]
    assert not any("…" in a for a in args), args
    return args


def read_printed(stdout: str) -> dict[str, str]:
    printed = dict(re.findall(r"memo config set (rpc_url|deployment|keepers) (\S+)", stdout))
    printed["key_file"] = re.search(r"user-1 .* key file (\S+)", stdout).group(1)
    assert set(printed) == {"rpc_url", "deployment", "keepers", "key_file"}, stdout
    return printed


def walk(tmp: Path, home: Path, devnet_dir: Path, *, again: bool) -> None:
    printed: dict[str, str] = {}
    for args in walkthrough():
        assert args[0] == "memo"
        command = fill(args, printed, devnet_dir)
        if again and command[1:3] == ["devnet", "up"]:
            refused = run(home, command[1:])
            assert refused.exit_code == 2, (refused.stdout, refused.stderr)
            assert refused.stderr.startswith("error: ") and "--reset" in refused.stderr
            command = [*command, "--reset"]
        result = run(home, command[1:])
        assert result.exit_code == 0, (command, result.stdout, result.stderr, result.exception)
        if command[1:3] == ["devnet", "up"]:
            printed = read_printed(result.stdout)
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
