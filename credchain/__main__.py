"""``python -m credchain``."""

from credchain._cli import main

raise SystemExit(main())
