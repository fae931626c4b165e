#!/usr/bin/env bash
# Builds keelson's small test images offline (from the host's busybox-static: no network) and
# pushes them to a local registry, so examples and tests can do a real pull:
#   127.0.0.1:PORT/keelson/busybox:1   busybox shell and applets (Cmd ["sh"])
#   127.0.0.1:PORT/keelson/httpd:1     busybox httpd on port 80 serving its hostname
#   127.0.0.1:PORT/keelson/pause:1     the pod sandbox image
# The registry is Debian's docker-registry on 127.0.0.1:PORT (default 5000) with its config and
# storage under DIR/registry; it is started here unless something already answers there, and
# keeps running (its pid in DIR/registry/registry.pid). The OCI archives are also left in DIR
# for `keelson images import`.
#
#   scripts/build-images.sh [--dir DIR] [--port PORT]     (DIR defaults to .keelson/images)
#   scripts/build-images.sh --stop [--dir DIR]             stop the registry started here
set -eu
cd "$(dirname "$0")/.."
dir=.keelson/images; port=5000; stop=0
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --stop) stop=1; shift ;;
    *) echo "usage: $0 [--dir DIR] [--port PORT] [--stop]" >&2; exit 2 ;;
  esac
done
mkdir -p "$dir/registry"; dir=$(cd "$dir" && pwd); pidfile=$dir/registry/registry.pid
if [ $stop = 1 ]; then
  if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then echo "registry stopped"; else echo "no registry running from $dir"; fi
  rm -f "$pidfile"; exit 0
fi
keelson() { node bin/keelson "$@"; }
keelson images build busybox httpd pause --output-dir "$dir"
host=127.0.0.1:$port
if ! curl -fsS -o /dev/null "http://$host/v2/" 2>/dev/null; then
  command -v docker-registry >/dev/null || { echo "docker-registry is not installed: run scripts/install-deps.sh as root" >&2; exit 1; }
  cat > "$dir/registry/config.yml" <<Y
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/registry/storage
  delete:
    enabled: true
http:
  addr: $host
Y
  nohup docker-registry serve "$dir/registry/config.yml" >"$dir/registry/registry.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://$host/v2/" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null "http://$host/v2/" || { echo "registry did not start: $(tail -3 "$dir/registry/registry.log")" >&2; exit 1; }
  echo "registry on $host (pid $(cat "$pidfile"); stop it with $0 --stop --dir $dir)"
fi
keelson images push --registry "$host" busybox httpd pause
