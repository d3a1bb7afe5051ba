/**
 * Writes captured packets as pcapng, the format Wireshark and tshark open
 * by default: a section header, one interface description per cable end
 * (named `ns1:veth0`, with its link type), and an enhanced packet block per
 * packet carrying its direction.
 */
const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_COMMENT = 1;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
const OPT_EPB_FLAGS = 2;
const EPB_INBOUND = 1;
const EPB_OUTBOUND = 2;
/** Microseconds: the resolution of tcpdump's pcap. */
const TSRESOL_MICROS = 6;
const SNAP_LENGTH = 262144;

export interface PcapngInterface {
  name: string;
  description?: string;
  linkType: number;
}

export interface PcapngPacket {
  /** Index into the interfaces given to the writer. */
  iface: number;
  /** Milliseconds since the epoch. */
  time: number;
  length: number;
  data: Buffer;
  direction?: 'in' | 'out';
  comment?: string;
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function option(code: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(code, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(pad4(value.length))]);
}

const endOfOptions = () => option(OPT_END, Buffer.alloc(0));

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(total, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(total, 0);
  return Buffer.concat([head, body, tail]);
}

export function writePcapng(interfaces: PcapngInterface[], packets: PcapngPacket[], application = 'vethlab'): Buffer {
  const parts: Buffer[] = [];
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8); // section length not given
  parts.push(block(BLOCK_SHB, Buffer.concat([shb, option(OPT_SHB_USERAPPL, Buffer.from(application)), endOfOptions()])));
  for (const i of interfaces) {
    const idb = Buffer.alloc(8);
    idb.writeUInt16LE(i.linkType, 0);
    idb.writeUInt32LE(SNAP_LENGTH, 4);
    const opts = [option(OPT_IF_NAME, Buffer.from(i.name)), ...(i.description ? [option(OPT_IF_DESCRIPTION, Buffer.from(i.description))] : []), option(OPT_IF_TSRESOL, Buffer.from([TSRESOL_MICROS])), endOfOptions()];
    parts.push(block(BLOCK_IDB, Buffer.concat([idb, ...opts])));
  }
  for (const p of packets) {
    const micros = BigInt(Math.round(p.time * 1000));
    const head = Buffer.alloc(20);
    head.writeUInt32LE(p.iface, 0);
    head.writeUInt32LE(Number(micros >> 32n), 4);
    head.writeUInt32LE(Number(micros & 0xffffffffn), 8);
    head.writeUInt32LE(p.data.length, 12);
    head.writeUInt32LE(p.length, 16);
    const opts: Buffer[] = [];
    if (p.direction) {
      const flags = Buffer.alloc(4);
      flags.writeUInt32LE(p.direction === 'in' ? EPB_INBOUND : EPB_OUTBOUND, 0);
      opts.push(option(OPT_EPB_FLAGS, flags));
    }
    if (p.comment) opts.push(option(OPT_COMMENT, Buffer.from(p.comment)));
    if (opts.length) opts.push(endOfOptions());
    parts.push(block(BLOCK_EPB, Buffer.concat([head, p.data, Buffer.alloc(pad4(p.data.length)), ...opts])));
  }
  return Buffer.concat(parts);
}
