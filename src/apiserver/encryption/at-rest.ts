// Encryption at rest for the apiserver: the EncryptionConfiguration (config.ts) applied to the
// store by storage key. A key maps to its group/resource through the served resources' storage
// prefixes (/registry/secrets/..., /registry/deployments/..., /registry/<group>/<plural>/... for
// custom resources), so resources named in the configuration are sealed wherever they live.
import type { Store } from '../../storage/store.js';
import type { Resources } from '../resources.js';
import { storagePrefix } from '../registry/generic/keys.js';
import { loadEncryptionConfig, type EncryptionConfig } from './config.js';
import { EncryptingStore } from './encrypting-store.js';
import type { Transformer } from './transformer.js';

const registry = '/registry/';

export class EncryptionAtRest {
  private resources?: Resources;
  /** Storage prefix ("/registry/secrets/") -> transformer (null: served but not encrypted). */
  private byPrefix = new Map<string, Transformer | null>();
  private dirty = true;

  constructor(private readonly config: EncryptionConfig) {}

  static fromFile(path: string): EncryptionAtRest {
    return new EncryptionAtRest(loadEncryptionConfig(path));
  }

  wrap(store: Store): Store {
    return new EncryptingStore(store, (key) => this.transformerForKey(key));
  }

  /** Resolve storage keys through these served resources (custom resources included as they come). */
  bind(resources: Resources): void {
    this.resources = resources;
    this.dirty = true;
    resources.onChange(() => (this.dirty = true));
  }

  transformerForKey(key: Buffer): Transformer | undefined {
    if (!this.resources) throw new Error('encryption at rest used before the served resources were bound');
    const k = key.toString('latin1');
    if (!k.startsWith(registry)) return undefined;
    const a = k.indexOf('/', registry.length);
    if (a < 0) return undefined;
    const b = k.indexOf('/', a + 1);
    const long = b >= 0 ? k.slice(0, b + 1) : undefined;
    const short = k.slice(0, a + 1);
    if (this.dirty) this.rebuild();
    for (let attempt = 0; attempt < 2; attempt++) {
      // Longest storage prefix first: /registry/services/specs/ before /registry/services/.
      const t = long !== undefined && this.byPrefix.has(long) ? this.byPrefix.get(long) : this.byPrefix.get(short);
      if (t !== undefined) return t ?? undefined;
      // Not (yet) known: a custom resource registered a moment ago must not be written in plaintext.
      if (attempt === 0) this.rebuild();
    }
    return undefined;
  }

  private rebuild(): void {
    this.dirty = false;
    this.byPrefix.clear();
    const r = this.resources!;
    for (const group of r.groups())
      for (const version of r.versions(group))
        for (const served of r.resources(group, version)) {
          const info = served.store.info;
          const prefix = storagePrefix(info);
          if (this.byPrefix.get(prefix)) continue;
          this.byPrefix.set(prefix, this.config.transformerFor(info.group, info.resource) ?? null);
        }
  }
}
