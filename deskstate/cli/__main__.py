"""``python -m deskstate.cli``: the ``deskstate`` command."""

import sys

from deskstate.cli import main

sys.exit(main())
