#!/usr/bin/env bash
# Installs what keelson's tests need from Debian, when missing and when running as root:
#   etcd-server, etcd-client          (store issue: the real etcd and etcdctl 3.4)
# More groups are added as features need them (containerd, runc, CNI plugins, nftables...).
# Never starts Debian's own services: our tests start their own servers on free ports.
set -u
want=(etcd:etcd-server etcdctl:etcd-client)
missing=()
for w in "${want[@]}"; do
  cmd=${w%%:*}; pkg=${w#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root (or apt-get install them) to enable the suites that need them" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
# Keep Debian's maintainer scripts from starting services (a packaged etcd on 2379, say).
policy=/usr/sbin/policy-rc.d; made_policy=0
if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy; made_policy=1; fi
export DEBIAN_FRONTEND=noninteractive
ok=1
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1
} || ok=0
[ $made_policy = 1 ] && rm -f $policy
[ $ok = 1 ] || { echo "install-deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
# If a packaged etcd got started anyway, stop it: tests bring their own.
if pgrep -x etcd >/dev/null 2>&1 && [ -f /etc/default/etcd ]; then (systemctl stop etcd || service etcd stop) >/dev/null 2>&1; fi
exit 0
