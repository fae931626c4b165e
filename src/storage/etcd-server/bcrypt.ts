// bcrypt password hashes as etcd stores them ("$2a$<cost>$<22-char salt><31-char hash>", Go's
// golang.org/x/crypto/bcrypt; etcd's default cost is 10): the expensive Blowfish key schedule
// (EksBlowfish) over the password and a 16-byte salt, then "OrpheanBeholderScryDoubt" encrypted
// 64 times. Blowfish's initial P-array and S-boxes are the hexadecimal digits of pi's fraction,
// computed here once (Machin's formula in big integers) rather than tabulated.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const DEFAULT_BCRYPT_COST = 10;
const WORDS = 18 + 4 * 256;
const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAGIC = Buffer.from('OrpheanBeholderScryDoubt');

let piWords: Uint32Array | undefined;

/** The first `WORDS` 32-bit words of pi's fractional part. */
function piFraction(): Uint32Array {
  if (piWords) return piWords;
  const bits = BigInt(WORDS * 32 + 64);
  const one = 1n << bits;
  const atanInv = (x: bigint): bigint => {
    let sum = 0n;
    let term = one / x;
    const x2 = x * x;
    for (let k = 1n, sign = 1n; term !== 0n; k += 2n, sign = -sign) {
      sum += (sign * term) / k;
      term /= x2;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  const frac = (pi - 3n * one) >> 64n; // drop the guard bits
  const out = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) out[i] = Number((frac >> BigInt((WORDS - 1 - i) * 32)) & 0xffffffffn);
  piWords = out;
  return out;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  constructor() {
    const pi = piFraction();
    this.p = pi.slice(0, 18);
    this.s = pi.slice(18);
  }

  /** Encrypts the block lr[off], lr[off + 1] in place. */
  encrypt(lr: Uint32Array, off: number): void {
    const { p, s } = this;
    let l = lr[off];
    let r = lr[off + 1];
    for (let i = 0; i < 16; i += 2) {
      l ^= p[i];
      r ^= ((((s[l >>> 24] + s[256 | ((l >>> 16) & 255)]) ^ s[512 | ((l >>> 8) & 255)]) + s[768 | (l & 255)]) >>> 0);
      r ^= p[i + 1];
      l ^= ((((s[r >>> 24] + s[256 | ((r >>> 16) & 255)]) ^ s[512 | ((r >>> 8) & 255)]) + s[768 | (r & 255)]) >>> 0);
    }
    lr[off] = (r ^ p[17]) >>> 0;
    lr[off + 1] = (l ^ p[16]) >>> 0;
  }

  /** Blowfish's key schedule, the salt (when given) mixed into every encrypted block. */
  expand(key: Buffer, salt?: Buffer): void {
    let kpos = 0;
    const keyWord = () => {
      let w = 0;
      for (let i = 0; i < 4; i++) {
        w = (w << 8) | key[kpos];
        kpos = (kpos + 1) % key.length;
      }
      return w >>> 0;
    };
    for (let i = 0; i < 18; i++) this.p[i] ^= keyWord();
    let spos = 0;
    const saltWord = () => {
      if (!salt) return 0;
      const w = salt.readUInt32BE(spos);
      spos = (spos + 4) % salt.length;
      return w;
    };
    const lr = new Uint32Array(2);
    const fill = (arr: Uint32Array) => {
      for (let i = 0; i < arr.length; i += 2) {
        lr[0] ^= saltWord();
        lr[1] ^= saltWord();
        this.encrypt(lr, 0);
        arr[i] = lr[0];
        arr[i + 1] = lr[1];
      }
    };
    fill(this.p);
    fill(this.s);
  }
}

function encode64(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const c1 = b[i];
    const c2 = i + 1 < b.length ? b[i + 1] : 0;
    const c3 = i + 2 < b.length ? b[i + 2] : 0;
    out += ALPHABET[c1 >> 2] + ALPHABET[((c1 & 3) << 4) | (c2 >> 4)];
    if (i + 1 < b.length) out += ALPHABET[((c2 & 15) << 2) | (c3 >> 6)];
    if (i + 2 < b.length) out += ALPHABET[c3 & 63];
  }
  return out;
}

function decode64(s: string, len: number): Buffer | undefined {
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    n += 6;
    if (n >= 8) {
      n -= 8;
      out.push((acc >> n) & 255);
    }
  }
  return out.length >= len ? Buffer.from(out.slice(0, len)) : undefined;
}

/** The raw 23-byte bcrypt digest; yields to the event loop now and then (it takes a while). */
async function digest(password: Buffer, salt: Buffer, cost: number): Promise<Buffer> {
  // $2a$: the password with its terminating NUL, at most 72 bytes.
  const key = Buffer.concat([password, Buffer.from([0])]).subarray(0, 72);
  const bf = new Blowfish();
  bf.expand(key, salt);
  const rounds = 2 ** cost;
  for (let i = 0; i < rounds; i++) {
    bf.expand(key);
    bf.expand(salt);
    if ((i & 63) === 63) await new Promise<void>((r) => setImmediate(r));
  }
  const text = new Uint32Array(6);
  for (let i = 0; i < 6; i++) text[i] = MAGIC.readUInt32BE(i * 4);
  for (let n = 0; n < 64; n++) for (let i = 0; i < 6; i += 2) bf.encrypt(text, i);
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(text[i], i * 4);
  return out.subarray(0, 23);
}

export async function bcryptHash(password: string, cost = DEFAULT_BCRYPT_COST, salt: Buffer = randomBytes(16)): Promise<string> {
  const d = await digest(Buffer.from(password), salt, cost);
  return `$2a$${String(cost).padStart(2, '0')}$${encode64(salt)}${encode64(d)}`;
}

/** Whether `password` matches the bcrypt hash `stored` ($2a$, $2b$ or $2y$); false for anything else. */
export async function bcryptVerify(stored: string, password: string): Promise<boolean> {
  const m = /^\$2[aby]?\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(stored);
  if (!m) return false;
  const cost = Number(m[1]);
  const salt = decode64(m[2], 16);
  const want = decode64(m[3], 23);
  if (!salt || !want || cost < 4 || cost > 31) return false;
  return timingSafeEqual(await digest(Buffer.from(password), salt, cost), want);
}
