import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // The socket.io server and the terminals (node-pty, a native addon) run in
  // vethlab's own server process; keep them out of any server bundle.
  serverExternalPackages: ['node-pty', 'socket.io'],
  poweredByHeader: false,
};

export default nextConfig;
