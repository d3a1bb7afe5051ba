import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // The socket.io server and the terminals (node-pty, a native addon) run in
  // vethlab's own server process; keep them out of any server bundle.
  serverExternalPackages: ['node-pty', 'socket.io'],
  poweredByHeader: false,
  // Static files in out/, served by vethlab's own server (server/web/static-page.ts):
  // the page is browser-only, so no Next.js server needs to run beside the labs.
  output: 'export',
};

export default nextConfig;
