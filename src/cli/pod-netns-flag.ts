// `--pod-netns` of `keelson kubelet`, `keelson server` and `keelson agent`: whether the process
// runtime gives each pod a network namespace of its own. On by default (when root with the CNI
// plugins); `--pod-netns=false` or `--no-pod-netns` keeps pods on the host network, and a bare
// `--pod-netns` (the old opt-in spelling) is still accepted. The value parses as Go's
// strconv.ParseBool, as the kubelet's boolean flags do.
import { InvalidArgumentError, type Command } from 'commander';

/** strconv.ParseBool's spellings. */
export function parseBoolFlag(flag: string, v: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new InvalidArgumentError(`invalid argument "${v}" for "${flag}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

/** Adds --pod-netns[=bool] and --no-pod-netns; the option is undefined unless given. */
export function podNetnsFlags(cmd: Command, what: string): Command {
  return cmd
    .option('--pod-netns [bool]', `process runtime: ${what} (default true; needs root and the CNI plugins bridge, host-local, portmap in /usr/lib/cni, else pods share the host network; keelson flag)`, (v: string) => parseBoolFlag('--pod-netns', v))
    .option('--no-pod-netns', 'process runtime: pods share the host network (pod IP = host IP), as --pod-netns=false');
}
