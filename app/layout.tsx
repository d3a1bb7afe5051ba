import type { Metadata, Viewport } from 'next';
import '@xyflow/react/dist/style.css';
import '@xterm/xterm/css/xterm.css';
import './globals.css';
import './styles/toolbar.css';
import './styles/overlays.css';
import './styles/canvas.css';
import './styles/nodes.css';
import './styles/inspector.css';
import './styles/bottom.css';
import './styles/packets.css';
import './styles/lessons.css';
import './styles/teacher.css';

export const metadata: Metadata = {
  title: 'vethlab',
  description: 'A lab for Linux network namespaces and veth pairs',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
