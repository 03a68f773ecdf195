"""The kiosk's Qt Widgets user interface: one module per screen, routed by a thin main window."""
