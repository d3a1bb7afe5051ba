'use client';
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import type { StudentLink } from '@/server/protocol';
import { copyText } from '../lib/clipboard';

/** Each student's join link (their lab's edit link): a list to copy, and QR codes to project. */
export default function JoinLinks({ links, onInfo }: { links: StudentLink[]; onInfo(m: string): void }) {
  const [qr, setQr] = useState<Record<string, string> | null>(null);
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (!show) return;
    let live = true;
    void Promise.all(links.map(async (l) => [l.lab, await QRCode.toDataURL(l.edit, { margin: 1, width: 220 })] as const)).then((pairs) => live && setQr(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
  }, [show, links]);
  const text = links.map((l) => `${l.name}\t${l.edit}`).join('\n');
  return (
    <section className="join-links" aria-label="Join links">
      <div className="join-links-bar">
        <h3>Join links</h3>
        <button type="button" className="btn btn-small" onClick={async () => onInfo((await copyText(text)) ? `Copied ${links.length} join links` : 'the browser refused to copy; select the list instead')}>
          Copy all
        </button>
        <button type="button" className="btn btn-small" aria-pressed={show} onClick={() => setShow((s) => !s)}>
          {show ? 'Hide QR codes' : 'QR codes'}
        </button>
      </div>
      {show ? (
        <div className="qr-grid">
          {links.map((l) => (
            <figure key={l.lab} className="qr-card">
              {qr?.[l.lab] ? <img src={qr[l.lab]} alt={`QR code of ${l.name}'s lab`} width={220} height={220} /> : <div className="qr-wait">…</div>}
              <figcaption>{l.name}</figcaption>
            </figure>
          ))}
        </div>
      ) : (
        <ul className="join-list">
          {links.map((l) => (
            <li key={l.lab}>
              <span className="join-name">{l.name}</span> <code className="join-url">{l.edit}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
