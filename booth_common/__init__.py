"""What the booth (kiosk/, sync/) and the city server (sync/server/) have in common: record format and hash,
sealing, tokens, validation rules, the wire protocol, the offline-bundle format, what a setting is and the
migration mechanism of both databases.

It imports neither side, so the server installs and runs without the kiosk (tests/test_architecture.py).
"""
