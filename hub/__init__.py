"""The council-side hub: an embedded Open311 back office and the receipt status pages.

Councils without a CRM integration (and the demo) point their kiosks here. Nothing runs at
import time: `hub.app.create_app(settings)` builds everything from explicit settings.
"""
