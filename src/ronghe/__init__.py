"""ronghe (融合): measure and broker the integration of manufacturing and producer services."""

__version__ = "0.1.0"
