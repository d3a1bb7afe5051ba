'use client';

import dynamic from 'next/dynamic';

/**
 * The lab is a browser-only app (a socket, xterm.js, a canvas): rendering it
 * on the server would only produce a shell to hydrate, so it loads on the client.
 * It is every lab's page: vethlab's server answers `/lab/NAME` with this one
 * (server/web/static-page.ts), and the page reads the lab's name from the address.
 */
const LabApp = dynamic(() => import('@/components/LabApp'), {
  ssr: false,
  loading: () => <div className="boot">Loading vethlab…</div>,
});

export default function Page() {
  return <LabApp />;
}
