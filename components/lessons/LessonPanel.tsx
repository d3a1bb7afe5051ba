'use client';
import { useEffect, useState } from 'react';
import type { CheckResult, LessonStatus, LessonView } from '@/server/protocol';
import Markdown from './Markdown';

interface Props {
  lesson: LessonView;
  status: LessonStatus | null;
  /** An edit link: may show, reset, stop. */
  canEdit: boolean;
  onType(node: string, text: string): void;
  onShow(step: number): void;
  onReset(step: number): void;
  onCheck(): void;
  onStop(): void;
}

function Check({ r }: { r: CheckResult }) {
  const state = r.ok ? 'ok' : r.pending ? 'pending' : 'fail';
  return (
    <li className={`lesson-check ${state}`}>
      <span className="lesson-check-icon" aria-hidden="true">
        {r.ok ? '✓' : r.pending ? '…' : '✗'}
      </span>
      <span>
        {r.label}
        {!r.ok && r.found && <span className="lesson-found"> — {r.found}</span>}
      </span>
      <span className="sr-only">{r.ok ? 'passes' : r.pending ? 'not checked yet' : 'fails'}</span>
    </li>
  );
}

/** The lesson beside the diagram: its steps with live ticks, the current one open, hints, show me and reset. */
export default function LessonPanel({ lesson, status, canEdit, onType, onShow, onReset, onCheck, onStop }: Props) {
  const current = status?.current ?? 0;
  const [open, setOpen] = useState<number>(current);
  const [hints, setHints] = useState<Set<number>>(new Set());
  // Follow the student: the step that became current opens.
  useEffect(() => setOpen(current), [current]);
  const done = status?.steps.filter((s) => s.done).length ?? 0;
  const total = lesson.steps.length;
  return (
    <section className="lesson-panel" aria-label={`Lesson ${lesson.title}`}>
      <header className="lesson-head">
        <p className="inspector-kind">Lesson</p>
        <h2 className="lesson-title">{lesson.title}</h2>
        <p className="lesson-goal">{lesson.goal}</p>
        <div className="lesson-progress" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-label={`${done} of ${total} steps done`}>
          <div className="lesson-progress-bar" style={{ width: `${(100 * done) / total}%` }} />
          <span className="lesson-progress-text">{done === total ? 'All steps done' : `Step ${current + 1} of ${total}`}</span>
        </div>
      </header>
      {lesson.intro && (
        <details className="lesson-intro" open={current === 0 && done === 0}>
          <summary>About this lesson</summary>
          <Markdown text={lesson.intro} />
        </details>
      )}
      <ol className="lesson-steps">
        {lesson.steps.map((step, i) => {
          const st = status?.steps[i];
          const isOpen = open === i;
          const state = st?.done ? 'done' : i === current ? 'current' : 'later';
          return (
            <li key={i} className={`lesson-step ${state}${isOpen ? ' open' : ''}`} aria-current={i === current ? 'step' : undefined} data-step={i}>
              <button type="button" className="lesson-step-head" aria-expanded={isOpen} onClick={() => setOpen(isOpen ? -1 : i)}>
                <span className={`lesson-step-mark ${state}`} aria-label={state === 'done' ? 'done' : state === 'current' ? 'current step' : 'not yet'}>
                  {st?.done ? '✓' : i + 1}
                </span>
                <span className="lesson-step-title">{step.title}</span>
              </button>
              {isOpen && (
                <div className="lesson-step-body">
                  <Markdown text={step.text} onType={onType} />
                  {step.hint && (
                    <>
                      <button
                        type="button"
                        className="link-button"
                        aria-expanded={hints.has(i)}
                        onClick={() => setHints((h) => new Set(h.has(i) ? [...h].filter((x) => x !== i) : [...h, i]))}
                      >
                        {hints.has(i) ? 'Hide the hint' : 'Hint'}
                      </button>
                      {hints.has(i) && (
                        <div className="lesson-hint">
                          <Markdown text={step.hint} />
                        </div>
                      )}
                    </>
                  )}
                  <ul className="lesson-checks" aria-label="Checks">
                    {(st?.results ?? step.checks.map((label) => ({ label, ok: false, pending: true }))).map((r, j) => (
                      <Check key={j} r={r} />
                    ))}
                  </ul>
                  {canEdit && (
                    <div className="inspector-actions">
                      <button type="button" className="btn btn-small" onClick={() => onShow(i)} title="Make the lab as this step leaves it, through the planner (the log shows the commands)">
                        Show me
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => onReset(i)} title="Put the lab back as it was when this step began">
                        Reset to the start of this step
                      </button>
                      {i === current && st?.results.some((r) => !r.ok) && (
                        <button type="button" className="btn btn-small" onClick={onCheck} disabled={status?.checking}>
                          {status?.checking ? 'Checking…' : 'Check now'}
                        </button>
                      )}
                    </div>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ol>
      {canEdit && (
        <div className="inspector-actions lesson-foot">
          <button type="button" className="btn btn-small btn-danger-outline" onClick={onStop}>
            Stop the lesson
          </button>
        </div>
      )}
    </section>
  );
}
