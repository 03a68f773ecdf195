// The on-screen keyboard embedded at the bottom of the kiosk window (kiosk/ui/keyboard.py loads it).
// Only Simplified Chinese (Pinyin) and English; the kiosk's language picks which one is first.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import QtQuick.VirtualKeyboard.Styles

Item {
    id: root
    property int maxKeyboardWidth: 1100
    property string kioskLocale: "zh_CN"
    // Pinyin candidates large enough to read and tap (the default style drew them ~17 px on a 32 px bar).
    property int candidateBarHeight: 48
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

    Component {
        id: candidate
        SelectionListItem {
            width: Math.max(root.candidateBarHeight, label.implicitWidth + 32)
            Text {
                id: label
                anchors.centerIn: parent
                text: display
                color: "#ffffff"
                font.pixelSize: Math.round(root.candidateBarHeight * 0.58)
            }
        }
    }

    // The kiosk's own touches on the default style, set again whenever the keyboard loads a style.
    function adjustStyle() {
        var style = panel.keyboard.style
        if (!style)
            return
        style.selectionListHeight = root.candidateBarHeight
        style.selectionListDelegate = candidate
        // The language key switches at once between the two layouts: its pop-up list had 25 px rows.
        style.languagePopupListEnabled = false
    }

    Connections {
        target: panel.keyboard
        function onStyleChanged() { root.adjustStyle() }
    }

    // Taps the letter keys of ``letters`` as a finger would (kiosk screenshots show Pinyin candidates with it).
    function typeLetters(letters) {
        for (var i = 0; i < letters.length; i++)
            InputContext.inputEngine.virtualKeyClick(letters.toUpperCase().charCodeAt(i), letters[i], 0)
    }

    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = kioskLocale
        // The Pinyin candidate bar stays open: the keys no longer jump up under the finger (and a second
        // letter land on a candidate) as the bar opens after the first letter, nor the form above them.
        VirtualKeyboardSettings.wordCandidateList.alwaysVisible = true
        adjustStyle()
    }
}
