'use client';
import { useRef, useState } from 'react';
import type { Progress } from '@/server/protocol';
import ConfirmDialog from '../ui/ConfirmDialog';
import ExampleMenu from './ExampleMenu';
import ProgressBar from './ProgressBar';

function PlusIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
      <path d="M7 1.5v11M1.5 7h11" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
    </svg>
  );
}

interface Props {
  /** Connected with a link that may edit. */
  connected: boolean;
  /** A view-only link: the toolbar says so. */
  readOnly: boolean;
  /** Connected at all: reading the lab (exports) works for a view link too. */
  canRead: boolean;
  /** The lab's name (its URL). */
  labName: string;
  /** The lab is a lab machine (not --real-host): it has a root shell of its own. */
  machine: boolean;
  onOpenMachineTerminal(): void;
  nodeCount: number;
  hasHost: boolean;
  progress: Progress | null;
  onAddNode(kind: 'netns' | 'router' | 'bridge' | 'host'): void;
  /** Replace the lab with this topology file. */
  onLoad(yaml: string, what: string): void;
  onExport(format: 'yaml' | 'sh'): void;
  onAutoLayout(): void;
  onReset(): void;
  onError(message: string): void;
  /** The Lessons menu (it needs the lab's connection). */
  lessons?: React.ReactNode;
}

type Confirm = { kind: 'reset' } | { kind: 'load'; yaml: string; what: string } | null;

export default function Toolbar(props: Props) {
  const { connected, labName, nodeCount, hasHost, progress, onError } = props;
  const [confirm, setConfirm] = useState<Confirm>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // Loading replaces the lab; ask first unless there is nothing to lose.
  const load = (yaml: string, what: string) => (nodeCount === 0 ? props.onLoad(yaml, what) : setConfirm({ kind: 'load', yaml, what }));

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      load(await file.text(), file.name);
    } catch (e) {
      onError(`could not read ${file.name}: ${(e as Error).message}`);
    }
  };

  return (
    <header className="toolbar" aria-label="Toolbar">
      <div className="brand">
        <svg viewBox="0 0 32 32" className="brand-logo" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="#1f4e8c" />
          <rect x="4" y="10" width="9" height="12" rx="2" fill="#fff" />
          <rect x="19" y="10" width="9" height="12" rx="2" fill="#fff" />
          <path d="M13 16h6" stroke="#7fd1a8" strokeWidth="3" />
        </svg>
        <span className="brand-name">vethlab</span>
        {labName && <span className="brand-lab" title="lab name">{labName}</span>}
        {props.readOnly && <span className="brand-readonly" title="This link shows the lab without changing it">view only</span>}
      </div>
      {props.machine && (
        <div className="toolbar-group" role="group" aria-label="Machine">
          <button
            type="button"
            className="btn"
            onClick={props.onOpenMachineTerminal}
            disabled={!connected}
            title="A root shell of this lab's machine: type the tutorials' commands here (ip netns add, ip link add ...)"
          >
            Lab terminal
          </button>
        </div>
      )}
      <div className="toolbar-group" role="group" aria-label="Add">
        <button type="button" className="btn btn-primary" onClick={() => props.onAddNode('netns')} disabled={!connected} aria-label="Add namespace" title="A network namespace (ip netns add)">
          <PlusIcon /> Namespace
        </button>
        <button type="button" className="btn" onClick={() => props.onAddNode('router')} disabled={!connected} aria-label="Add router" title="A namespace with IP forwarding on (sysctl -w net.ipv4.ip_forward=1)">
          <PlusIcon /> Router
        </button>
        <button type="button" className="btn" onClick={() => props.onAddNode('bridge')} disabled={!connected} aria-label="Add switch" title="A Linux bridge (ip link add br0 type bridge)">
          <PlusIcon /> Switch
        </button>
        <button type="button" className="btn" onClick={() => props.onAddNode('host')} disabled={!connected || hasHost} aria-label="Add host" title={hasHost ? 'The host is already on the canvas' : 'Show the host (root namespace) on the canvas'}>
          <PlusIcon /> Host
        </button>
      </div>
      <div className="toolbar-group" role="group" aria-label="Files">
        {props.lessons}
        <ExampleMenu disabled={!connected} onPick={(e, yaml) => load(yaml, e.title)} onError={onError} />
        <button type="button" className="btn" onClick={() => fileInput.current?.click()} disabled={!connected}>
          Import
        </button>
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
        <button type="button" className="btn" onClick={() => props.onExport('yaml')} disabled={!props.canRead}>
          Export YAML
        </button>
        <button type="button" className="btn" onClick={() => props.onExport('sh')} disabled={!props.canRead}>
          Export script
        </button>
      </div>
      <div className="toolbar-group" role="group" aria-label="Diagram">
        <button type="button" className="btn" onClick={props.onAutoLayout} disabled={!connected || nodeCount === 0}>
          Auto layout
        </button>
        <button type="button" className="btn btn-danger-outline" onClick={() => setConfirm({ kind: 'reset' })} disabled={!connected}>
          Reset
        </button>
      </div>
      <div className="toolbar-status">{progress && <ProgressBar progress={progress} />}</div>

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
    </header>
  );
}
