"""Shared pytest configuration: a hypothesis profile without deadlines (shared machines are noisy)."""

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
