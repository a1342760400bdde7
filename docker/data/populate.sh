#!/bin/sh
# populate FROM TO: makes the directory TO (compose's gss-data volume) hold exactly what FROM
# (the data image's /data) holds, whatever TO held before. Run by the compose service `data`
# on every `up`, so a new DATA_IMAGE tag brings its data and a second run changes nothing.
#
# Safe: the new content is copied in full beside the old one first (TO/.incoming), so a copy
# that fails (a full disk) leaves TO as it was; only then is the old content removed and the
# new one moved in (renames within one file system). A run killed between the two is repaired
# by the next one. Nobody reads TO meanwhile: seed and odoo-init wait for this to end.
# POSIX sh only: it runs on busybox in the image and on dash in the tests.
set -eu

from=${1:?usage: populate FROM TO}
to=${2:?usage: populate FROM TO}
incoming="$to/.incoming"

[ -d "$from" ] || { echo "populate: $from is not a directory" >&2; exit 1; }
[ -d "$to" ] || { echo "populate: $to is not a directory (the volume's mount point)" >&2; exit 1; }

rm -rf "$incoming"
cp -R "$from" "$incoming"
# The readers run as other users than this one (seed as node, uid 1000).
chmod -R a+rX "$incoming"
find "$to" -mindepth 1 -maxdepth 1 ! -name .incoming -exec rm -rf {} \;
find "$incoming" -mindepth 1 -maxdepth 1 -exec mv {} "$to/" \;
rmdir "$incoming"

echo "populate: $to holds the $(find "$to" -type f | wc -l | tr -d ' ') files of $from; snapshots:"
find "$to/snapshots" -name '*.gss-snapshot' 2>/dev/null | sed 's|.*/|  |' | sort
