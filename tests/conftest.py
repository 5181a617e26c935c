"""Hypothesis settings profiles, chosen by ``HYPOTHESIS_PROFILE`` (default: ``ci`` under CI).

- ``ci``: reproducible runs (derandomized, no example database), failures printed with a blob to
  reproduce them;
- ``dev``: the default on a workstation, with the example database replaying past failures;
- ``deep``: many more examples, for a long hunt before a release.
"""

import os

from hypothesis import settings

settings.register_profile(
    "ci", derandomize=True, max_examples=100, deadline=None, database=None, print_blob=True
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("deep", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
