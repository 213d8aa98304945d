"""gspace: desktop GIS for disaster-information collection."""

__version__ = "0.1.0"
