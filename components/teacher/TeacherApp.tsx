'use client';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { AdminClientToServerEvents, AdminServerToClientEvents, Ack, ClassSummary, ClassTile, LessonSummary, StudentLink } from '@/server/protocol';
import { useToasts } from '../hooks/useToasts';
import Toasts from '../ui/Toasts';
import ConfirmDialog from '../ui/ConfirmDialog';
import { downloadText } from '../lib/download';
import ClassGrid from './ClassGrid';
import JoinLinks from './JoinLinks';

type AdminSocket = Socket<AdminServerToClientEvents, AdminClientToServerEvents>;
/** Making thirty lab machines takes a while: the server answers when all are made. */
const CREATE_TIMEOUT_MS = 600_000;
const ACK_TIMEOUT_MS = 60_000;

async function ask<T extends object>(s: AdminSocket, event: keyof AdminClientToServerEvents, payload: unknown, timeout = ACK_TIMEOUT_MS): Promise<Ack<T>> {
  try {
    return (await (s.timeout(timeout) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<T>> }).emitWithAck(event, payload)) as Ack<T>;
  } catch {
    return { ok: false, error: `the server did not answer within ${timeout / 1000} s` };
  }
}

/** The teacher's page: make a class from a lesson, watch every lab live, open, take over or reset one, export results. */
export default function TeacherApp() {
  const [socket, setSocket] = useState<AdminSocket | null>(null);
  const [status, setStatus] = useState<'connecting' | 'connected' | 'refused'>('connecting');
  const [classes, setClasses] = useState<ClassSummary[]>([]);
  const [lessons, setLessons] = useState<LessonSummary[]>([]);
  const [labs, setLabs] = useState<{ name: string; edit: string; view: string }[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [tiles, setTiles] = useState<ClassTile[]>([]);
  const [links, setLinks] = useState<StudentLink[]>([]);
  const [mine, setMine] = useState<{ lab: string; edit: string; view: string } | undefined>();
  const [shared, setShared] = useState(false);
  const [making, setMaking] = useState<{ done: number; total: number } | null>(null);
  const [confirm, setConfirm] = useState<{ title: string; text: string; run(): void } | null>(null);
  const { toasts, push, dismiss } = useToasts();

  const refresh = useCallback(async (s: AdminSocket) => {
    const r = await ask<{ classes: ClassSummary[]; lessons: LessonSummary[]; labs: { name: string; edit: string; view: string }[] }>(s, 'class-list', {});
    if (!r.ok) return push('error', r.error);
    setClasses(r.classes);
    setLessons(r.lessons);
    setLabs(r.labs);
  }, [push]);

  useEffect(() => {
    const s: AdminSocket = io('/admin', { path: '/socket.io', withCredentials: true });
    s.on('connect', () => {
      setStatus('connected');
      void refresh(s);
    });
    s.on('connect_error', (e) => {
      setStatus('refused');
      push('error', e.message);
    });
    s.on('class-grid', (g) => setTiles((t) => (g.name === currentRef.name ? g.tiles : t)));
    s.on('class-progress', (p) => setMaking({ done: p.done, total: p.total }));
    setSocket(s);
    return () => {
      s.disconnect();
    };
  }, [refresh, push]);

  // The watched class's name for the grid listener, without re-subscribing.
  const currentRef = useMemo(() => ({ name: '' }), []);
  const watch = useCallback(
    async (name: string | null) => {
      currentRef.name = name ?? '';
      setCurrent(name);
      setTiles([]);
      setLinks([]);
      if (!socket || !name) return;
      const r = await ask<{ links: StudentLink[]; tiles: ClassTile[]; teacher?: { lab: string; edit: string; view: string }; shared: boolean }>(socket, 'class-watch', { name });
      if (!r.ok) return push('error', r.error);
      setLinks(r.links);
      setTiles(r.tiles);
      setMine(r.teacher);
      setShared(r.shared);
    },
    [socket, push, currentRef],
  );

  const create = async (form: HTMLFormElement) => {
    if (!socket) return;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const roster = String(data.get('students') ?? '').trim();
    const count = Number(roster);
    const students = /^\d+$/.test(roster) ? count : roster.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const lesson = String(data.get('lesson') ?? '') || undefined;
    const file = data.get('topology');
    const topology = file instanceof File && file.size > 0 ? await file.text() : undefined;
    if (lesson && topology) return push('error', 'a class starts from a lesson or a topology file, not both: set the lesson to "none" to use the file');
    setMaking({ done: 0, total: typeof students === 'number' ? students : students.length });
    const r = await ask(socket, 'class-create', { name, students, ...(lesson ? { lesson } : {}), ...(topology ? { topology } : {}) }, CREATE_TIMEOUT_MS);
    setMaking(null);
    if (!r.ok) push('error', r.error);
    else push('info', `Class ${name} is ready`);
    await refresh(socket);
    if (r.ok) await watch(name);
  };

  const act = async (event: keyof AdminClientToServerEvents, payload: unknown, done?: string) => {
    if (!socket) return;
    const r = await ask(socket, event, payload, CREATE_TIMEOUT_MS);
    if (!r.ok) push('error', r.error);
    else if (done) push('info', done);
  };

  const results = async (format: 'csv' | 'json') => {
    if (!socket || !current) return;
    const r = await ask<{ text: string }>(socket, 'class-results', { name: current, format });
    if (!r.ok) return push('error', r.error);
    downloadText(`${current}-results.${format}`, r.text, format === 'csv' ? 'text/csv' : 'application/json');
  };

  const stuck = tiles.filter((t) => t.stuck).length;
  const finished = tiles.filter((t) => t.lesson && t.lesson.done === t.lesson.steps).length;
  return (
    <div className="teacher">
      <header className="toolbar teacher-bar">
        <span className="brand">vethlab · classes</span>
        <span className={`teacher-status ${status}`}>{status === 'connected' ? 'connected' : status === 'refused' ? 'this page needs the admin link' : 'connecting…'}</span>
      </header>
      <main className="teacher-main">
        <aside className="teacher-side" aria-label="Classes">
          <h2>Classes</h2>
          <ul className="class-list">
            {classes.map((c) => (
              <li key={c.name}>
                <button type="button" className={`class-pick${current === c.name ? ' active' : ''}`} onClick={() => void watch(c.name)}>
                  <strong>{c.name}</strong>
                  <span className="muted small">
                    {c.students} labs{c.lesson ? ` · ${c.lesson}` : ''}
                  </span>
                </button>
              </li>
            ))}
            {classes.length === 0 && <li className="muted">No class yet.</li>}
          </ul>
          <form
            className="class-form"
            aria-label="New class"
            onSubmit={(e) => {
              e.preventDefault();
              void create(e.currentTarget);
            }}
          >
            <h3>New class</h3>
            <label>
              Name
              <input name="name" required pattern="[a-z0-9][a-z0-9-]{0,23}" placeholder="monday" title="lowercase letters, digits and dashes" />
            </label>
            <label>
              Students: one name a line, or a number
              <textarea name="students" required rows={5} placeholder={'Ana\nBruno\nChen\n(or: 30)'} />
            </label>
            <label>
              Lesson
              <select name="lesson" defaultValue={lessons[0]?.id ?? ''}>
                <option value="">none (an empty lab)</option>
                {lessons.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.title}
                  </option>
                ))}
              </select>
            </label>
            <label>
              or a topology file (.yml), each lab starting as it says
              <input name="topology" type="file" accept=".yml,.yaml" />
            </label>
            <button type="submit" className="btn btn-primary" disabled={status !== 'connected' || making !== null}>
              {making ? `Making labs… ${making.done}/${making.total}` : 'Create class'}
            </button>
          </form>
          <details className="all-labs">
            <summary>Every lab ({labs.length})</summary>
            <ul>
              {labs.map((l) => (
                <li key={l.name}>
                  <a href={l.edit}>{l.name}</a> · <a href={l.view}>view</a>
                </li>
              ))}
            </ul>
          </details>
        </aside>
        <section className="teacher-class" aria-label={current ? `Class ${current}` : 'No class chosen'}>
          {!current ? (
            <p className="muted teacher-hint">Choose a class, or make one: a lab per student, each started from a lesson. Their labs then show here, live.</p>
          ) : (
            <>
              <div className="teacher-class-bar">
                <h2>{current}</h2>
                <span className="muted">
                  {tiles.length} labs · {finished} finished · {stuck > 0 ? <strong className="stuck-count">{stuck} may be stuck</strong> : 'nobody stuck'}
                </span>
                <span className="spacer" />
                {mine && (
                  <>
                    <a className="btn btn-small" href={mine.edit} target="_blank" rel="noreferrer" title="Your own lab, for demonstrations">
                      My lab
                    </a>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-pressed={shared}
                      onClick={() => void act('class-share', { name: current, on: !shared }, shared ? 'Your lab is no longer shown to the class' : 'Every student can now watch your lab').then(() => setShared(!shared))}
                    >
                      {shared ? 'Stop showing my lab' : 'Show my lab to the class'}
                    </button>
                  </>
                )}
                <button type="button" className="btn btn-small" onClick={() => void results('csv')}>
                  Results CSV
                </button>
                <button type="button" className="btn btn-small" onClick={() => void results('json')}>
                  Results JSON
                </button>
                <button type="button" className="btn btn-small" onClick={() => setConfirm({ title: `Reset every lab of ${current}?`, text: 'Each lab goes back to the start of its lesson.', run: () => void act('class-reset', { name: current }, 'Every lab is back at the start') })}>
                  Reset all
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-danger-outline"
                  onClick={() =>
                    setConfirm({
                      title: `Delete the class ${current}?`,
                      text: 'Every lab of the class is destroyed, machine and all, and the students\u2019 links stop working.',
                      run: () =>
                        void act('class-delete', { name: current }, `Class ${current} deleted`).then(async () => {
                          await watch(null);
                          if (socket) await refresh(socket);
                        }),
                    })
                  }
                >
                  Delete class
                </button>
              </div>
              <ClassGrid
                tiles={tiles}
                links={links}
                onReset={(lab, step) => void act('class-reset', { name: current, lab, step }, step === 0 ? `${lab} is back at the start` : `${lab} is back at the start of step ${step + 1}`)}
                onRemove={(lab) =>
                  setConfirm({
                    title: `Remove ${lab}?`,
                    text: 'The student leaves the class and their lab is destroyed; their link stops working.',
                    run: () => void act('class-remove', { name: current, lab }, `${lab} removed`).then(() => watch(current)),
                  })
                }
              />
              <form
                className="add-students"
                aria-label="Add students"
                onSubmit={(e) => {
                  e.preventDefault();
                  const input = e.currentTarget.elements.namedItem('more') as HTMLInputElement;
                  const names = input.value.split(',').map((n) => n.trim()).filter(Boolean);
                  if (names.length === 0) return;
                  input.value = '';
                  void act('class-add', { name: current, students: names }, `Added ${names.join(', ')}`).then(() => watch(current));
                }}
              >
                <label>
                  Add students <input name="more" placeholder="Dana, Eli" />
                </label>
                <button type="submit" className="btn btn-small">
                  Add
                </button>
              </form>
              <JoinLinks links={links} onInfo={(m) => push('info', m)} />
            </>
          )}
        </section>
      </main>
      {confirm && (
        <ConfirmDialog
          title={confirm.title}
          message={<p>{confirm.text}</p>}
          confirmLabel="Yes"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            confirm.run();
            setConfirm(null);
          }}
        />
      )}
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}
