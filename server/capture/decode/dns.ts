/**
 * DNS, decoded by dns-packet (the decoder most of npm's DNS tools share)
 * rather than by hand: names are compressed, and record types are many.
 */
import dnsPacket from 'dns-packet';
import { field, type Layer } from './layer';

export const DNS_PORT = 53;
/** mDNS and LLMNR look like DNS too. */
export const DNS_LIKE_PORTS = new Set([DNS_PORT, 5353, 5355]);

export interface DnsMessage {
  layer: Layer;
  text: string;
}

type Answer = dnsPacket.Answer;

function answerText(a: Answer): string {
  const data = 'data' in a ? a.data : undefined;
  return typeof data === 'string' ? `${a.type} ${data}` : a.type;
}

export function decodeDns(b: Uint8Array, at: number, end: number, overTcp = false): DnsMessage | undefined {
  // Over TCP a two-byte length comes first.
  const start = overTcp ? at + 2 : at;
  if (end <= start) return undefined;
  let msg: dnsPacket.Packet;
  try {
    msg = dnsPacket.decode(Buffer.from(b.buffer, b.byteOffset + start, end - start));
  } catch {
    return undefined;
  }
  const id = msg.id ?? 0;
  const questions = msg.questions ?? [];
  const answers = msg.answers ?? [];
  const authorities = msg.authorities ?? [];
  const additionals = msg.additionals ?? [];
  const response = msg.type === 'response';
  const q = questions[0];
  const question = q ? `${q.type}? ${q.name}.` : '';
  const rcode = (msg as { rcode?: string }).rcode;
  const length = end - start;
  const flags = msg.flags ?? 0;
  // tcpdump's marks: * authoritative, - recursion not available, | truncated; + recursion desired.
  const marks = response ? `${flags & dnsPacket.AUTHORITATIVE_ANSWER ? '*' : ''}${flags & dnsPacket.RECURSION_AVAILABLE ? '' : '-'}${flags & dnsPacket.TRUNCATED_RESPONSE ? '|' : ''}` : flags & dnsPacket.RECURSION_DESIRED ? '+' : '';
  // tcpdump's words: `4660+ A? example.lab. (29)`, `4660 1/0/0 A 10.0.1.1 (45)`.
  const text = response
    ? `${id}${marks}${rcode && rcode !== 'NOERROR' ? ` ${rcode}` : ''} ${answers.length}/${authorities.length}/${additionals.length}${answers.length ? ` ${answers.map(answerText).join(', ')}` : ''} (${length})`
    : `${id}${marks} ${question} (${length})`;
  return {
    text,
    layer: {
      kind: 'application',
      name: 'DNS',
      start,
      end,
      fields: () => [
        field('Transaction id', id),
        field('Kind', response ? `response${rcode ? `, ${rcode}` : ''}` : 'query'),
        ...questions.map((x) => field('Question', `${x.name} ${x.type}`)),
        ...answers.map((x) => field('Answer', `${x.name} ${answerText(x)}`)),
        ...authorities.map((x) => field('Authority', `${x.name} ${answerText(x)}`)),
      ],
    },
  };
}
