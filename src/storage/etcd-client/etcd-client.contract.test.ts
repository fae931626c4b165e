// The Store contract suite against a real etcd (3.4, started per suite on free ports), through
// the etcd-client Store. This validates both the client and the suite itself: real etcd is the
// reference for every expectation in contract*.ts.

import { describe, it } from 'node:test';
import { storeContract } from '../contract.js';
import { etcdAvailable, startEtcd } from '../../../test/helpers/etcd.js';
import { openEtcdStore } from './index.js';

if (etcdAvailable()) {
  const progressNotifyIntervalMs = 500;
  storeContract(
    'etcd-client against a real etcd',
    async () => {
    const etcd = await startEtcd({ args: [`--experimental-watch-progress-notify-interval=${progressNotifyIntervalMs}ms`] });
    try {
      const store = await openEtcdStore({ endpoints: [etcd.endpoint] });
      return {
        store,
        close: async () => {
          await store.close();
          await etcd.stop();
        },
      };
    } catch (err) {
      await etcd.stop();
      throw err;
    }
  },
    { progressNotifyIntervalMs },
  );
} else {
  describe('etcd-client contract', () => {
    it('needs the etcd binary (scripts/install-deps.sh installs it)', (t) => t.skip('etcd is not installed'));
  });
}
