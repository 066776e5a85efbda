#!/bin/bash
# Every command berth lists has a man page and a bash completion entry; every long flag of a
# command appears in its man page and in the completion.
set -u
berth=$1
root=$2
bad=0
cmds=$("$berth" --help | awk '/^Subcommands:/{f=1;next} f && NF {c=$1; sub(/,.*/, "", c); print c}')  # "unmount,umount": the name before its aliases
for c in $cmds; do
  case $c in image|container|system) continue ;; esac
  page=$root/man/berth-$c.1.scd
  [ -f "$page" ] || { echo "no man page for $c ($page)"; bad=1; continue; }
  grep -q "\b$c\b" "$root/contrib/completion/berth.bash" || { echo "$c missing from bash completion"; bad=1; }
  for flag in $("$berth" $c --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
    case $flag in --help|--help-all) continue ;; esac
    grep -q -- "${flag}" "$page" || { echo "$c: $flag is not in $page"; bad=1; }
    grep -q -- "${flag}" "$root/contrib/completion/berth.bash" || { echo "$c: $flag is not in the bash completion"; bad=1; }
  done
done
for pair in "image prune" "system df" "system check" "system prune"; do
  [ -f "$root/man/berth-${pair/ /-}.1.scd" ] || { echo "no man page for $pair"; bad=1; }
done
[ $bad = 0 ] && echo "docs and completions cover every command and flag"
exit $bad
