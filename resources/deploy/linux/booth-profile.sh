# Appended to the `booth` account's ~/.profile (docs/deployment.md): on the autologin console tty1, hand the
# login session's seat to the user unit and wait on it; elsewhere (an ssh login) do nothing. If the kiosk
# stops for good (exit 2 or 6, see the unit), its last lines stay on the screen for the volunteer.
if [ "$(tty)" = "/dev/tty1" ]; then
    systemctl --user import-environment XDG_SESSION_ID XDG_SEAT XDG_VTNR XDG_RUNTIME_DIR
    systemctl --user start --wait union-booth-kiosk.service
    journalctl --user -u union-booth-kiosk.service -n 5 --no-pager -o cat
    exec sleep infinity
fi
