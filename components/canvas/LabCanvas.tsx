'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  getNodesBounds,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  type OnConnectEnd,
  type OnNodeDrag,
} from '@xyflow/react';
import { useLabStore } from '../lab/lab-store';
import { useView } from '../view/view-store';
import type { Position, Topology } from '@/server/model/topology';
import { colorOfType, NODE_TYPES } from '../nodes/node-types';
import VethEdge from '../edges/VethEdge';
import { NODE_WIDTH_PX, type LabNode } from '../nodes/node-data';
import type { VethEdgeType } from '../edges/edge-data';
import { useFlowElements, type Selection } from '../hooks/useFlowElements';
import { SelectEdgeContext } from './select-context';
import PacketLayer from './PacketLayer';
import { fitPadding } from './fit-padding';
import type { EmptyNote } from './empty-note';
import { prefersReducedMotion } from '../lib/motion';

// Module scope: React Flow re-mounts every node when these objects change identity.
const nodeTypes = NODE_TYPES;
const edgeTypes = { veth: VethEdge };

/** A fitted lab of two nodes is not blown up past this: the type stays the size of the rest of the page (larger when presenting). */
const FIT_MAX_ZOOM = { normal: 1.2, presenting: 1.8 };

/** A canvas smaller than this has no room for the mini map (a 1280x720 projector at 150% zoom): it hides, and no node goes under it. */
export const MINIMAP_MIN_PX = { width: 640, height: 330 };

/** The refit glides (none when reduced motion is asked for). */
const FIT_DURATION_MS = 300;
const UNMEASURED_HEIGHT_PX = 120;

/** A resize refits once it has settled (dragging the splitter sends many). */
const RESIZE_SETTLE_MS = 150;

/** How far from a handle a dropped connection still snaps to it. */
const CONNECTION_RADIUS_PX = 40;

export interface LabCanvasProps {
  topology: Topology | null;
  positions: Record<string, Position>;
  selection: Selection;
  onSelect(selection: Selection): void;
  onDrag(name: string, position: Position): void;
  onDragStop(positions: Record<string, Position>): void;
  /** A connection was dragged from one node to another: ask for a veth pair. */
  onConnectNodes(a: string, b: string): void;
  /** A node was double-clicked: open a terminal in it. */
  onOpenTerminal(node: string): void;
  /** Changes to fit the whole lab into view (after a load or an auto layout); resizes and new nodes out of view refit too. */
  fitSignal: number;
  editable: boolean;
  /** What an empty lab says in the middle of the canvas: the first thing to do, which depends on who looks and why. */
  emptyNote: EmptyNote;
}

/** A node's place and size in the diagram's own coordinates. */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Not measured yet: the nodes' set width, and a header with one interface row. */
function boxOf(n: { position: { x: number; y: number } }, size: { width: number; height: number } | undefined): Box {
  return { x: n.position.x, y: n.position.y, width: size?.width ?? NODE_WIDTH_PX, height: size?.height ?? UNMEASURED_HEIGHT_PX };
}

function Canvas(props: LabCanvasProps) {
  const { topology, positions, selection, onSelect, onDrag, onDragStop, onConnectNodes, onOpenTerminal, fitSignal, editable, emptyNote } = props;
  const traffic = useLabStore((s) => s.traffic);
  const [roomy, setRoomy] = useState(true);
  const minimap = useView((s) => s.minimap) && roomy;
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const { nodes: derived, edges } = useFlowElements(topology, positions, selection, traffic, measured);
  const { fitView, getViewport, getNodes } = useReactFlow();
  const box = useRef<HTMLDivElement | null>(null);
  // A node is being dragged: the view stays as the reader has it.
  const dragging = useRef(false);

  // Measurements are React Flow's to make and ours to keep: nodes rebuilt from a new state reuse them.
  const nodes = useMemo(() => derived.map((n) => (measured[n.id] ? { ...n, measured: measured[n.id] } : n)), [derived, measured]);

  const onNodesChange = useCallback(
    (changes: NodeChange<LabNode>[]) => {
      const dims: Record<string, { width: number; height: number }> = {};
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) dims[c.id] = c.dimensions;
        else if (c.type === 'position' && c.position && c.dragging) {
          dragging.current = true;
          onDrag(c.id, c.position);
        } else if (c.type === 'select' && c.selected) onSelect({ kind: 'node', id: c.id });
      }
      if (Object.keys(dims).length > 0) setMeasured((m) => ({ ...m, ...dims }));
    },
    [onDrag, onSelect],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<VethEdgeType>[]) => {
      for (const c of changes) if (c.type === 'select' && c.selected) onSelect({ kind: 'edge', id: c.id });
    },
    [onSelect],
  );

  const onNodeDragStop: OnNodeDrag<LabNode> = useCallback(
    (_event, _node, dragged) => {
      dragging.current = false;
      onDragStop(Object.fromEntries(dragged.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }])));
    },
    [onDragStop],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (c.source !== c.target) onConnectNodes(c.source, c.target);
    },
    [onConnectNodes],
  );

  // A drop on a node's body (not on a handle) also connects: a big target is kinder on a projector.
  const onConnectEnd: OnConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromNode) return;
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      if (!point) return;
      const target = document.elementFromPoint(point.clientX, point.clientY)?.closest('.react-flow__node');
      const name = target?.getAttribute('data-id');
      if (name && name !== state.fromNode.id) onConnectNodes(state.fromNode.id, name);
    },
    [onConnectNodes],
  );

  const isValidConnection = useCallback((c: Connection | VethEdgeType) => c.source !== c.target, []);
  const selectEdge = useCallback((id: string) => onSelect({ kind: 'edge', id }), [onSelect]);

  // On the first nodes (the lab was empty or not yet loaded), on request, and when the mini map comes or goes, after React Flow measured them.
  const hasNodes = nodes.length > 0;
  const presenting = useView((s) => s.presenting);
  // The whole lab in view, clear of the mini map, with the padding that leaves it largest.
  const fit = useCallback(() => {
    const el = box.current?.parentElement;
    const all = getNodes();
    if (!el || all.length === 0) return;
    const content = getNodesBounds(all);
    void fitView({
      padding: fitPadding(minimap, { width: el.clientWidth, height: el.clientHeight }, content),
      maxZoom: presenting ? FIT_MAX_ZOOM.presenting : FIT_MAX_ZOOM.normal,
      duration: prefersReducedMotion() ? 0 : FIT_DURATION_MS,
    });
  }, [fitView, getNodes, minimap, presenting]);
  useEffect(() => {
    if (!hasNodes) return;
    const t = setTimeout(fit, 50);
    return () => clearTimeout(t);
  }, [fitSignal, hasNodes, fit]);

  // A resize (the window, the splitter, a panel folded, presentation mode) refits once it settles.
  useEffect(() => {
    const el = box.current?.parentElement;
    if (!el) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = '';
    const observer = new ResizeObserver(() => {
      setRoomy(el.clientWidth >= MINIMAP_MIN_PX.width && el.clientHeight >= MINIMAP_MIN_PX.height);
      const size = `${el.clientWidth}x${el.clientHeight}`;
      if (size === last || el.clientWidth === 0) return;
      const first = last === '';
      last = size;
      if (first) return;
      clearTimeout(timer);
      timer = setTimeout(fit, RESIZE_SETTLE_MS);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }, [fit]);

  // A node that arrives outside the view (added from another browser, a lesson, a terminal) brings the view to it;
  // so does a node seen whole that a change pushes past the edge: it grew (an interface, an address: the host of
  // seed 000) or was placed anew. Not while the reader drags one: that is theirs to place.
  const known = useRef<Map<string, Box> | null>(null);
  useEffect(() => {
    const before = known.current;
    known.current = new Map(nodes.map((n) => [n.id, boxOf(n, measured[n.id])]));
    if (!before || dragging.current) return;
    const el = box.current?.parentElement;
    if (!el) return;
    const { x, y, zoom } = getViewport();
    const margin = 20;
    const outside = (b: Box) => {
      const left = b.x * zoom + x;
      const top = b.y * zoom + y;
      return left < 0 || top < 0 || left + b.width * zoom > el.clientWidth - margin || top + b.height * zoom > el.clientHeight - (minimap ? 140 : margin);
    };
    const overflows = nodes.some((n) => {
      const was = before.get(n.id);
      const now = known.current!.get(n.id)!;
      if (!was) return outside(now);
      // Whole before, not now; one already partly out (zoomed in on another part, dragged off) is left so.
      return !outside(was) && outside(now);
    });
    if (!overflows) return;
    // After React Flow has measured the newcomer (a later render must not cancel it).
    setTimeout(fit, 80);
  }, [nodes, measured, getViewport, fit, minimap]);

  const empty = topology !== null && Object.keys(topology.nodes).length === 0;
  return (
    <SelectEdgeContext.Provider value={selectEdge}>
      <ReactFlow<LabNode, VethEdgeType>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onPaneClick={() => onSelect(null)}
        onNodeDoubleClick={(_, n) => onOpenTerminal(n.id)}
        zoomOnDoubleClick={false}
        isValidConnection={isValidConnection}
        connectionMode={ConnectionMode.Loose}
        connectionRadius={CONNECTION_RADIUS_PX}
        nodesConnectable={editable}
        nodesDraggable={editable}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        minZoom={0.2}
        maxZoom={2}
        aria-label="Lab diagram"
      >
        <Background variant={BackgroundVariant.Dots} gap={22} size={1.6} color="#c4cad3" />
        <Controls position="bottom-left" />
        {/* An empty lab's mini map is a blank box. */}
        {minimap && !empty && <MiniMap position="bottom-right" style={{ width: 170, height: 110 }} pannable zoomable nodeColor={(n) => colorOfType(n.type)} nodeStrokeWidth={2} ariaLabel="Mini map" />}
      </ReactFlow>
      <PacketLayer />
      <span ref={box} hidden />
      {empty && (
        <div className="canvas-empty" role="note">
          <p className="canvas-empty-title">{emptyNote.title}</p>
          <p>{emptyNote.text}</p>
          {emptyNote.action && (
            <button type="button" className="btn btn-primary canvas-empty-action" onClick={emptyNote.action.run}>
              {emptyNote.action.label}
            </button>
          )}
        </div>
      )}
    </SelectEdgeContext.Provider>
  );
}

/** Needs a ReactFlowProvider above it (LabApp places new nodes in the visible part of the canvas). */
export default function LabCanvas(props: LabCanvasProps) {
  return (
    <div className="canvas">
      <Canvas {...props} />
    </div>
  );
}
