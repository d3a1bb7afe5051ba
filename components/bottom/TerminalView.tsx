'use client';
import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { TerminalHub } from '../lab/terminal-hub';
import { useView } from '../view/view-store';
import { prefersReducedMotion } from '../lib/motion';

/** The terminal's type: larger in presentation mode, for the back of the room. */
export const FONT_PX = { normal: 15, presenting: 22 };

/**
 * Written characters are acknowledged in chunks of this size (after xterm.js
 * has rendered them), so the server can pause a flood; the server resumes
 * below 5 000 unacknowledged characters, so chunks must not be larger.
 */
export const ACK_CHUNK_CHARS = 5000;

const THEME = {
  background: '#14171c',
  foreground: '#e6e9ef',
  cursor: '#7fd1a8',
  selectionBackground: '#3a4a63',
  black: '#1d2128',
  brightBlack: '#6b7380',
};

interface Props {
  id: string;
  hub: TerminalHub;
  active: boolean;
  ended: boolean;
}

/** One lab terminal: xterm.js fitted to its panel, fed by the hub, typing sent back. */
export default function TerminalView({ id, hub, active, ended }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const presenting = useView((s) => s.presenting);
  const fontSize = presenting ? FONT_PX.presenting : FONT_PX.normal;
  const firstFont = useRef(fontSize);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<FitAddon | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const term = new Terminal({
      fontSize: firstFont.current,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
      theme: THEME,
      cursorBlink: !prefersReducedMotion(),
      scrollback: 5000,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    termRef.current = term;
    fitRef.current = fit;

    let written = 0;
    const disconnect = hub.connectSink(id, {
      reset: () => term.reset(),
      write: (data, counted) =>
        term.write(
          data,
          counted
            ? () => {
                written += data.length;
                if (written >= ACK_CHUNK_CHARS) {
                  hub.ack(id, written);
                  written = 0;
                }
              }
            : undefined,
        ),
    });
    const typing = term.onData((data) => hub.input(id, data));
    // The server opened the pty at a guessed size: tell it the real one once, then every change.
    let sent = '';
    const sendSize = () => {
      const size = `${term.cols}x${term.rows}`;
      if (size !== sent) {
        sent = size;
        hub.resize(id, term.cols, term.rows);
      }
    };
    const resized = term.onResize(sendSize);
    const observer = new ResizeObserver(() => {
      // A hidden tab measures 0x0; it is fitted when shown.
      if (el.clientWidth === 0 || el.clientHeight === 0) return;
      fit.fit();
      sendSize();
    });
    observer.observe(el);

    return () => {
      observer.disconnect();
      typing.dispose();
      resized.dispose();
      disconnect();
      term.dispose();
      termRef.current = null;
      fitRef.current = null;
    };
  }, [id, hub]);

  useEffect(() => {
    if (!active) return;
    const frame = requestAnimationFrame(() => {
      fitRef.current?.fit();
      termRef.current?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [active]);

  useEffect(() => {
    const term = termRef.current;
    if (!term || term.options.fontSize === fontSize) return;
    term.options.fontSize = fontSize;
    // Fewer, larger cells: the shell learns the new size through the resize.
    if (host.current?.clientWidth) fitRef.current?.fit();
  }, [fontSize]);

  useEffect(() => {
    const term = termRef.current;
    if (!term) return;
    term.options.disableStdin = ended;
    term.options.cursorBlink = !ended && !prefersReducedMotion();
  }, [ended]);

  return <div className="terminal-host" ref={host} aria-label={`Terminal ${id}`} data-font-size={fontSize} />;
}
