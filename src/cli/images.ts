// `keelson images`: the node's images without the network (k3s' air-gap workflow).
//   import [--data-dir D | --address SOCK] FILE...  load OCI-layout or docker-archive tars into
//                                                    the node's containerd (namespace k8s.io)
//   list   [--data-dir D | --address SOCK]           the images the node has
//   build  NAME... [--output-dir D | -o FILE]        OCI archives of built-in images (pause,
//                                                    busybox, httpd) from busybox-static
//   push   NAME... [--registry HOST:PORT]            build them and push them to a registry
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { containerdPaths } from '../kubelet/runtime/cri/containerd.js';
import { builtinImages } from '../kubelet/images/builtin-images.js';
import { importImageArchive, listImages } from '../kubelet/images/import.js';
import { ociArchive } from '../kubelet/images/oci-build.js';
import { pushImage } from '../kubelet/images/registry-push.js';

interface NodeFlags {
  dataDir: string;
  address?: string;
}

/** The containerd socket of the node whose data dir is `dataDir` (or --address), which must exist. */
function socketOf(f: NodeFlags): string {
  const sock = f.address ? f.address.replace(/^unix:\/\//, '') : containerdPaths(`${f.dataDir}/containerd`).address;
  if (!existsSync(sock))
    throw new Error(
      f.address
        ? `no containerd socket at "${sock}"`
        : `no containerd socket at "${sock}": is \`keelson server --runtime cri --data-dir ${f.dataDir}\` (or an agent with that data dir) running as root?`,
    );
  return sock;
}

/** Runs an action; a failure prints `error: <message>` (no stack) and exits 1, like kubectl. */
const run =
  <A extends unknown[]>(fn: (...a: A) => unknown) =>
  async (...a: A) => {
    try {
      await fn(...a);
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      process.exit(1);
    }
  };

function builder(name: string) {
  const b = builtinImages[name];
  if (!b) throw new Error(`unknown image "${name}": expected one of ${Object.keys(builtinImages).join(', ')}`);
  return b;
}

export function register(program: Command): void {
  const images = program.command('images').description("manage the node's container images offline (containerd, namespace k8s.io)");
  const node = (c: Command) =>
    c
      .option('--data-dir <dir>', 'the data dir of the keelson server or agent whose containerd to use', '.keelson')
      .option('--address <socket>', "containerd's socket (default: <data-dir>/containerd/containerd.sock)");

  node(images.command('import').description('load OCI-layout or docker-archive image tarballs into the node (for imagePullPolicy Never/IfNotPresent)'))
    .argument('<file...>', 'image archives (.tar)')
    .action(
      run(async (files: string[], f: NodeFlags) => {
        const address = socketOf(f);
        for (const file of files) {
          const refs = await importImageArchive(address, file);
          for (const r of refs) console.log(`imported ${r}`);
          if (!refs.length) console.log(`imported ${file} (no named image in it)`);
        }
      }),
    );

  node(images.command('list').alias('ls').description('list the images the node has')).action(
    run(async (f: NodeFlags) => {
      const list = await listImages(socketOf(f));
      const named = list.filter((i) => !i.ref.startsWith('sha256:'));
      const w = Math.max(5, ...named.map((i) => i.ref.length));
      console.log(`${'IMAGE'.padEnd(w)}   ${'DIGEST'.padEnd(19)}   SIZE`);
      for (const i of named) console.log(`${i.ref.padEnd(w)}   ${i.digest.slice(0, 19)}   ${i.size}`);
    }),
  );

  images
    .command('build')
    .description('write OCI image archives of built-in images: pause, busybox, httpd (busybox httpd on port 80 serving its hostname)')
    .argument('<name...>', 'pause, busybox or httpd')
    .option('-o, --output <file>', 'the archive to write (one image; default <output-dir>/<name>.tar)')
    .option('--output-dir <dir>', 'where to write <name>.tar for each image', '.')
    .option('-t, --tag <ref>', 'image reference to record (one image; default localhost/keelson/<name>:1)')
    .action(
      run((names: string[], o: { output?: string; outputDir: string; tag?: string }) => {
        if ((o.output || o.tag) && names.length > 1) throw new Error('--output and --tag take one image name');
        for (const name of names) {
          const img = builder(name)(o.tag);
          const out = o.output ?? join(o.outputDir, `${name}.tar`);
          writeFileSync(out, ociArchive([img]));
          console.log(`${img.ref} ${img.manifest.digest} -> ${out}`);
        }
      }),
    );

  images
    .command('push')
    .description('build built-in images and push them to a registry over plain HTTP as <registry>/keelson/<name>:1')
    .argument('<name...>', 'pause, busybox or httpd')
    .option('--registry <host:port>', 'the registry', '127.0.0.1:5000')
    .option('-t, --tag <ref>', 'full reference to push as (one image), e.g. 127.0.0.1:5000/team/web:2')
    .action(
      run(async (names: string[], o: { registry: string; tag?: string }) => {
        if (o.tag && names.length > 1) throw new Error('--tag takes one image name');
        for (const name of names) {
          const ref = o.tag ?? `${o.registry}/keelson/${name}:1`;
          const r = await pushImage(builder(name)(ref), ref);
          console.log(`pushed ${ref}@${r.digest}`);
        }
      }),
    );
}
