"""Entry point of the frozen bundle: the same ``caseapp`` command as the wheel's script."""

from caseapp.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
