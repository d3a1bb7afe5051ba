'use client';
import type { ConnectionStatus } from '../lab/lab-client';

/** Says why the lab cannot be used right now; nothing while connected. */
export default function ConnectionBanner({ status, detail }: { status: ConnectionStatus; detail?: string }) {
  if (status === 'connected') return null;
  if (status === 'unauthorized') {
    return (
      <div className="banner banner-error" role="alert">
        <strong>Not authorized.</strong> Open the URL printed by <code>vethlab serve</code> (it carries the access token).
        {detail && <span className="banner-detail"> ({detail})</span>}
      </div>
    );
  }
  if (status === 'connecting') {
    return (
      <div className="banner banner-info" role="status">
        Connecting to the lab server…
      </div>
    );
  }
  return (
    <div className="banner banner-warn" role="alert">
      <strong>Disconnected from the lab server.</strong> Trying again… If it does not come back, check that <code>vethlab serve</code> is still running.
      {detail && <span className="banner-detail"> ({detail})</span>}
    </div>
  );
}
