#!/bin/sh
# Renders the repository's nginx.conf for Herald nodes on this host, the way `npm run cluster` does:
# the `# HERALD:upstream` lines become one `server 127.0.0.1:PORT ...;` line per node (keeping
# max_fails/fail_timeout), the `# HERALD:listen` line listens on LISTEN_PORT; every other directive is
# unchanged.
#
#   deploy/systemd/render-nginx-conf.sh nginx.conf 9093 9101 9102 9103 > /etc/herald/nginx.conf
set -eu
if [ "$#" -lt 3 ]; then
  echo "usage: $0 NGINX_CONF LISTEN_PORT NODE_PORT..." >&2
  exit 64
fi
src=$1
listen=$2
shift 2
for p in "$listen" "$@"; do
  case $p in
    '' | *[!0-9]*) echo "$0: not a port: $p" >&2; exit 64 ;;
  esac
done
grep -q '# HERALD:upstream' "$src" || { echo "$0: no '# HERALD:upstream' line in $src" >&2; exit 65; }
grep -q '# HERALD:listen' "$src" || { echo "$0: no '# HERALD:listen' line in $src" >&2; exit 65; }
awk -v listen="$listen" -v ports="$*" '
  /# HERALD:upstream/ {
    if (!done) {
      match($0, /^[ \t]*/); indent = substr($0, 1, RLENGTH)
      rest = $0
      sub(/[ \t]*# HERALD:upstream.*$/, "", rest)   # drop the marker
      sub(/;[ \t]*$/, "", rest)                     # and the semicolon
      sub(/^[ \t]*server[ \t]+[^ \t;]+/, "", rest)  # and "server host:port": keep the parameters
      n = split(ports, p, " ")
      for (i = 1; i <= n; i++) printf "%sserver 127.0.0.1:%s%s;\n", indent, p[i], rest
      done = 1
    }
    next
  }
  /# HERALD:listen/ {
    line = $0
    sub(/listen[ \t]+[0-9]+;/, "listen " listen ";", line)
    sub(/[ \t]*# HERALD:listen.*$/, "", line)
    print line
    next
  }
  { print }
' "$src"
