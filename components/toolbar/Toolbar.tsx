'use client';
import { useRef, useState } from 'react';
import { parseTopologyYaml } from '@/server/model/topology-file';
import { useLabStore } from '../lab/lab-store';
import { useView } from '../view/view-store';
import ConfirmDialog from '../ui/ConfirmDialog';
import Modal from '../ui/Modal';
import ExampleMenu from './ExampleMenu';
import ProgressBar from './ProgressBar';
import ToolbarMenu, { type MenuItem } from './ToolbarMenu';

function PlusIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
      <path d="M7 1.5v11M1.5 7h11" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
    </svg>
  );
}

export type ExportKind = 'yaml' | 'sh' | 'svg' | 'png';

interface Props {
  /** Connected with a link that may edit. */
  connected: boolean;
  /** A view-only link: the toolbar says so, and leaves out the buttons that would change the lab. */
  readOnly: boolean;
  /** Connected at all: reading the lab (exports) works for a view link too. */
  canRead: boolean;
  /** The lab is a lab machine (not --real-host): it has a root shell of its own. */
  machine: boolean;
  onOpenMachineTerminal(): void;
  nodeCount: number;
  hasHost: boolean;
  onAddNode(kind: 'netns' | 'router' | 'bridge' | 'host'): void;
  /** Replace the lab with this topology file (already checked). */
  onLoad(yaml: string, what: string): void;
  onExport(kind: ExportKind): void;
  /** Copies the commands that build the lab as it is now (the export script). */
  onCopyBuild(): void;
  onAutoLayout(): void;
  onFit(): void;
  onReset(): void;
  onError(message: string): void;
  /** The Lessons menu (it needs the lab's connection). */
  lessons?: React.ReactNode;
}

type Confirm = { kind: 'reset' } | { kind: 'load'; yaml: string; what: string } | { kind: 'bad-file'; what: string; errors: string[] } | null;

/** Problems with a file shown at once: the first few, which name their field and value. */
const ERRORS_SHOWN = 8;

/**
 * One row, whatever the width: the buttons a lesson needs most stay; the
 * others show when there is room (container queries in toolbar.css) and are
 * always in the ⋯ menu, with everything else.
 */
export default function Toolbar(props: Props) {
  const { connected, nodeCount, hasHost, onError } = props;
  const [confirm, setConfirm] = useState<Confirm>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const labName = useLabStore((s) => s.hello?.lab ?? '');
  const progress = useLabStore((s) => s.progress);
  const view = useView();

  // The file is checked first: a bad file is refused with its errors, and nothing is asked.
  const load = (yaml: string, what: string) => {
    const parsed = parseTopologyYaml(yaml, what);
    if (!parsed.ok) {
      const lines = parsed.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
      return setConfirm({ kind: 'bad-file', what, errors: lines });
    }
    // Loading replaces the lab; ask first unless there is nothing to lose.
    if (nodeCount === 0) props.onLoad(yaml, what);
    else setConfirm({ kind: 'load', yaml, what });
  };

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      load(await file.text(), file.name);
    } catch (e) {
      onError(`could not read ${file.name}: ${(e as Error).message}`);
    }
  };
  const pickFile = () => fileInput.current?.click();

  const exportItems: MenuItem[] = [
    { label: 'Topology file (YAML)…', onSelect: () => props.onExport('yaml'), disabled: !props.canRead },
    { label: 'Shell script…', onSelect: () => props.onExport('sh'), disabled: !props.canRead },
    { label: 'Copy the commands that build this lab', onSelect: props.onCopyBuild, disabled: !props.canRead },
    { label: 'Diagram as SVG', onSelect: () => props.onExport('svg'), disabled: nodeCount === 0, separated: true },
    { label: 'Diagram as PNG', onSelect: () => props.onExport('png'), disabled: nodeCount === 0 },
  ];
  // Not a view link: the toolbar and its menu have the buttons that change the lab (a view link's leave them out).
  const editing = !props.readOnly;
  const moreItems: MenuItem[] = [
    ...(props.machine && editing ? [{ label: 'Lab terminal (root shell)', onSelect: props.onOpenMachineTerminal, disabled: !connected, keys: 'T' }] : []),
    ...(editing
      ? [
          { label: 'Add host', onSelect: () => props.onAddNode('host'), disabled: !connected || hasHost },
          { label: 'Import topology file…', onSelect: pickFile, disabled: !connected },
        ]
      : []),
    ...exportItems.map((i, n) => ({ ...i, label: n < 2 ? `Export ${i.label[0].toLowerCase()}${i.label.slice(1)}` : i.label, separated: n === 0 && editing })),
    ...(editing ? [{ label: 'Auto layout', onSelect: props.onAutoLayout, disabled: !connected || nodeCount === 0, keys: 'L', separated: true }] : []),
    { label: 'Fit the lab into view', onSelect: props.onFit, keys: 'F', separated: !editing },
    { label: 'Presentation mode', onSelect: view.togglePresenting, checked: view.presenting, keys: 'P', separated: true },
    { label: 'Side panel', onSelect: view.toggleSide, checked: view.sideOpen, keys: 'I' },
    { label: 'Bottom panel', onSelect: view.toggleBottom, checked: view.bottomOpen, keys: 'B' },
    { label: 'Mini map', onSelect: view.toggleMinimap, checked: view.minimap, keys: 'M' },
    { label: 'Keyboard shortcuts', onSelect: () => view.setHelp(true), keys: '?' },
    ...(editing ? [{ label: 'Reset lab…', onSelect: () => setConfirm({ kind: 'reset' as const }), disabled: !connected, danger: true, separated: true }] : []),
  ];

  return (
    <header className="toolbar" aria-label="Toolbar">
      <div className="toolbar-row">
        <div className="brand">
          <svg viewBox="0 0 32 32" className="brand-logo" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#1f4e8c" />
            <rect x="4" y="10" width="9" height="12" rx="2" fill="#fff" />
            <rect x="19" y="10" width="9" height="12" rx="2" fill="#fff" />
            <path d="M13 16h6" stroke="#7fd1a8" strokeWidth="3" />
          </svg>
          <span className="brand-name">vethlab</span>
          {labName && (
            <span className="brand-lab tb-md" title="lab name">
              {labName}
            </span>
          )}
          {props.readOnly && (
            <span className="brand-readonly" title="This link shows the lab without changing it">
              view only
            </span>
          )}
        </div>
        {/* A view link changes nothing: its toolbar has no buttons that would, only what shows and exports the lab. */}
        {props.machine && editing && (
          <div className="toolbar-group tb-lg" role="group" aria-label="Machine">
            <button
              type="button"
              className="btn"
              onClick={props.onOpenMachineTerminal}
              disabled={!connected}
              title="A root shell of this lab's machine: type the tutorials' commands here (ip netns add, ip link add ...) (T)"
            >
              Lab terminal
            </button>
          </div>
        )}
        {editing && (
          <div className="toolbar-group" role="group" aria-label="Add">
            <button type="button" className="btn btn-primary" onClick={() => props.onAddNode('netns')} disabled={!connected} aria-label="Add namespace" title="A network namespace (ip netns add) (N)">
              <PlusIcon /> Namespace
            </button>
            <button type="button" className="btn" onClick={() => props.onAddNode('router')} disabled={!connected} aria-label="Add router" title="A namespace with IP forwarding on (sysctl -w net.ipv4.ip_forward=1) (R)">
              <PlusIcon /> Router
            </button>
            <button type="button" className="btn" onClick={() => props.onAddNode('bridge')} disabled={!connected} aria-label="Add switch" title="A Linux bridge (ip link add br0 type bridge) (S)">
              <PlusIcon /> Switch
            </button>
            <button type="button" className="btn tb-lg" onClick={() => props.onAddNode('host')} disabled={!connected || hasHost} aria-label="Add host" title={hasHost ? 'The host is already on the canvas' : 'Show the host (root namespace) on the canvas'}>
              <PlusIcon /> Host
            </button>
          </div>
        )}
        <div className="toolbar-group" role="group" aria-label="Files">
          {editing && (
            <>
              {props.lessons}
              <span className="tb-md">
                <ExampleMenu disabled={!connected} onPick={(e, yaml) => load(yaml, e.title)} onError={onError} />
              </span>
              <button type="button" className="btn tb-md" onClick={pickFile} disabled={!connected}>
                Import
              </button>
            </>
          )}
          <ToolbarMenu label="Export" text="Export ▾" items={exportItems} className="tb-xl" />
        </div>
        {editing && (
          <div className="toolbar-group tb-xl" role="group" aria-label="Diagram">
            <button type="button" className="btn" onClick={props.onAutoLayout} disabled={!connected || nodeCount === 0} title="Arrange the nodes in columns, the way packets travel (L)">
              Auto layout
            </button>
          </div>
        )}
        <div className="toolbar-status tb-md">{progress && <ProgressBar progress={progress} />}</div>
        <div className="toolbar-end">
          <button type="button" className={`btn${view.presenting ? ' btn-active' : ''}`} aria-pressed={view.presenting} onClick={view.togglePresenting} title="Large type for the projector; the side panel and the mini map fold away (P)">
            Present
          </button>
          <ToolbarMenu label="More actions" text="⋯" items={moreItems} align="right" className="toolbar-more" />
        </div>
        <input
          ref={fileInput}
          type="file"
          accept=".yaml,.yml,.json,text/yaml,application/json"
          hidden
          aria-label="Topology file to import"
          onChange={(e) => {
            void importFile(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </div>

      {confirm?.kind === 'reset' && (
        <ConfirmDialog
          title="Reset the lab?"
          message={<p>This deletes every namespace and veth pair this lab made, and its terminals. Nothing else on the machine is touched.</p>}
          confirmLabel="Reset lab"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            setConfirm(null);
            props.onReset();
          }}
        />
      )}
      {confirm?.kind === 'load' && (
        <ConfirmDialog
          title={`Load “${confirm.what}”?`}
          message={<p>The lab becomes what the file describes: namespaces and links that are not in it are deleted.</p>}
          confirmLabel="Load"
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            setConfirm(null);
            props.onLoad(confirm.yaml, confirm.what);
          }}
        />
      )}
      {confirm?.kind === 'bad-file' && (
        <Modal title={`“${confirm.what}” cannot be loaded`} onClose={() => setConfirm(null)} className="bad-file">
          <p className="modal-text">Nothing was changed. Fix these in the file and import it again:</p>
          <ul className="bad-file-errors" aria-label="Problems in the file">
            {confirm.errors.slice(0, ERRORS_SHOWN).map((e) => (
              <li key={e}>
                <code>{e}</code>
              </li>
            ))}
            {confirm.errors.length > ERRORS_SHOWN && <li>and {confirm.errors.length - ERRORS_SHOWN} more</li>}
          </ul>
          <p className="muted small">The format is in docs/topology-format.md; Export YAML gives a file to start from.</p>
          <div className="modal-actions">
            <button type="button" className="btn btn-primary" onClick={() => setConfirm(null)} autoFocus>
              OK
            </button>
          </div>
        </Modal>
      )}
    </header>
  );
}
