"""Shared pytest configuration: a hypothesis profile without deadlines (shared machines are noisy)."""

import os
import tempfile

from hypothesis import settings

# Render caches of export_to_path (timeline.render_cache) go to a folder of this run, not the user's cache.
os.environ.setdefault("TIMELINE_CACHE_DIR", tempfile.mkdtemp(prefix="timeline-test-render-cache-"))

settings.register_profile("ci", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
