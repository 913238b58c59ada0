"""``python -m widget`` runs the command line."""

from widget.cli import main

raise SystemExit(main())
