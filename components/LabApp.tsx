'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import type { LabEdit } from '@/server/protocol';
import { linkKey, type Position, type Topology } from '@/server/model/topology';
import { parseTopologyYaml, stringifyTopology } from '@/server/model/topology-file';
import { useLab } from './hooks/useLab';
import { useToasts } from './hooks/useToasts';
import { usePositionOverrides } from './hooks/usePositionOverrides';
import { usePanelSize } from './hooks/usePanelSize';
import type { Selection } from './hooks/useFlowElements';
import { selectTopology, useLabStore } from './lab/lab-store';
import { NARROW_PX, useView } from './view/view-store';
import { useShortcuts } from './view/useShortcuts';
import { autoLayout } from './lib/auto-layout';
import { effectivePositions, freeSlot, freeSlotInView } from './lib/positions';
import { copyText } from './lib/clipboard';
import { diagramImage } from './lib/diagram-image';
import { downloadUrl } from './lib/download';
import { deleteUndo, undoTopology, type DeleteUndo } from './lib/undo-delete';
import LabCanvas from './canvas/LabCanvas';
import { emptyNoteFor } from './canvas/empty-note';
import Toolbar, { type ExportKind } from './toolbar/Toolbar';
import Inspector from './inspector/Inspector';
import BottomPanel, { LOG_TAB, PACKETS_TAB } from './bottom/BottomPanel';
import PacketsPanel from './packets/PacketsPanel';
import { usePackets } from './packets/packet-store';
import type { CaptureScope } from '@/server/protocol';
import LessonPanel from './lessons/LessonPanel';
import LessonMenu from './lessons/LessonMenu';
import ConfirmDialog from './ui/ConfirmDialog';
import ExportPreview, { type ExportText } from './ui/ExportPreview';
import HelpOverlay from './ui/HelpOverlay';
import Toasts from './ui/Toasts';
import ConnectionBanner from './ui/ConnectionBanner';

/** A new node's slot stays taken this long, so quick clicks do not stack nodes before the state arrives. */
const RESERVED_SLOT_MS = 5000;
/** Rough xterm.js cell size at 15px, for the size a terminal opens at (it is fitted right after). */
const CELL_PX = { width: 9, height: 18 };
/** The bottom panel's first height: a third of a 720-line projector at most, so the diagram keeps the rest. */
const BOTTOM_SHARE = 0.32;
const BOTTOM_MAX_PX = 260;

/** Long enough for React Flow to measure a loaded lab's nodes before they are laid out. */
const LAYOUT_AFTER_LOAD_MS = 300;

/** A delete waiting for the teacher's yes: it would end terminals or cut several cables. */
interface PendingDelete {
  node: string;
  cables: string[];
  terminals: string[];
}

function Lab() {
  const lab = useLab();
  const { screenToFlowPosition, getNodes } = useReactFlow();
  const { toasts, push, dismiss } = useToasts();
  const status = useLabStore((s) => s.status);
  const statusDetail = useLabStore((s) => s.statusDetail);
  const hello = useLabStore((s) => s.hello);
  const topology = useLabStore(selectTopology);
  const version = useLabStore((s) => s.state?.version);
  const lesson = useLabStore((s) => s.lesson);
  const lessonStatus = useLabStore((s) => s.lessonStatus);
  const teacher = useLabStore((s) => s.teacher);
  const shared = useLabStore((s) => s.shared);
  const view = useView();
  const [selection, setSelection] = useState<Selection>(null);
  const [activeTab, setActiveTab] = useState(LOG_TAB);
  const [sideTab, setSideTab] = useState<'lesson' | 'inspector'>('inspector');
  const [showTeacherLab, setShowTeacherLab] = useState(false);
  const [startLesson, setStartLesson] = useState<{ req: { id: string } | { source: string; name: string }; title: string } | null>(null);
  const [pendingDelete, setPendingDelete] = useState<PendingDelete | null>(null);
  const [exported, setExported] = useState<ExportText | null>(null);
  const [fitSignal, setFitSignal] = useState(0);
  const { overrides, drag, sent, answered } = usePositionOverrides(version);
  const bottom = usePanelSize('vethlab.bottomPanelPx', Math.round(Math.min(BOTTOM_MAX_PX, window.innerHeight * BOTTOM_SHARE)), 120, 0.7);
  const reserved = useRef<{ at: number; position: Position }[]>([]);
  const selectNewNode = useRef<Set<string> | null>(null);
  const lastUndo = useRef<DeleteUndo | null>(null);
  const undoToast = useRef<number | null>(null);
  const connected = status === 'connected';
  // A view link shows everything and changes nothing; the server refuses its edits anyway.
  const readOnly = hello?.role === 'view';
  const editable = connected && !readOnly;
  const fit = useCallback(() => setFitSignal((n) => n + 1), []);

  const positions = useMemo(() => (topology ? effectivePositions(topology, overrides) : {}), [topology, overrides]);

  // A window made narrow (a projector at 150% zoom) gives the diagram the side panel's room; a selection opens it again.
  const hideSide = view.hideSide;
  useEffect(() => {
    let wide = window.innerWidth >= NARROW_PX;
    const onResize = () => {
      const now = window.innerWidth >= NARROW_PX;
      if (wide && !now) hideSide();
      wide = now;
    };
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, [hideSide]);

  // Large type for the projector: every size in rem follows the root's.
  useEffect(() => {
    document.documentElement.classList.toggle('presenting', view.presenting);
    fit();
  }, [view.presenting, fit]);

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

  // A selection shows the inspector (and its panel); a lesson that starts (or is there on load) shows the lesson.
  const showSide = view.showSide;
  useEffect(() => {
    if (!selection) return;
    setSideTab('inspector');
  }, [selection]);
  const lessonId = lesson?.id;
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
    if (!editable) return;
    const now = Date.now();
    reserved.current = reserved.current.filter((r) => now - r.at < RESERVED_SLOT_MS);
    const taken = [...Object.values(positions), ...reserved.current.map((r) => r.position)];
    const area = visibleArea();
    // Where the class is looking; when that is full, the next grid slot (the canvas refits to show it).
    const position = (area ? freeSlotInView(area, taken) : null) ?? freeSlot(taken);
    reserved.current.push({ at: now, position });
    selectNewNode.current = new Set(Object.keys(topology?.nodes ?? {}));
    void run({ op: 'add-node', kind, position }).then((r) => {
      if (!r.ok) selectNewNode.current = null;
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
    // A file that places none of its nodes gets laid out once they are drawn (their sizes measured).
    const parsed = parseTopologyYaml(yaml);
    const unplaced = parsed.ok && Object.values(parsed.topology.nodes).every((n) => !n.position);
    const r = await run({ op: 'load', yaml });
    if (!r.ok) return;
    // The lab's state comes before the answer; the delay lets React Flow draw and measure it.
    if (unplaced) setTimeout(() => layoutRef.current(), LAYOUT_AFTER_LOAD_MS);
    fit();
  };

  const fileBase = () => (topology?.name || hello?.lab || 'lab').replace(/[^A-Za-z0-9_.-]/g, '_');

  const exportAs = async (kind: ExportKind) => {
    if (kind === 'svg' || kind === 'png') {
      try {
        downloadUrl(`${fileBase()}.${kind}`, await diagramImage(getNodes(), kind));
        push('info', `Saved the diagram as ${fileBase()}.${kind}`);
      } catch (e) {
        push('error', `the diagram could not be drawn: ${(e as Error).message}`);
      }
      return;
    }
    const r = await lab.exportLab(kind);
    if (!r.ok) return push('error', r.error);
    setExported(
      kind === 'yaml'
        ? { title: 'Topology file', file: `${fileBase()}.yaml`, mime: 'application/yaml', text: r.text, about: 'Import it here, or run `vethlab apply` with it, to build this lab again.' }
        : { title: 'Shell script', file: `${fileBase()}.sh`, mime: 'text/x-shellscript', text: r.text, about: 'The iproute2 commands that build this lab from nothing, as a student would type them.' },
    );
  };

  const copyBuild = async () => {
    const r = await lab.exportLab('sh');
    if (!r.ok) return push('error', r.error);
    if (await copyText(r.text)) push('info', 'Copied the commands that build this lab (the export script)');
    else setExported({ title: 'Shell script', file: `${fileBase()}.sh`, mime: 'text/x-shellscript', text: r.text, about: 'The browser refused to copy: select the text below.' });
  };

  const layout = () => {
    if (!topology || !editable) return;
    const sizes = Object.fromEntries(getNodes().flatMap((n) => (n.measured?.width && n.measured.height ? [[n.id, { width: n.measured.width, height: n.measured.height }]] : [])));
    void movedTo(autoLayout(topology, sizes));
    fit();
  };
  // The latest layout (it reads the lab at the time it runs), for the one a load asks for.
  const layoutRef = useRef(layout);
  layoutRef.current = layout;

  /** Deletes now, keeping what undo needs; the toast offers Undo, as does Ctrl Z. */
  const deleteNow = useCallback(
    async (target: { node: string } | { link: string }) => {
      const observed = useLabStore.getState().state?.topology;
      if (!observed) return;
      const undo = deleteUndo(observed, target);
      let r;
      if ('node' in target) r = await run({ op: 'delete-node', name: target.node });
      else {
        const link = observed.links.find((l) => linkKey(l) === target.link);
        if (!link) return;
        r = await run({ op: 'delete-link', a: link.endpoints[0], b: link.endpoints[1] });
      }
      if (!r.ok) return;
      lastUndo.current = undo;
      // One offer at a time: the last delete is the one undo brings back.
      if (undoToast.current) dismiss(undoToast.current);
      undoToast.current = push('info', `Deleted ${undo.what}.`, { label: 'Undo', run: () => void undoDelete() });
    },
    // undoDelete reads refs and the store only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [run, push, dismiss],
  );

  const undoDelete = async () => {
    const undo = lastUndo.current;
    const observed = useLabStore.getState().state?.topology;
    if (!undo || !observed) return push('info', 'Nothing to undo: undo brings back the last deleted node or cable.');
    lastUndo.current = null;
    if (undoToast.current) dismiss(undoToast.current);
    undoToast.current = null;
    const r = await run({ op: 'load', yaml: stringifyTopology(undoTopology(observed, undo)) });
    if (r.ok) push('info', `Brought back ${undo.what}.`);
  };

  /** Deleting a node that has terminals open or several cables asks first. */
  const requestDelete = useCallback(
    (sel: NonNullable<Selection>) => {
      if (!editable) return;
      if (sel.kind === 'edge') return void deleteNow({ link: sel.id });
      const observed = useLabStore.getState().state?.topology;
      const cables = (observed?.links ?? []).filter((l) => l.endpoints.some((e) => e.node === sel.id)).map((l) => l.endpoints.map((e) => e.iface).join(' ⟷ '));
      const terminals = useLabStore
        .getState()
        .terminals.filter((t) => t.node === sel.id && !t.ended)
        .map((t) => t.title);
      if (terminals.length > 0 || cables.length > 1) setPendingDelete({ node: sel.id, cables, terminals });
      else void deleteNow({ node: sel.id });
    },
    [editable, deleteNow],
  );

  const openTerminal = async (node: string, ping?: string): Promise<string | undefined> => {
    if (!lab.hub) return undefined;
    const cols = Math.max(20, Math.floor((window.innerWidth - 32) / CELL_PX.width));
    const rows = Math.max(5, Math.floor((bottom.size - 56) / CELL_PX.height));
    const r = await lab.hub.open(node, { ping, cols, rows });
    if (r.ok) {
      setActiveTab(r.id);
      view.showBottom();
    } else push('error', r.error);
    return r.ok ? r.id : undefined;
  };

  /** A lesson's command block, typed into the node's open terminal (or a new one) and run. */
  const typeInto = async (node: string, text: string) => {
    const target = node === 'host' ? hostNodeName(topology) : node;
    const open = useLabStore.getState().terminals.find((t) => t.node === target && !t.ended && !isPingTab(t.title));
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
  const closeEnded = () => {
    const ended = useLabStore.getState().terminals.filter((t) => t.ended);
    for (const t of ended) lab.hub?.close(t.id);
    if (ended.some((t) => t.id === activeTab)) setActiveTab(LOG_TAB);
  };

  const capturing = usePackets((s) => s.captures.some((c) => c.running));
  const capture = async (scope: CaptureScope) => {
    if (!lab.client) return;
    setActiveTab(PACKETS_TAB);
    view.showBottom();
    const r = await lab.client.watch(scope);
    if (!r.ok) push('error', r.error);
  };

  const onError = useCallback((m: string) => push('error', m), [push]);

  const copyHistory = async (script: string) => {
    if (await copyText(script)) push('info', 'Copied the history: every command the lab ran, in order');
    else push('error', 'the browser refused to copy; select the log text instead');
  };

  const select = useCallback(
    (s: Selection) => {
      setSelection(s);
      if (s) showSide();
    },
    [showSide],
  );

  useShortcuts({
    present: view.togglePresenting,
    'add-netns': () => addNode('netns'),
    'add-router': () => addNode('router'),
    'add-switch': () => addNode('bridge'),
    fit,
    layout,
    minimap: view.toggleMinimap,
    side: view.toggleSide,
    bottom: view.toggleBottom,
    terminal: () => hello && !hello.realHost && editable && void openTerminal(hostNodeName(topology)),
    log: () => {
      setActiveTab(LOG_TAB);
      view.showBottom();
    },
    // Only where the selection is seen: the canvas, or nowhere in particular (not a button in the inspector).
    delete: (target) => {
      if (selection && (!target || target === document.body || target.closest('.canvas'))) requestDelete(selection);
    },
    undo: () => void undoDelete(),
    deselect: () => setSelection(null),
    help: () => view.setHelp(true),
  });

  const hasHost = !!topology && Object.values(topology.nodes).some((n) => n.kind === 'host');
  const machine = hello ? !hello.realHost : false;
  const openMachineTerminal = () => void openTerminal(hostNodeName(topology));
  const emptyNote = emptyNoteFor(readOnly, !!lesson && machine ? openMachineTerminal : undefined);
  const bottomHeight = view.bottomOpen ? bottom.size : 0;
  return (
    <div className={`app${view.presenting ? ' presenting' : ''}`} style={{ '--bottom-height': `${bottomHeight}px` } as React.CSSProperties}>
      <Toolbar
        connected={editable}
        readOnly={readOnly}
        canRead={connected}
        machine={machine}
        onOpenMachineTerminal={openMachineTerminal}
        nodeCount={topology ? Object.keys(topology.nodes).length : 0}
        hasHost={hasHost}
        onAddNode={addNode}
        onLoad={load}
        onExport={(k) => void exportAs(k)}
        onCopyBuild={() => void copyBuild()}
        onAutoLayout={layout}
        onFit={fit}
        onReset={() => {
          setSelection(null);
          lastUndo.current = null;
          void run({ op: 'destroy' });
        }}
        onError={onError}
        lessons={lab.client && <LessonMenu disabled={!editable} list={lab.client.lessonList.bind(lab.client)} onError={onError} onPick={(req, title) => setStartLesson({ req, title })} />}
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
            void lessonAction(lab.client?.lessonStart(req)).then(fit);
          }}
        />
      )}
      {pendingDelete && (
        <ConfirmDialog
          title={`Delete ${pendingDelete.node}?`}
          message={
            <>
              <p>These go with it:</p>
              <ul className="delete-list">
                {pendingDelete.cables.map((c) => (
                  <li key={c}>the cable {c}</li>
                ))}
                {pendingDelete.terminals.map((t) => (
                  <li key={t}>the terminal “{t}”, and what runs in it</li>
                ))}
              </ul>
              <p className="muted small">Undo (Ctrl Z) brings back the node and its cables, not the terminals.</p>
            </>
          }
          confirmLabel={`Delete ${pendingDelete.node}`}
          danger
          onCancel={() => setPendingDelete(null)}
          onConfirm={() => {
            const node = pendingDelete.node;
            setPendingDelete(null);
            void deleteNow({ node });
          }}
        />
      )}
      {exported && <ExportPreview exported={exported} onClose={() => setExported(null)} />}
      {view.helpOpen && <HelpOverlay onClose={() => view.setHelp(false)} />}
      <ConnectionBanner status={status} detail={statusDetail} />
      {shared && (
        <p className="teacher-shared" role="status">
          Your teacher is showing their lab{' '}
          <button type="button" className="btn btn-small" aria-pressed={showTeacherLab} onClick={() => setShowTeacherLab((x) => !x)}>
            {showTeacherLab ? 'Back to my lab' : "Watch the teacher's lab"}
          </button>
        </p>
      )}
      {shared && showTeacherLab && (
        <div className="teacher-frame">
          <iframe title="The teacher's lab (read-only)" src={shared.url} />
        </div>
      )}
      {teacher && hello?.role !== 'admin' && (
        <p className="teacher-here" role="status">
          Your teacher has this lab open: what they change shows here, and they can type in its terminals.
        </p>
      )}
      <main className={`workspace${view.sideOpen ? '' : ' side-closed'}`}>
        <LabCanvas
          topology={topology}
          positions={positions}
          selection={selection}
          onSelect={select}
          onDrag={drag}
          onDragStop={movedTo}
          onConnectNodes={(a, b) => void run({ op: 'add-link', a, b })}
          onOpenTerminal={(node) => void openTerminal(node)}
          fitSignal={fitSignal}
          editable={editable}
          emptyNote={emptyNote}
        />
        {view.sideOpen ? (
          <div className="side-panel">
            <div className="side-tabs" role="tablist" aria-label="Side panel">
              {lesson && (
                <button type="button" role="tab" aria-selected={sideTab === 'lesson'} className={`side-tab${sideTab === 'lesson' ? ' active' : ''}`} onClick={() => setSideTab('lesson')}>
                  Lesson
                  {lessonStatus && (
                    <span className="side-tab-count">
                      {lessonStatus.steps.filter((x) => x.done).length}/{lessonStatus.steps.length}
                    </span>
                  )}
                </button>
              )}
              <button type="button" role="tab" aria-selected={!lesson || sideTab === 'inspector'} className={`side-tab${!lesson || sideTab === 'inspector' ? ' active' : ''}`} onClick={() => setSideTab('inspector')}>
                Inspector
              </button>
              <button type="button" className="panel-fold" aria-label="Hide the side panel" title="Hide the side panel (I)" onClick={view.toggleSide}>
                ⟩
              </button>
            </div>
            {lesson && sideTab === 'lesson' ? (
              <aside className="inspector lesson-side" aria-label="Lesson">
                <LessonPanel
                  lesson={lesson}
                  status={lessonStatus}
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
                run={run}
                onSelect={select}
                onOpenTerminal={(node) => void openTerminal(node)}
                onPing={(node, target) => void openTerminal(node, target)}
                onCapture={(scope) => void capture(scope)}
                onDelete={requestDelete}
                macTable={lab.macTable}
                netem={hello?.netem ?? true}
                readOnly={readOnly}
              />
            )}
          </div>
        ) : (
          <button type="button" className="panel-unfold" aria-label="Show the side panel" title="Show the side panel (I)" onClick={view.toggleSide}>
            ⟨ {lesson ? 'Lesson' : 'Inspector'}
          </button>
        )}
      </main>
      {view.bottomOpen && <div className="splitter" {...bottom.separatorProps} />}
      <BottomPanel
        open={view.bottomOpen}
        onToggle={view.toggleBottom}
        hub={lab.hub}
        active={activeTab}
        onActivate={(tab) => {
          setActiveTab(tab);
          view.showBottom();
        }}
        onCloseTerminal={closeTerminal}
        onCloseEnded={closeEnded}
        onCopyHistory={copyHistory}
        onCopyBuild={() => void copyBuild()}
        canRead={connected}
        watchOnly={readOnly}
        capturing={capturing}
        packets={<PacketsPanel client={lab.client} topology={topology} canSteer={editable} onError={onError} />}
      />
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}

/** A tab that runs the Ping button's command: a lesson's commands go to a shell instead. */
function isPingTab(title: string): boolean {
  return title.includes(': ping ');
}

/** The host node's name: the lab machine's own shell runs there, on the canvas or not. */
function hostNodeName(topology: Topology | null): string {
  return Object.entries(topology?.nodes ?? {}).find(([, n]) => n.kind === 'host')?.[0] ?? 'host';
}

export default function LabApp() {
  return (
    <ReactFlowProvider>
      <Lab />
    </ReactFlowProvider>
  );
}
