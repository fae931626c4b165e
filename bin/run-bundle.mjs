// Runs the CommonJS bundle (dist/keelson.cjs) the way Node's CommonJS loader would, but compiled
// through vm.Script with a V8 code cache kept beside it (<bundle>.cache). Compiling the 4.5 MB
// bundle was the largest single cost of every keelson command; with the cache V8 deserializes
// the code instead, including the functions the earlier runs compiled lazily (Node 20 has no
// module.enableCompileCache, and code caches exist for scripts only, hence the CJS bundle).
//
// The cache file starts with a key line (Node version, bundle size and mtime, the commands whose
// run produced it): a rebuilt bundle or another Node never gets a stale cache (V8 itself only
// compares the source length). V8 may still reject a cache (other V8 flags); then, as when there
// is none, or when this command is not among those the cache was made by, a new one is written
// once the command has warmed up: a few seconds in, or at exit for short commands. Writes go to
// a temporary file renamed into place (concurrent keelsons never see half a cache); a read-only
// or missing directory only means running without a cache.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

const MAGIC = 'keelson-code-cache v1';
/** How long a long-running command runs before its cache is written (its start is compiled by then). */
const WARM_MS = 3000;

function readCache(file, keyPrefix) {
  try {
    const buf = readFileSync(file);
    const nl = buf.indexOf(10);
    if (nl < 0) return undefined;
    const key = buf.subarray(0, nl).toString('utf8').split(' | ');
    if (key[0] !== keyPrefix) return undefined;
    return { data: buf.subarray(nl + 1), commands: key[1] ? key[1].split(',') : [] };
  } catch {
    return undefined;
  }
}

function writeCache(file, keyPrefix, commands, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${keyPrefix} | ${commands.join(',')}\n`), data]));
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Runs `bundle` (a CommonJS file) as the main program, with its code cache. */
export function runBundle(bundle) {
  const source = readFileSync(bundle, 'utf8');
  const st = statSync(bundle);
  const cacheFile = `${bundle}.cache`;
  const keyPrefix = `${MAGIC} ${process.version} ${process.arch} ${st.size} ${Math.round(st.mtimeMs)}`;
  // The command (first non-option argument) names what part of the bundle this run compiles.
  const command = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
  const cached = readCache(cacheFile, keyPrefix);
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData: cached?.data,
    // import() inside the bundle resolves as in any module of the main context.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const usable = cached && !script.cachedDataRejected;
  if (!usable || !cached.commands.includes(command)) {
    const commands = usable ? [...cached.commands, command] : [command];
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      process.removeListener('exit', write);
      writeCache(cacheFile, keyPrefix, commands, script.createCachedData());
    };
    setTimeout(write, WARM_MS).unref();
    process.once('exit', write);
  }
  const mod = new Module(bundle);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(dirname(bundle));
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
}
