'use client';
import { useEffect, useRef } from 'react';
import { useStoreApi } from '@xyflow/react';
import { usePackets } from '../packets/packet-store';
import { protocolColor } from '../packets/packet-colors';

const DOT_RADIUS_PX = 6;
/** Points sampled along a cable once per shape; a dot's place is read from them, with no layout per frame. */
const TRACK_SAMPLES = 64;

interface Track {
  d: string;
  left: string;
  /** x, y pairs in flow coordinates, evenly spaced along the cable. */
  points: Float64Array;
}

function sampleTrack(el: SVGPathElement, d: string): Track {
  const length = el.getTotalLength();
  const points = new Float64Array(2 * (TRACK_SAMPLES + 1));
  for (let i = 0; i <= TRACK_SAMPLES; i++) {
    const p = el.getPointAtLength((i / TRACK_SAMPLES) * length);
    points[2 * i] = p.x;
    points[2 * i + 1] = p.y;
  }
  return { d, left: el.dataset.left ?? '', points };
}

function pointAt(points: Float64Array, t: number): [number, number] {
  const f = Math.min(Math.max(t, 0), 1) * TRACK_SAMPLES;
  const i = Math.min(Math.floor(f), TRACK_SAMPLES - 1);
  const k = f - i;
  return [points[2 * i] + k * (points[2 * i + 2] - points[2 * i]), points[2 * i + 1] + k * (points[2 * i + 3] - points[2 * i + 1])];
}

/**
 * The packets crossing the cables: a dot each, coloured by protocol, moving
 * from the end that sent it to the other. One canvas over the diagram,
 * drawn only while dots fly: a hundred dots cost one element and one loop,
 * not a hundred animated elements (in software rendering, those cost the
 * page its frames during a flood). Each cable's path, and which end it
 * starts at, come from its invisible `.veth-track`.
 */
export default function PacketLayer() {
  const ref = useRef<HTMLCanvasElement>(null);
  const flow = useStoreApi();

  useEffect(() => {
    const canvas = ref.current!;
    const ctx = canvas.getContext('2d')!;
    const started = new Map<number, number>();
    const tracks = new Map<string, Track>();
    let raf = 0;

    const draw = (now: number) => {
      raf = 0;
      const { flights, land } = usePackets.getState();
      const box = { width: canvas.clientWidth, height: canvas.clientHeight };
      const dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(box.width * dpr) || canvas.height !== Math.round(box.height * dpr)) {
        canvas.width = Math.round(box.width * dpr);
        canvas.height = Math.round(box.height * dpr);
      }
      // The diagram's pan and zoom: flow coordinates to the canvas's, which covers the diagram exactly.
      const [tx, ty, zoom] = flow.getState().transform;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, box.width, box.height);
      const seen = new Set<string>();
      const landed: number[] = [];
      for (const f of flights) {
        const start = started.get(f.id) ?? (started.set(f.id, now), now);
        const t = (now - start) / f.duration;
        if (t >= 1) {
          landed.push(f.id);
          continue;
        }
        let track = tracks.get(f.link);
        if (!seen.has(f.link)) {
          // Once a frame per cable: a cable moved with its node has a new shape.
          seen.add(f.link);
          const el = document.querySelector<SVGPathElement>(`.veth-track[data-link="${CSS.escape(f.link)}"]`);
          const d = el?.getAttribute('d') ?? '';
          if (!el || !d) tracks.delete(f.link);
          else if (track?.d !== d || track.left !== el.dataset.left) tracks.set(f.link, sampleTrack(el, d));
          track = tracks.get(f.link);
        }
        if (!track) continue;
        const [fx, fy] = pointAt(track.points, f.from === track.left ? t : 1 - t);
        const x = fx * zoom + tx;
        const y = fy * zoom + ty;
        ctx.beginPath();
        ctx.arc(x, y, DOT_RADIUS_PX, 0, 2 * Math.PI);
        ctx.fillStyle = protocolColor(f.protocol);
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.strokeStyle = '#fff';
        ctx.stroke();
      }
      for (const id of landed) started.delete(id);
      canvas.dataset.flying = String(flights.length - landed.length);
      if (landed.length) land(landed);
      if (usePackets.getState().flights.length) raf = requestAnimationFrame(draw);
      else ctx.clearRect(0, 0, box.width, box.height);
    };

    const wake = () => {
      if (!raf && usePackets.getState().flights.length) raf = requestAnimationFrame(draw);
    };
    const unsubscribe = usePackets.subscribe(wake);
    wake();
    return () => {
      unsubscribe();
      cancelAnimationFrame(raf);
    };
  }, [flow]);

  return <canvas ref={ref} className="packet-layer" aria-hidden="true" data-flying="0" />;
}
