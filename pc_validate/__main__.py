"""`python -m pc_validate ...`: the same command as the `pc-validate` console script."""

from pc_validate.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
