/**
 * What every kind of node tells the rest of the lab about itself: where it
 * lives in the kernel, the interfaces it always has, its own rules, and the
 * commands that make, change and remove it. One module per kind implements
 * this (namespace.ts, router.ts, host.ts, bridge.ts); kinds.ts lists them.
 */
import type { InterfaceSpec, NodeKind, NodeSpec } from '../topology';
import type { Step } from '../step';
import type { PathPart } from '../topology-errors';

export type Report = (path: PathPart[], value: unknown, message: string) => void;

export interface PlanMarks {
  /** Real-host mode: the alias that marks what the lab made. Undefined inside a lab machine. */
  mark?: string;
}

export interface NodeKindModule {
  kind: NodeKind;
  /** What the page, the log and the docs call it. */
  title: string;
  /**
   * Where its interfaces are: a network namespace named after the node
   * (false), or the root namespace of the lab machine (true: the host, and
   * bridges, which are devices there).
   */
  inRoot: boolean;
  /** Interfaces it has without being cabled (lo; a bridge's own device), with their defaults. */
  implicitInterfaces(name: string): Record<string, InterfaceSpec>;
  /** Forwarding when the node does not say: a value, undefined (left as the kernel has it), or 'never' (it has none). */
  defaultForwarding: boolean | undefined | 'never';
  /** Whether the node has a routing table of its own the topology can fill. */
  hasRoutes: boolean;
  /** This kind's own rules; the rules every node shares live in validate.ts. */
  validate(name: string, node: NodeSpec, report: Report): void;
  /** Commands that make the node itself, before any cable reaches it. */
  createSteps(name: string, node: NodeSpec, marks: PlanMarks): Step[];
  /** Commands that remove it (its cables go with it). */
  removeSteps(name: string): Step[];
  /** Commands that bring its own settings from what the kernel has to what is wanted. */
  updateSteps(name: string, want: NodeSpec, have: NodeSpec): Step[];
}
