/**
 * The page's keyboard shortcuts: one list for the handler and the help
 * overlay, so the overlay cannot promise a key that does nothing. Single
 * keys act only when no field or terminal has the focus.
 */
export type ShortcutAction =
  | 'present'
  | 'add-netns'
  | 'add-router'
  | 'add-switch'
  | 'fit'
  | 'layout'
  | 'minimap'
  | 'side'
  | 'bottom'
  | 'log'
  | 'terminal'
  | 'undo'
  | 'delete'
  | 'deselect'
  | 'help';

export interface Shortcut {
  action: ShortcutAction;
  /** What the overlay shows, e.g. "P" or "Ctrl Z". */
  keys: string;
  what: string;
  /** Matches a key event (KeyboardEvent.key and modifiers). */
  match(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): boolean;
}

const plain = (key: string) => (e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }) =>
  !e.ctrlKey && !e.metaKey && !e.altKey && e.key.toLowerCase() === key;

export const SHORTCUTS: Shortcut[] = [
  { action: 'present', keys: 'P', what: 'Presentation mode on or off (large type, panels folded)', match: plain('p') },
  { action: 'add-netns', keys: 'N', what: 'Add a namespace', match: plain('n') },
  { action: 'add-router', keys: 'R', what: 'Add a router', match: plain('r') },
  { action: 'add-switch', keys: 'S', what: 'Add a switch', match: plain('s') },
  { action: 'fit', keys: 'F', what: 'Fit the whole lab into view', match: plain('f') },
  { action: 'layout', keys: 'L', what: 'Auto layout', match: plain('l') },
  { action: 'minimap', keys: 'M', what: 'Show or hide the mini map', match: plain('m') },
  { action: 'side', keys: 'I', what: 'Show or hide the side panel (inspector, lesson)', match: plain('i') },
  { action: 'bottom', keys: 'B', what: 'Show or hide the bottom panel (log, packets, terminals)', match: plain('b') },
  { action: 'terminal', keys: 'T', what: "Open the lab machine's root shell", match: plain('t') },
  { action: 'log', keys: 'G', what: 'Show the command log', match: plain('g') },
  { action: 'delete', keys: 'Delete', what: 'Delete the selected node or cable (asks first when terminals or several cables go)', match: (e) => plain('delete')(e) || plain('backspace')(e) },
  { action: 'undo', keys: 'Ctrl Z', what: 'Undo the last delete', match: (e) => (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'z' },
  { action: 'deselect', keys: 'Esc', what: 'Clear the selection, close a menu or dialog', match: plain('escape') },
  { action: 'help', keys: '?', what: 'This list', match: (e) => !e.ctrlKey && !e.metaKey && e.key === '?' },
];

/** Where typing goes somewhere else: a key there is text, not a shortcut. */
export const TYPING_TARGET = 'input, textarea, select, [contenteditable="true"], .xterm';

export function shortcutFor(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): Shortcut | undefined {
  return SHORTCUTS.find((s) => s.match(e));
}
