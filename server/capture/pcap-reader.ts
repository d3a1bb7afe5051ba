/**
 * Reads the pcap stream tcpdump writes to stdout (`-w -`) as it arrives:
 * the file header once, then one record per packet, in chunks that split
 * records anywhere.
 */
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const MAGIC_MICROS = 0xa1b2c3d4;
const MAGIC_NANOS = 0xa1b23c4d;
/** No record of a capture with vethlab's snap length is larger; a larger one means a corrupt stream. */
const MAX_RECORD_BYTES = 256 * 1024;

export interface PcapRecord {
  /** Capture time in milliseconds since the epoch, to the microsecond. */
  time: number;
  /** Bytes on the wire; `data` may be shorter (the snap length). */
  length: number;
  /** The captured bytes, a copy that outlives the stream's buffers. */
  data: Buffer;
}

export class PcapStreamError extends Error {}

export class PcapReader {
  linkType?: number;
  private pending: Buffer = Buffer.alloc(0);
  private littleEndian = true;
  private nanos = false;

  /** Feeds a chunk; returns the whole records it completed. */
  push(chunk: Buffer): PcapRecord[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let p = 0;
    if (this.linkType === undefined) {
      if (buf.length < FILE_HEADER_BYTES) {
        this.pending = buf;
        return [];
      }
      const le = buf.readUInt32LE(0);
      const be = buf.readUInt32BE(0);
      if (le === MAGIC_MICROS || le === MAGIC_NANOS) this.littleEndian = true;
      else if (be === MAGIC_MICROS || be === MAGIC_NANOS) this.littleEndian = false;
      else throw new PcapStreamError(`not a pcap stream (magic 0x${be.toString(16)})`);
      this.nanos = (this.littleEndian ? le : be) === MAGIC_NANOS;
      this.linkType = this.u32(buf, 20) & 0x0fffffff;
      p = FILE_HEADER_BYTES;
    }
    const out: PcapRecord[] = [];
    while (buf.length - p >= RECORD_HEADER_BYTES) {
      const captured = this.u32(buf, p + 8);
      if (captured > MAX_RECORD_BYTES) throw new PcapStreamError(`a record of ${captured} bytes: the stream is corrupt`);
      if (buf.length - p < RECORD_HEADER_BYTES + captured) break;
      const seconds = this.u32(buf, p);
      const fraction = this.u32(buf, p + 4);
      out.push({
        time: seconds * 1000 + (this.nanos ? fraction / 1e6 : fraction / 1e3),
        length: this.u32(buf, p + 12),
        data: Buffer.from(buf.subarray(p + RECORD_HEADER_BYTES, p + RECORD_HEADER_BYTES + captured)),
      });
      p += RECORD_HEADER_BYTES + captured;
    }
    this.pending = p < buf.length ? Buffer.from(buf.subarray(p)) : Buffer.alloc(0);
    return out;
  }

  private u32(b: Buffer, at: number): number {
    return this.littleEndian ? b.readUInt32LE(at) : b.readUInt32BE(at);
  }
}
