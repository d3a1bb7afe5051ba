'use client';
import { useId, useState } from 'react';

interface Props {
  label: string;
  value: string;
  problem(text: string): string | null;
  /** Called on Enter or blur with a changed, valid name; resolves false when the server refused it. */
  onCommit(name: string): Promise<boolean>;
  className?: string;
}

/** A name that is renamed on Enter or when the field loses focus; Escape puts it back. */
export default function NameField({ label, value, problem, onCommit, className }: Props) {
  const [text, setText] = useState(value);
  // The server's refusal is shown once (a toast); leaving the field must not send the same name again.
  const [refused, setRefused] = useState<string | null>(null);
  const id = useId();
  const error = text === value ? null : problem(text);
  const commit = async () => {
    if (text === value || error || text === refused) return;
    if (!(await onCommit(text))) setRefused(text);
  };
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={text}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-err` : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => void commit()}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void commit();
          if (e.key === 'Escape') setText(value);
        }}
      />
      {error && (
        <p id={`${id}-err`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
