"""The exporter tests run with the built-in plugins only; `site` installs fake plugin distributions."""

from tests.exporters.fake_plugins import hermetic_plugins, site

__all__ = ["hermetic_plugins", "site"]
