'use client';

import dynamic from 'next/dynamic';

/** A named lab's page, `/lab/NAME`: the same app as `/`, which reads the lab's name from the path. */
const LabApp = dynamic(() => import('@/components/LabApp'), {
  ssr: false,
  loading: () => <div className="boot">Loading vethlab…</div>,
});

export default function LabPage() {
  return <LabApp />;
}
