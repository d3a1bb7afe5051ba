'use client';
import { useState } from 'react';
import { copyText } from '../lib/clipboard';
import { downloadText } from '../lib/download';
import Modal from './Modal';

export interface ExportText {
  title: string;
  /** The file name Download saves as. */
  file: string;
  mime: string;
  text: string;
  /** One line above the text: what it is and how to use it. */
  about: string;
}

/** An export shown before it leaves the page: read it, copy it, or download it. */
export default function ExportPreview({ exported, onClose }: { exported: ExportText; onClose(): void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <Modal title={exported.title} onClose={onClose} className="export-preview">
      <p className="modal-text">{exported.about}</p>
      <textarea className="export-text mono" readOnly value={exported.text} aria-label={`${exported.title}: the text`} spellCheck={false} rows={18} />
      <div className="modal-actions">
        {copied !== null && (
          <span className={`muted small${copied ? '' : ' field-error'}`} role="status">
            {copied ? 'Copied.' : 'The browser refused to copy: select the text instead.'}
          </span>
        )}
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
        <button type="button" className="btn" onClick={() => void copyText(exported.text).then(setCopied)}>
          Copy
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => {
            downloadText(exported.file, exported.text, exported.mime);
          }}
          autoFocus
        >
          Download {exported.file}
        </button>
      </div>
    </Modal>
  );
}
