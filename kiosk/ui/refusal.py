"""What the GUI shows when it cannot open the booth's ledger because a newer kiosk wrote it (kiosk/schema.py).

The message is in Chinese and English at once: it may be read by whoever set the booth up, in either
language, before the kiosk's own language could be chosen. Closing it ends the kiosk with the refusal's
exit code (6), which the Linux unit does not restart and docs/deployment.md explains.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

TITLE = "无法打开本机数据 / Cannot open this booth's data"
CLOSE = "关闭 / Close"


def show_refusal(parent: QWidget, text: str, *, on_closed: Callable[[], None]) -> QMessageBox:
    """Open the message over ``parent`` (not blocking: the event loop goes on) and call ``on_closed`` once it is closed."""
    box = QMessageBox(QMessageBox.Icon.Critical, TITLE, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("refusal")
    box.setTextFormat(Qt.TextFormat.PlainText)
    close = box.addButton(CLOSE, QMessageBox.ButtonRole.AcceptRole)
    close.setAccessibleName(CLOSE)
    close.setMinimumSize(160, 64)  # a finger, not a mouse
    box.setAccessibleName(TITLE)
    box.setStyleSheet("QLabel#qt_msgbox_label { font-size: 22px; min-width: 640px; } QPushButton { font-size: 22px; }")
    box.finished.connect(lambda _result: on_closed())
    box.open()
    return box
