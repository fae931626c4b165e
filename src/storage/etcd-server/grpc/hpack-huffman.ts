// HPACK's Huffman code (RFC 7541 section 5.2, Appendix B), decoding only.
//
// The code is canonical: codes of one length are consecutive numbers in symbol order, and the
// first code of each length follows the last code of the previous length, shifted left. So the
// 257 code lengths (symbols 0-255 and EOS = 256) define it completely. They are kept below as
// one base-32 digit per symbol; the decoder is built from them at load time.
import { HpackError } from './hpack-error.js';

/** Code length in bits of symbols 0..256 (RFC 7541 Appendix B), one base-32 digit each. */
const LENGTHS =
  'dnsssssssoussussssssssusssssssss6aacd68baa8b8666555666666678f6ca' +
  'd67777777777777777777777878djde6f56565666577666567655677777fbeds' +
  'kmkkmmmnmnnnnnonoomnonnnnlmnmnnomlkmmnnlnmmolmnnllmlnmnnkmmmnmmn' +
  'qqkjmnmpqqqrrqopjlqrrqrollqqsrrrkoklmllnmmppooqnqrqqrrrrrsrrrrrq' +
  'u';

export const EOS = 256;
const MAX_LEN = 30;

/** Per code length: the first code, how many codes, and where their symbols start in `symbols`. */
interface Canonical {
  first: Int32Array;
  count: Int32Array;
  offset: Int32Array;
  /** Symbols sorted by (length, symbol). */
  symbols: Uint16Array;
}

function build(): Canonical {
  const len = Array.from(LENGTHS, (c) => parseInt(c, 32));
  if (len.length !== 257) throw new Error('HPACK Huffman table: expected 257 code lengths');
  const count = new Int32Array(MAX_LEN + 1);
  for (const l of len) count[l]++;
  const offset = new Int32Array(MAX_LEN + 1);
  for (let l = 1; l <= MAX_LEN; l++) offset[l] = offset[l - 1] + count[l - 1];
  const symbols = new Uint16Array(257);
  const fill = Int32Array.from(offset);
  for (let s = 0; s < 257; s++) symbols[fill[len[s]]++] = s;
  const first = new Int32Array(MAX_LEN + 1);
  let code = 0;
  for (let l = 1; l <= MAX_LEN; l++) {
    code = (code + count[l - 1]) << 1;
    first[l] = code;
  }
  // A complete prefix code: the last code of the longest length is all ones.
  if (first[MAX_LEN] + count[MAX_LEN] !== 2 ** MAX_LEN) throw new Error('HPACK Huffman table: lengths do not form a complete code');
  return { first, count, offset, symbols };
}

const table = build();

/** The code (as a number) and its length of one symbol, for tests and encoders. */
export function huffmanCode(sym: number): { code: number; bits: number } {
  for (let l = 1; l <= MAX_LEN; l++) {
    for (let i = 0; i < table.count[l]; i++) {
      if (table.symbols[table.offset[l] + i] === sym) return { code: table.first[l] + i, bits: l };
    }
  }
  throw new RangeError(`no Huffman code for symbol ${sym}`);
}

/**
 * Decodes a Huffman-coded string literal. Errors as RFC 7541 5.2 requires: the EOS symbol inside
 * the string, padding longer than 7 bits, or padding that is not the most significant bits of EOS
 * (all ones).
 */
export function huffmanDecode(src: Buffer): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil((src.length * 8) / 5));
  let n = 0;
  let code = 0;
  let len = 0;
  for (let i = 0; i < src.length; i++) {
    const byte = src[i];
    for (let b = 7; b >= 0; b--) {
      code = (code << 1) | ((byte >> b) & 1);
      len++;
      const k = code - table.first[len];
      if (k >= 0 && k < table.count[len]) {
        const sym = table.symbols[table.offset[len] + k];
        if (sym === EOS) throw new HpackError('Huffman-coded string contains EOS');
        out[n++] = sym;
        code = 0;
        len = 0;
      } else if (len >= MAX_LEN) {
        throw new HpackError('invalid Huffman code');
      }
    }
  }
  if (len > 7) throw new HpackError('Huffman padding longer than 7 bits');
  if (code !== (1 << len) - 1) throw new HpackError('Huffman padding is not a prefix of EOS');
  return out.subarray(0, n);
}
