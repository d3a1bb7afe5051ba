'use client';

import dynamic from 'next/dynamic';

/**
 * The lab is a browser-only app (a socket, xterm.js, a canvas): rendering it
 * on the server would only produce a shell to hydrate, so it loads on the client.
 */
const LabApp = dynamic(() => import('@/components/LabApp'), {
  ssr: false,
  loading: () => <div className="boot">Loading vethlab…</div>,
});

export default function Page() {
  return <LabApp />;
}
