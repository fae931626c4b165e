#!/usr/bin/env bash
# Installs what keelson's tests need from Debian, when missing and when running as root:
#   etcd-server, etcd-client          (store issue: the real etcd and etcdctl 3.4)
#   containerd, runc, containernetworking-plugins, busybox-static, docker-registry,
#   nftables, iptables, conntrack, iproute2, curl
#                                     (containers issue: the CRI runtime, pod networking, offline
#                                      images and a local registry, the service proxy)
# Never starts Debian's own services: our tests start their own servers on free ports (a packaged
# containerd or registry started anyway is stopped and disabled again).
# Idempotent and quick when everything is present (one `command -v`/test per tool, no apt).
set -u
# <test>:<package>; a test is a command name, or a path when the package ships no command on PATH.
want=(
  etcd:etcd-server etcdctl:etcd-client
  containerd:containerd runc:runc /usr/lib/cni/bridge:containernetworking-plugins
  busybox:busybox-static docker-registry:docker-registry
  nft:nftables iptables:iptables conntrack:conntrack ip:iproute2 curl:curl
)
missing=()
for w in "${want[@]}"; do
  t=${w%%:*}; pkg=${w#*:}
  case $t in
    /*) [ -e "$t" ] || missing+=("$pkg") ;;
    *) command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || [ -x "/sbin/$t" ] || missing+=("$pkg") ;;
  esac
done
# busybox must be the static one (it is copied into images).
if [ -n "$(command -v busybox)" ] && ! dpkg -s busybox-static >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  case " ${missing[*]} " in *" busybox-static "*) ;; *) missing+=(busybox-static) ;; esac
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root (or apt-get install them) to enable the suites that need them" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
# Keep Debian's maintainer scripts from starting services (a packaged etcd on 2379, containerd on
# /run/containerd/containerd.sock, a registry on 5000).
policy=/usr/sbin/policy-rc.d; made_policy=0
if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy; made_policy=1; fi
export DEBIAN_FRONTEND=noninteractive
ok=1
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1
} || ok=0
[ $made_policy = 1 ] && rm -f $policy
[ $ok = 1 ] || { echo "install-deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
# If a packaged service got started anyway, stop and disable it: tests and keelson bring their own.
stop_service() { # stop_service UNIT PROCESS-NAME
  pgrep -x "$2" >/dev/null 2>&1 || return 0
  { systemctl stop "$1" && systemctl disable "$1"; } >/dev/null 2>&1 || service "$1" stop >/dev/null 2>&1 || true
}
[ -f /etc/default/etcd ] && stop_service etcd etcd
case " ${missing[*]} " in *" containerd "*) stop_service containerd containerd ;; esac
case " ${missing[*]} " in *" docker-registry "*) stop_service docker-registry docker-registry ;; esac
exit 0
