// Just enough protobuf wire format for the few etcd messages a backend file holds
// (mvccpb.KeyValue, leasepb.Lease, authpb.User/Role, etcdserverpb.AlarmMember). Encoding follows
// gogoproto's generated marshallers: fields in number order, proto3 zero values left out, so the
// bytes equal etcd's (HashKV hashes them).

export class ProtoWriter {
  private parts: Buffer[] = [];

  private varint(v: bigint | number): void {
    const out: number[] = [];
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      // Fast path: non-negative safe integers (tags, lengths, revisions).
      while (v >= 0x80) {
        out.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      out.push(v);
    } else {
      let x = BigInt.asUintN(64, BigInt(v));
      while (x >= 0x80n) {
        out.push(Number(x & 0x7fn) | 0x80);
        x >>= 7n;
      }
      out.push(Number(x));
    }
    this.parts.push(Buffer.from(out));
  }

  /** An int64/uint64/enum/bool field; skipped when zero. */
  int(field: number, v: bigint | number | boolean): this {
    const b = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    if (b === 0 || b === 0n) return this;
    this.varint(field << 3);
    this.varint(b);
    return this;
  }

  /** A bytes/string/message field; skipped when empty unless `always`. */
  bytes(field: number, v: Buffer | string | undefined, always = false): this {
    const b = typeof v === 'string' ? Buffer.from(v) : v;
    if (!b || (!b.length && !always)) return this;
    this.varint((field << 3) | 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface ProtoField {
  field: number;
  /** Varint fields. */
  int?: bigint;
  /** Length-delimited fields. */
  bytes?: Buffer;
}

/** Splits a message into its fields (varint and length-delimited only; others are skipped). */
export function readProto(buf: Buffer): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    // Up to 7 bytes (49 bits) in plain numbers, the rest with bigint.
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const b = buf[pos++]!;
      n += (b & 0x7f) * mul;
      if (!(b & 0x80)) return BigInt(n);
      mul *= 0x80;
    }
    let v = BigInt(n);
    let shift = 49n;
    for (;;) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const b = buf[pos++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return BigInt.asUintN(64, v);
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    switch (tag & 7) {
      case 0:
        out.push({ field, int: varint() });
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const len = Number(varint());
        if (pos + len > buf.length) throw new Error('protobuf: truncated field');
        out.push({ field, bytes: buf.subarray(pos, pos + len) });
        pos += len;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new Error(`protobuf: unsupported wire type ${tag & 7}`);
    }
  }
  return out;
}

/** A signed int64 from a varint field. */
export const int64 = (v: bigint | undefined): bigint => BigInt.asIntN(64, v ?? 0n);
