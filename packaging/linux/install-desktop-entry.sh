#!/bin/sh
# Adds caseapp to your desktop's application menu (for this user only; nothing needs root).
# Run it from the unpacked folder; run it again if you move the folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$here/caseapp.png" "$icons/caseapp.png"
sed -e "s|^Exec=.*|Exec=\"$here/caseapp/caseapp\"|" "$here/caseapp.desktop" > "$apps/caseapp.desktop"
chmod 644 "$apps/caseapp.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "caseapp added to the application menu ($apps/caseapp.desktop)."
