"""The built-in exporters, each a plugin module: `ical`, `json` and `markdown`.

`timeline.exporters.base` holds the `Exporter` protocol every plugin's exporter follows.
"""
