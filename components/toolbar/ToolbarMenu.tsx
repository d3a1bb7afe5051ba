'use client';
import { useCallback, useRef, useState } from 'react';
import { useDismiss } from '../hooks/useDismiss';

export interface MenuItem {
  label: string;
  onSelect(): void;
  disabled?: boolean;
  /** A keyboard shortcut shown beside the label. */
  keys?: string;
  danger?: boolean;
  /** Starts a new group (a line above it). */
  separated?: boolean;
  /** A toggle: shown checked. */
  checked?: boolean;
}

interface Props {
  label: string;
  /** The button's text, when it differs from its accessible label. */
  text?: React.ReactNode;
  items: MenuItem[];
  className?: string;
  align?: 'left' | 'right';
}

/** A toolbar button with a drop-down list of actions (the overflow menu, Export). */
export default function ToolbarMenu({ label, text, items, className, align = 'left' }: Props) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, root, close);
  return (
    <div className={`menu-root${className ? ` ${className}` : ''}`} ref={root}>
      <button type="button" className="btn" aria-label={label} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {text ?? label}
      </button>
      {open && (
        <div className={`menu menu-${align}`} role="menu" aria-label={label}>
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role={item.checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
              aria-checked={item.checked}
              className={`menu-item menu-action${item.separated ? ' separated' : ''}${item.danger ? ' danger' : ''}`}
              disabled={item.disabled}
              onClick={() => {
                setOpen(false);
                item.onSelect();
              }}
            >
              <span className="menu-check" aria-hidden="true">
                {item.checked ? '✓' : ''}
              </span>
              <span className="menu-item-title">{item.label}</span>
              {item.keys && <kbd className="menu-keys">{item.keys}</kbd>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
