'use client';
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  type OnConnectEnd,
  type OnNodeDrag,
} from '@xyflow/react';
import type { TrafficRate } from '@/server/protocol';
import type { Position, Topology } from '@/server/model/topology';
import { colorOfType, NODE_TYPES } from '../nodes/node-types';
import VethEdge from '../edges/VethEdge';
import type { LabNode } from '../nodes/node-data';
import type { VethEdgeType } from '../edges/edge-data';
import { useFlowElements, type Selection } from '../hooks/useFlowElements';
import { SelectEdgeContext } from './select-context';
import PacketLayer from './PacketLayer';

// Module scope: React Flow re-mounts every node when these objects change identity.
const nodeTypes = NODE_TYPES;
const edgeTypes = { veth: VethEdge };

/** Room around a fitted lab for the zoom controls (left) and the mini map (bottom right). */
const FIT_PADDING = { top: '40px', right: '50px', bottom: '120px', left: '80px' } as const;

/** How far from a handle a dropped connection still snaps to it. */
const CONNECTION_RADIUS_PX = 40;

export interface LabCanvasProps {
  topology: Topology | null;
  positions: Record<string, Position>;
  traffic: Record<string, TrafficRate>;
  selection: Selection;
  onSelect(selection: Selection): void;
  onDrag(name: string, position: Position): void;
  onDragStop(positions: Record<string, Position>): void;
  /** A connection was dragged from one node to another: ask for a veth pair. */
  onConnectNodes(a: string, b: string): void;
  /** A node was double-clicked: open a terminal in it. */
  onOpenTerminal(node: string): void;
  /** Changes to fit the whole lab into view (after a load or an auto layout). */
  fitSignal: number;
  editable: boolean;
}

function Canvas(props: LabCanvasProps) {
  const { topology, positions, traffic, selection, onSelect, onDrag, onDragStop, onConnectNodes, onOpenTerminal, fitSignal, editable } = props;
  const { nodes: derived, edges } = useFlowElements(topology, positions, selection, traffic);
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const { fitView } = useReactFlow();

  // Measurements are React Flow's to make and ours to keep: nodes rebuilt from a new state reuse them.
  const nodes = useMemo(() => derived.map((n) => (measured[n.id] ? { ...n, measured: measured[n.id] } : n)), [derived, measured]);

  const onNodesChange = useCallback(
    (changes: NodeChange<LabNode>[]) => {
      const dims: Record<string, { width: number; height: number }> = {};
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) dims[c.id] = c.dimensions;
        else if (c.type === 'position' && c.position && c.dragging) onDrag(c.id, c.position);
        else if (c.type === 'select' && c.selected) onSelect({ kind: 'node', id: c.id });
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
    (_event, _node, dragged) => onDragStop(Object.fromEntries(dragged.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }]))),
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

  // On the first nodes (the lab was empty or not yet loaded) and on request, after React Flow measured them.
  const hasNodes = nodes.length > 0;
  useEffect(() => {
    if (!hasNodes) return;
    const t = setTimeout(() => fitView({ padding: FIT_PADDING, maxZoom: 1.2, duration: 300 }), 50);
    return () => clearTimeout(t);
  }, [fitSignal, hasNodes, fitView]);

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
        <MiniMap position="bottom-right" style={{ width: 170, height: 110 }} pannable zoomable nodeColor={(n) => colorOfType(n.type)} nodeStrokeWidth={2} ariaLabel="Mini map" />
      </ReactFlow>
      <PacketLayer />
      {empty && (
        <div className="canvas-empty" role="note">
          <p className="canvas-empty-title">Add a namespace or load an example</p>
          <p>Then drag from a node&apos;s ● handle to another node to connect them with a veth pair.</p>
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
