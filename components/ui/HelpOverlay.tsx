'use client';
import { Fragment } from 'react';
import { SHORTCUTS } from '../view/shortcuts';
import Modal from './Modal';

/** The keyboard shortcuts, from the same list the page's key handler uses. */
export default function HelpOverlay({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} className="help-overlay">
      <dl className="shortcut-grid">
        {SHORTCUTS.map((s) => (
          <Fragment key={s.action}>
            <dt>
              <kbd>{s.keys}</kbd>
            </dt>
            <dd>{s.what}</dd>
          </Fragment>
        ))}
      </dl>
      <p className="muted small">Single keys work while no field or terminal has the cursor. Double-click a node to open its terminal.</p>
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
