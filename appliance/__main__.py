"""Run the CLI with ``python -m appliance``."""

from appliance.cli import main

raise SystemExit(main())
