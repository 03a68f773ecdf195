// The on-screen keyboard embedded at the bottom of the kiosk window (kiosk/ui/keyboard.py loads it).
// Only Simplified Chinese (Pinyin) and English; the kiosk's language picks which one is first.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

Item {
    id: root
    property int maxKeyboardWidth: 1100
    property string kioskLocale: "zh_CN"
    readonly property real keyboardHeight: panel.height
    readonly property bool keyboardActive: panel.active
    readonly property var activeLocales: VirtualKeyboardSettings.activeLocales
    readonly property string currentLocale: VirtualKeyboardSettings.locale
    readonly property string inputLocale: InputContext.locale  // also follows the keyboard's own language key

    onKioskLocaleChanged: VirtualKeyboardSettings.locale = kioskLocale

    InputPanel {
        id: panel
        // A full-width keyboard on a wide screen would cover most of the form: cap its width.
        width: Math.min(root.width, root.maxKeyboardWidth)
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.top: parent.top  // the view is as tall as the panel (kiosk/ui/keyboard.py)
    }

    // Taps the letter keys of ``letters`` as a finger would (kiosk screenshots show Pinyin candidates with it).
    function typeLetters(letters) {
        for (var i = 0; i < letters.length; i++)
            InputContext.inputEngine.virtualKeyClick(letters.toUpperCase().charCodeAt(i), letters[i], 0)
    }

    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = kioskLocale
    }
}
