"""Camera scanning at a desk: a live preview, our codes read off the GUI thread, a flash and a beep on success.

For booths without a USB scanner: every tablet has a camera. Frames come from Qt Multimedia (``QCamera`` into a
``QVideoSink``); each frame is shown (mirrored, as a front camera is expected to look) and, when no decode is
running, handed to ``kiosk.code_reading.read_code`` (zxing-cpp) on a pool thread through ``run_in_background``
— frames that arrive meanwhile are shown but not decoded, so a slow tablet never queues up work. A code read is
emitted as ``scanned`` and goes the same way as a USB scanner's (``StationScreen`` connects both to one path).
The same code seen again within ``repeat_after_ms`` is the same person still holding it up, not a new entry.
With no camera (or one that fails) the widget says so plainly and the desk keeps its scan field.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap, QTransform
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.code_reading import GreyFrame, read_code, shrunk_size
from kiosk.ui.background import run_in_background
from kiosk.ui.widgets import big_button

PREVIEW = QSize(320, 180)
FLASH_MS = 400


def grey_frame(image: QImage) -> GreyFrame:
    """A camera image as shrunk 8-bit grey pixels (runs on the worker thread: QImage is reentrant)."""
    width, height = shrunk_size(image.width(), image.height())
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    if (width, height) != (image.width(), image.height()):
        grey = grey.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)
    stride = grey.bytesPerLine()
    return GreyFrame(bytes(grey.constBits())[: stride * grey.height()], grey.width(), grey.height(), stride)


class CameraScanner(QWidget):
    """The camera's preview and state; ``start()`` opens the camera, ``stop()`` closes it."""

    scanned = Signal(str)

    def __init__(self, *, devices: list | None = None, repeat_after_ms: int = 3000,
                 decoder: Callable[[GreyFrame], str | None] = read_code, parent: QWidget | None = None):
        super().__init__(parent)
        self.decoder = decoder
        self._devices = devices
        self._repeat_s = repeat_after_ms / 1000
        self._last: tuple[str, float] = ("", 0.0)
        self.busy = False
        self._state = ("hint", "")  # what the status line says (again in the other language)
        self.camera = self._session = self._sink = None
        self.preview = QLabel(objectName="cameraPreview", alignment=Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(PREVIEW)
        self.status = QLabel(objectName="hint", wordWrap=True)
        self.close_button = big_button("small")
        self._flash = QTimer(self, singleShot=True, interval=FLASH_MS)
        self._flash.timeout.connect(lambda: self._set_flash(False))
        side = QVBoxLayout()
        side.addWidget(self.status, 1)
        side.addWidget(self.close_button)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.preview)
        row.addLayout(side, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.close_button.setText(self.tr("关闭摄像头"))
        self.preview.setAccessibleName(self.tr("摄像头画面"))
        texts = {"hint": self.tr("将二维码对准摄像头，距离约一臂"),
                 "none": self.tr("未找到摄像头：请使用扫码枪，或手动输入后按回车"),
                 "camera_error": self.tr("摄像头无法使用："), "read_error": self.tr("识别出错：")}
        key, detail = self._state
        self.status.setText(texts[key] + detail)
        self.status.setProperty("warning", key != "hint")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def changeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- the camera -----------------------------------------------------------------------

    def available_devices(self) -> list:
        if self._devices is None:
            from PySide6.QtMultimedia import QMediaDevices

            self._devices = list(QMediaDevices.videoInputs())
        return self._devices

    def start(self) -> bool:
        """Open the front camera (a tablet's, facing the volunteer and the person), else the first one;
        False with a clear message when there is none."""
        devices = self.available_devices()
        if not devices:
            self.preview.setText("—")
            self._say("none")
            return False
        from PySide6.QtMultimedia import QCamera, QCameraDevice, QMediaCaptureSession, QVideoSink

        device = next((d for d in devices if d.position() == QCameraDevice.Position.FrontFace), devices[0])
        self.camera, self._session, self._sink = QCamera(device, self), QMediaCaptureSession(self), QVideoSink(self)
        self._session.setCamera(self.camera)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(lambda frame: self.submit_frame(frame.toImage()))
        self.camera.errorOccurred.connect(lambda _error, text: self._say("camera_error", text))
        self.camera.start()
        self._say("hint")
        return True

    def stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera.deleteLater()
            self.camera = None

    # -- frames ---------------------------------------------------------------------------

    def submit_frame(self, image: QImage) -> None:
        """One frame: shown at once, decoded on a pool thread unless a decode is still running."""
        if image.isNull():
            return
        self.preview.setPixmap(QPixmap.fromImage(image.transformed(QTransform().scale(-1, 1))).scaled(
            PREVIEW, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))
        if self.busy:
            return
        self.busy = True
        frame = image.copy()  # the camera reuses its buffer; the worker reads its own
        run_in_background(lambda _progress: self.decoder(grey_frame(frame)), self._decoded, self._failed, parent=self)

    def _decoded(self, token: str | None) -> None:
        self.busy = False
        if token is None:
            return
        now = time.monotonic()
        if token == self._last[0] and now - self._last[1] < self._repeat_s:
            self._last = (token, now)
            return
        self._last = (token, now)
        self._set_flash(True)
        self._flash.start()
        QApplication.beep()
        self.scanned.emit(token)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self._say("read_error", str(exc))

    @property
    def flashing(self) -> bool:
        return bool(self.preview.property("flash"))

    def _set_flash(self, on: bool) -> None:
        self.preview.setProperty("flash", on)
        self.preview.style().unpolish(self.preview)
        self.preview.style().polish(self.preview)

    def _say(self, key: str, detail: str = "") -> None:
        self._state = (key, detail)
        self.retranslate()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.stop()  # a hidden preview never keeps the camera on
        super().hideEvent(event)
