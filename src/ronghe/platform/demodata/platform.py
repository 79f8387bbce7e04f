"""The synthetic set ``ronghe demo`` shows beside the curated organizations (after the catalog)."""

from ronghe.platform.core.registry import PlatformApp

app = PlatformApp(label="demodata", demo_loader="ronghe.platform.demodata:load_demo", demo_order=50)
