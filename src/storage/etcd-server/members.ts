// Cluster membership of a single-member etcd: this member (started, the leader) plus any members
// added through MemberAdd (recorded and listed as unstarted, as a one-member etcd would show them;
// keelson never replicates to them). Persisted in the data dir.
import { createHash } from 'node:crypto';
import { StoreError, storeError } from '../errors.js';
import { readJson, writeJsonAtomic } from './persist.js';

export interface Member {
  id: bigint;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

interface MembersFile {
  self: { peerUrls: string[] };
  others: Array<{ id: string; peerUrls: string[]; isLearner: boolean }>;
}

const notEnoughStarted = () => new StoreError('FAILED_PRECONDITION', 'etcdserver: re-configuration failed due to not enough started members');

export class Members {
  private readonly others: Member[] = [];
  private selfPeerUrls: string[];

  constructor(
    private readonly self: { id: bigint; name: string; clientUrls: string[]; peerUrls: string[] },
    private readonly file?: string,
  ) {
    this.selfPeerUrls = self.peerUrls;
    const saved = readJson<MembersFile>(file);
    if (saved) {
      this.selfPeerUrls = saved.self.peerUrls;
      for (const o of saved.others) this.others.push({ id: BigInt(o.id), name: '', peerUrls: o.peerUrls, clientUrls: [], isLearner: o.isLearner });
    }
  }

  private save(): void {
    const f: MembersFile = {
      self: { peerUrls: this.selfPeerUrls },
      others: this.others.map((o) => ({ id: o.id.toString(), peerUrls: o.peerUrls, isLearner: o.isLearner })),
    };
    writeJsonAtomic(this.file, f);
  }

  list(): Member[] {
    return [{ id: this.self.id, name: this.self.name, peerUrls: this.selfPeerUrls, clientUrls: this.self.clientUrls, isLearner: false }, ...this.others];
  }

  add(peerUrls: string[], isLearner: boolean): Member {
    for (const m of this.list()) {
      if (m.peerUrls.some((u) => peerUrls.includes(u))) throw new StoreError('FAILED_PRECONDITION', 'etcdserver: Peer URLs already exists');
    }
    // etcd derives a new member's id from its peer URLs and the time.
    const h = createHash('sha1').update([...peerUrls].sort().join('')).update(String(Date.now())).digest();
    const m: Member = { id: h.readBigUInt64BE(0), name: '', peerUrls, clientUrls: [], isLearner };
    this.others.push(m);
    this.save();
    return m;
  }

  remove(id: bigint): void {
    if (id === this.self.id) throw notEnoughStarted();
    const i = this.others.findIndex((m) => m.id === id);
    if (i < 0) throw storeError('MemberNotFound');
    this.others.splice(i, 1);
    this.save();
  }

  update(id: bigint, peerUrls: string[]): void {
    if (id === this.self.id) this.selfPeerUrls = peerUrls;
    else {
      const m = this.others.find((o) => o.id === id);
      if (!m) throw storeError('MemberNotFound');
      m.peerUrls = peerUrls;
    }
    this.save();
  }

  promote(id: bigint): void {
    const m = id === this.self.id ? undefined : this.others.find((o) => o.id === id);
    if (id !== this.self.id && !m) throw storeError('MemberNotFound');
    if (!m || !m.isLearner) throw new StoreError('FAILED_PRECONDITION', 'etcdserver: can only promote a learner member');
    // An added learner never starts here, so it is never in sync with the leader.
    throw new StoreError('FAILED_PRECONDITION', 'etcdserver: can only promote a learner member which is in sync with leader');
  }
}
