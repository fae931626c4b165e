// --pod-netns as `keelson kubelet`, `keelson server` and `keelson agent` parse it: unset by
// default (the kubelet then decides: on as root with the CNI plugins), the bare opt-in spelling,
// Go's boolean spellings, the --no- negation, and pflag's error for anything else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { podNetnsFlags } from './pod-netns-flag.js';

const parse = (args: string[]) => podNetnsFlags(new Command().exitOverride().configureOutput({ writeErr: () => undefined }), 'x').option('--other').parse(args, { from: 'user' }).opts<{ podNetns?: boolean }>().podNetns;

describe('--pod-netns', () => {
  it('is unset unless given', () => {
    assert.equal(parse([]), undefined);
  });

  it('takes the bare flag, =true/=false, a separate value and --no-pod-netns', () => {
    assert.equal(parse(['--pod-netns']), true);
    assert.equal(parse(['--pod-netns', '--other']), true);
    assert.equal(parse(['--pod-netns=true']), true);
    assert.equal(parse(['--pod-netns=false']), false);
    assert.equal(parse(['--pod-netns=0']), false);
    assert.equal(parse(['--pod-netns', 'False']), false);
    assert.equal(parse(['--no-pod-netns']), false);
  });

  it('rejects other values with the kubelet\'s words', () => {
    assert.throws(() => parse(['--pod-netns=maybe']), /invalid argument "maybe" for "--pod-netns" flag: strconv.ParseBool: parsing "maybe": invalid syntax/);
  });
});
