'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import type { LabEdit } from '@/server/protocol';
import { linkKey, type Position } from '@/server/model/topology';
import { useLab } from './hooks/useLab';
import { useToasts } from './hooks/useToasts';
import { usePositionOverrides } from './hooks/usePositionOverrides';
import { useDeleteKey } from './hooks/useDeleteKey';
import { usePanelSize } from './hooks/usePanelSize';
import type { Selection } from './hooks/useFlowElements';
import { autoLayout } from './lib/auto-layout';
import { effectivePositions, freeSlot, freeSlotInView } from './lib/positions';
import { downloadText } from './lib/download';
import { copyText } from './lib/clipboard';
import LabCanvas from './canvas/LabCanvas';
import Toolbar from './toolbar/Toolbar';
import Inspector from './inspector/Inspector';
import BottomPanel, { LOG_TAB, PACKETS_TAB } from './bottom/BottomPanel';
import PacketsPanel from './packets/PacketsPanel';
import { usePackets } from './packets/packet-store';
import type { CaptureScope } from '@/server/protocol';
import LessonPanel from './lessons/LessonPanel';
import LessonMenu from './lessons/LessonMenu';
import ConfirmDialog from './ui/ConfirmDialog';
import Toasts from './ui/Toasts';
import ConnectionBanner from './ui/ConnectionBanner';

/** A new node's slot stays taken this long, so quick clicks do not stack nodes before the state arrives. */
const RESERVED_SLOT_MS = 5000;
/** Rough xterm.js cell size at 15px, for the size a terminal opens at (it is fitted right after). */
const CELL_PX = { width: 9, height: 18 };

function Lab() {
  const lab = useLab();
  const { screenToFlowPosition } = useReactFlow();
  const { toasts, push, dismiss } = useToasts();
  const topology = lab.state?.topology ?? null;
  const [selection, setSelection] = useState<Selection>(null);
  const [activeTab, setActiveTab] = useState(LOG_TAB);
  const [sideTab, setSideTab] = useState<'lesson' | 'inspector'>('inspector');
  const [showTeacherLab, setShowTeacherLab] = useState(false);
  const [startLesson, setStartLesson] = useState<{ req: { id: string } | { source: string; name: string }; title: string } | null>(null);
  const [fitSignal, setFitSignal] = useState(0);
  const { overrides, drag, sent, answered } = usePositionOverrides(lab.state?.version);
  const bottom = usePanelSize('vethlab.bottomPanelPx', 260, 120, 0.7);
  const reserved = useRef<{ at: number; position: Position }[]>([]);
  const selectNewNode = useRef<Set<string> | null>(null);
  const connected = lab.status === 'connected';
  // A view link shows everything and changes nothing; the server refuses its edits anyway.
  const readOnly = lab.hello?.role === 'view';
  const editable = connected && !readOnly;

  const positions = useMemo(() => (topology ? effectivePositions(topology, overrides) : {}), [topology, overrides]);

  const { edit } = lab;
  const run = useCallback(
    async (e: LabEdit) => {
      const r = await edit(e);
      if (!r.ok) push('error', r.error);
      return r;
    },
    [edit, push],
  );

  // A node that appears after `Add namespace` is selected, so it can be named at once.
  useEffect(() => {
    const before = selectNewNode.current;
    if (!topology || !before) return;
    const added = Object.keys(topology.nodes).find((n) => !before.has(n));
    if (added) {
      selectNewNode.current = null;
      setSelection({ kind: 'node', id: added });
    }
  }, [topology]);

  // A selection shows the inspector; a lesson that starts (or is there on load) shows the lesson.
  useEffect(() => {
    if (selection) setSideTab('inspector');
  }, [selection]);
  const lessonId = lab.lesson?.id;
  useEffect(() => {
    setSideTab(lessonId ? 'lesson' : 'inspector');
  }, [lessonId]);

  // Forget a selection the server's state no longer has (deleted here or by another browser).
  useEffect(() => {
    if (!topology || !selection) return;
    const exists = selection.kind === 'node' ? !!topology.nodes[selection.id] : topology.links.some((l) => linkKey(l) === selection.id);
    if (!exists) setSelection(null);
  }, [topology, selection]);

  // The token is in the cookie once connected; keep it off the projector.
  useEffect(() => {
    if (!connected) return;
    const url = new URL(window.location.href);
    if (!url.searchParams.has('token')) return;
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
  }, [connected]);

  /** The part of the canvas on screen, in flow coordinates. */
  const visibleArea = () => {
    const r = document.querySelector('.canvas')?.getBoundingClientRect();
    if (!r) return null;
    const a = screenToFlowPosition({ x: r.left, y: r.top });
    const b = screenToFlowPosition({ x: r.right, y: r.bottom });
    return { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
  };

  const addNode = (kind: 'netns' | 'router' | 'bridge' | 'host') => {
    const now = Date.now();
    reserved.current = reserved.current.filter((r) => now - r.at < RESERVED_SLOT_MS);
    const taken = [...Object.values(positions), ...reserved.current.map((r) => r.position)];
    const view = visibleArea();
    // Where the class is looking; when that is full, the next grid slot and a view that shows it.
    const inView = view ? freeSlotInView(view, taken) : null;
    const position = inView ?? freeSlot(taken);
    reserved.current.push({ at: now, position });
    selectNewNode.current = new Set(Object.keys(topology?.nodes ?? {}));
    void run({ op: 'add-node', kind, position }).then((r) => {
      if (!r.ok) selectNewNode.current = null;
      else if (!inView) setFitSignal((n) => n + 1);
    });
  };

  const movedTo = useCallback(
    async (moved: Record<string, Position>) => {
      sent(moved);
      const r = await run({ op: 'move-nodes', positions: moved });
      answered(Object.keys(moved), r.ok);
    },
    [run, sent, answered],
  );

  const load = async (yaml: string) => {
    setSelection(null);
    const r = await run({ op: 'load', yaml });
    if (r.ok) setFitSignal((n) => n + 1);
  };

  const exportAs = async (format: 'yaml' | 'sh') => {
    const r = await lab.exportLab(format);
    if (!r.ok) return push('error', r.error);
    const base = (topology?.name || 'lab').replace(/[^A-Za-z0-9_.-]/g, '_');
    downloadText(`${base}.${format}`, r.text, format === 'yaml' ? 'application/yaml' : 'text/x-shellscript');
  };

  const layout = () => {
    if (!topology) return;
    void movedTo(autoLayout(topology));
    setFitSignal((n) => n + 1);
  };

  const deleteSelection = useCallback(
    (sel: NonNullable<Selection>) => {
      if (sel.kind === 'node') return void run({ op: 'delete-node', name: sel.id });
      const link = topology?.links.find((l) => linkKey(l) === sel.id);
      if (link) void run({ op: 'delete-link', a: link.endpoints[0], b: link.endpoints[1] });
    },
    [run, topology],
  );
  useDeleteKey(selection, deleteSelection);

  const openTerminal = async (node: string, ping?: string): Promise<string | undefined> => {
    if (!lab.hub) return undefined;
    const cols = Math.max(20, Math.floor((window.innerWidth - 32) / CELL_PX.width));
    const rows = Math.max(5, Math.floor((bottom.size - 56) / CELL_PX.height));
    const r = await lab.hub.open(node, { ping, cols, rows });
    if (r.ok) setActiveTab(r.id);
    else push('error', r.error);
    return r.ok ? r.id : undefined;
  };

  /** A lesson's command block, typed into the node's open terminal (or a new one) and run. */
  const typeInto = async (node: string, text: string) => {
    const target = node === 'host' ? hostNodeName(topology) : node;
    const open = lab.terminals.find((t) => t.node === target && !t.ended && !t.title.startsWith('ping'));
    const id = open?.id ?? (await openTerminal(target));
    if (!id || !lab.hub) return;
    setActiveTab(id);
    lab.hub.input(id, `${text}\n`);
  };

  const lessonAction = async (what: Promise<{ ok: boolean; error?: string } | { ok: false; error: string }> | undefined) => {
    const r = await what;
    if (r && !r.ok) push('error', (r as { error: string }).error);
  };

  const closeTerminal = (id: string) => {
    lab.hub?.close(id);
    if (activeTab === id) setActiveTab(LOG_TAB);
  };

  const capturing = usePackets((s) => s.captures.some((c) => c.running));
  const capture = async (scope: CaptureScope) => {
    if (!lab.client) return;
    setActiveTab(PACKETS_TAB);
    const r = await lab.client.watch(scope);
    if (!r.ok) push('error', r.error);
  };

  const onError = useCallback((m: string) => push('error', m), [push]);

  const copyLog = async (script: string) => {
    if (await copyText(script)) push('info', 'Copied the commands as a shell script');
    else push('error', 'the browser refused to copy; select the log text instead');
  };

  const hasHost = !!topology && Object.values(topology.nodes).some((n) => n.kind === 'host');
  return (
    <div className="app" style={{ '--bottom-height': `${bottom.size}px` } as React.CSSProperties}>
      <Toolbar
        connected={editable}
        readOnly={readOnly}
        canRead={connected}
        labName={lab.hello?.lab ?? ''}
        machine={lab.hello ? !lab.hello.realHost : false}
        onOpenMachineTerminal={() => void openTerminal(hostNodeName(topology))}
        nodeCount={topology ? Object.keys(topology.nodes).length : 0}
        hasHost={hasHost}
        progress={lab.progress}
        onAddNode={addNode}
        onLoad={load}
        onExport={exportAs}
        onAutoLayout={layout}
        onReset={() => {
          setSelection(null);
          void run({ op: 'destroy' });
        }}
        onError={(m) => push('error', m)}
        lessons={
          lab.client && (
            <LessonMenu
              disabled={!editable}
              list={lab.client.lessonList.bind(lab.client)}
              onError={onError}
              onPick={(req, title) => setStartLesson({ req, title })}
            />
          )
        }
      />
      {startLesson && (
        <ConfirmDialog
          title={`Start the lesson “${startLesson.title}”?`}
          message={<p>The lab becomes the lesson&apos;s starting lab: namespaces and cables it does not have are deleted. Progress starts at step 1.</p>}
          confirmLabel="Start lesson"
          onCancel={() => setStartLesson(null)}
          onConfirm={() => {
            const req = startLesson.req;
            setStartLesson(null);
            setSelection(null);
            void lessonAction(lab.client?.lessonStart(req)).then(() => setFitSignal((n) => n + 1));
          }}
        />
      )}
      <ConnectionBanner status={lab.status} detail={lab.statusDetail} />
      {lab.shared && (
        <p className="teacher-shared" role="status">
          Your teacher is showing their lab{' '}
          <button type="button" className="btn btn-small" aria-pressed={showTeacherLab} onClick={() => setShowTeacherLab((x) => !x)}>
            {showTeacherLab ? 'Back to my lab' : "Watch the teacher's lab"}
          </button>
        </p>
      )}
      {lab.shared && showTeacherLab && (
        <div className="teacher-frame">
          <iframe title="The teacher's lab (read-only)" src={lab.shared.url} />
        </div>
      )}
      {lab.teacher && lab.hello?.role !== 'admin' && (
        <p className="teacher-here" role="status">
          Your teacher has this lab open: what they change shows here, and they can type in its terminals.
        </p>
      )}
      <main className="workspace">
        <LabCanvas
          topology={topology}
          positions={positions}
          traffic={lab.traffic}
          selection={selection}
          onSelect={setSelection}
          onDrag={drag}
          onDragStop={movedTo}
          onConnectNodes={(a, b) => void run({ op: 'add-link', a, b })}
          onOpenTerminal={(node) => void openTerminal(node)}
          fitSignal={fitSignal}
          editable={editable}
        />
        <div className="side-panel">
          {lab.lesson && (
            <div className="side-tabs" role="tablist" aria-label="Side panel">
              <button type="button" role="tab" aria-selected={sideTab === 'lesson'} className={`side-tab${sideTab === 'lesson' ? ' active' : ''}`} onClick={() => setSideTab('lesson')}>
                Lesson
                {lab.lessonStatus && (
                  <span className="side-tab-count">
                    {lab.lessonStatus.steps.filter((x) => x.done).length}/{lab.lessonStatus.steps.length}
                  </span>
                )}
              </button>
              <button type="button" role="tab" aria-selected={sideTab === 'inspector'} className={`side-tab${sideTab === 'inspector' ? ' active' : ''}`} onClick={() => setSideTab('inspector')}>
                Inspector
              </button>
            </div>
          )}
          {lab.lesson && sideTab === 'lesson' ? (
            <aside className="inspector lesson-side" aria-label="Lesson">
              <LessonPanel
                lesson={lab.lesson}
                status={lab.lessonStatus}
                canEdit={editable}
                onType={(node, text) => void typeInto(node, text)}
                onShow={(step) => void lessonAction(lab.client?.lessonShow(step))}
                onReset={(step) => void lessonAction(lab.client?.lessonReset(step))}
                onCheck={() => void lessonAction(lab.client?.lessonCheck())}
                onStop={() => void lessonAction(lab.client?.lessonStop())}
              />
            </aside>
          ) : (
        <Inspector
          selection={selection}
          topology={topology}
          traffic={lab.traffic}
          run={run}
          onSelect={setSelection}
          onOpenTerminal={(node) => void openTerminal(node)}
          onPing={(node, target) => void openTerminal(node, target)}
          onCapture={(scope) => void capture(scope)}
          macTable={lab.macTable}
          netem={lab.hello?.netem ?? true}
          readOnly={readOnly}
        />
          )}
        </div>
      </main>
      <div className="splitter" {...bottom.separatorProps} />
      <BottomPanel
        log={lab.log}
        terminals={lab.terminals}
        hub={lab.hub}
        active={activeTab}
        onActivate={setActiveTab}
        onCloseTerminal={closeTerminal}
        onCopy={copyLog}
        capturing={capturing}
        packets={<PacketsPanel client={lab.client} topology={topology} canSteer={editable} onError={onError} />}
      />
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}

/** The host node's name: the lab machine's own shell runs there, on the canvas or not. */
function hostNodeName(topology: { nodes: Record<string, { kind: string }> } | null): string {
  return Object.entries(topology?.nodes ?? {}).find(([, n]) => n.kind === 'host')?.[0] ?? 'host';
}

export default function LabApp() {
  return (
    <ReactFlowProvider>
      <Lab />
    </ReactFlowProvider>
  );
}
