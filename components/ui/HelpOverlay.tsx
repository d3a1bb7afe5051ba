'use client';
import { SHORTCUTS } from '../view/shortcuts';
import Modal from './Modal';

/** The keyboard shortcuts, from the same list the page's key handler uses. */
export default function HelpOverlay({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} className="help-overlay">
      <table className="shortcut-table">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Single keys work while no field or terminal has the cursor. Double-click a node to open its terminal.</p>
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
