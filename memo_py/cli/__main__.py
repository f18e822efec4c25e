"""``python -m memo_py.cli``."""

from memo_py.cli import main

if __name__ == "__main__":
    main(prog_name="memo")
